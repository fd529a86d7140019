// Global IDs are readable and stable: `<upstream>:<kind>:<native id>`, e.g. `meetnet:sensor:MP7WVC`.
import type { UpstreamName } from './domain.js';
import { badInput } from './errors.js';

export type IdKind = 'location' | 'parameter' | 'sensor' | 'connection';

export interface ParsedId {
  upstream: UpstreamName;
  kind: IdKind;
  nativeId: string;
}

/** What a parser needs to know of the upstreams: their names, and an example ID of each kind. */
export interface IdSpace {
  readonly names: readonly UpstreamName[];
  example(kind: IdKind): string;
}

/** Parses a global ID of the expected kind, or throws BAD_USER_INPUT saying what a good one looks like. */
export function parseId(id: string, kind: IdKind, argument: string, space: IdSpace): ParsedId {
  const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  const first = id.indexOf(':');
  const second = first < 0 ? -1 : id.indexOf(':', first + 1);
  const prefix = first < 0 ? '' : id.slice(0, first);
  const known = space.names.includes(prefix);
  const actualKind = second < 0 ? '' : id.slice(first + 1, second);
  const nativeId = second < 0 ? '' : id.slice(second + 1);
  if (!known || actualKind !== kind || !nativeId) {
    const why = !known
      ? `it does not start with one of ${space.names.map((p) => `"${p}:"`).join(', ')}`
      : actualKind !== kind
        ? `it names a ${actualKind || 'nothing'}, not a ${kind}`
        : `it has no native ID after "${prefix}:${kind}:"`;
    throw badInput(`${argument}: "${shown}" is not a ${kind} ID (${why}); expected <upstream>:${kind}:<id>, e.g. ${space.example(kind)}`, {
      argument,
    });
  }
  return { upstream: prefix, kind, nativeId };
}
