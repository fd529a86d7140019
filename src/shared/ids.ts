// Global IDs are readable and stable: `<upstream>:<kind>:<native id>`, e.g. `meetnet:sensor:MP7WVC`.
import { UpstreamName, upstreamPrefix } from './domain.js';
import { badInput } from '../errors.js';

export type IdKind = 'location' | 'parameter' | 'sensor' | 'connection';

const byPrefix = new Map(Object.entries(upstreamPrefix).map(([name, prefix]) => [prefix, name as UpstreamName]));

export interface ParsedId {
  upstream: UpstreamName;
  kind: IdKind;
  nativeId: string;
}

export function globalId(upstream: UpstreamName, kind: IdKind, nativeId: string): string {
  return `${upstreamPrefix[upstream]}:${kind}:${nativeId}`;
}

/** Parses a global ID of the expected kind, or throws BAD_USER_INPUT saying what a good one looks like. */
export function parseId(id: string, kind: IdKind, argument: string): ParsedId {
  const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  const first = id.indexOf(':');
  const second = first < 0 ? -1 : id.indexOf(':', first + 1);
  const prefix = first < 0 ? '' : id.slice(0, first);
  const upstream = byPrefix.get(prefix);
  const actualKind = second < 0 ? '' : id.slice(first + 1, second);
  const nativeId = second < 0 ? '' : id.slice(second + 1);
  if (!upstream || actualKind !== kind || !nativeId) {
    const why = !upstream
      ? `it does not start with one of ${[...byPrefix.keys()].map((p) => `"${p}:"`).join(', ')}`
      : actualKind !== kind
        ? `it names a ${actualKind || 'nothing'}, not a ${kind}`
        : `it has no native ID after "${prefix}:${kind}:"`;
    throw badInput(`${argument}: "${shown}" is not a ${kind} ID (${why}); expected <upstream>:${kind}:<id>, e.g. ${example(kind)}`, {
      argument,
    });
  }
  return { upstream, kind, nativeId };
}

function example(kind: IdKind): string {
  switch (kind) {
    case 'location':
      return 'meetnet:location:MP7';
    case 'parameter':
      return 'meetnet:parameter:WVC';
    case 'sensor':
      return 'meetnet:sensor:MP7WVC';
    case 'connection':
      return 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4';
  }
}
