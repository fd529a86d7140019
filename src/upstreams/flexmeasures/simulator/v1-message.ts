// How v1_1 reads a message (the query string decoded, the asset groups, the period) and the shape
// of its answers (a USEF `Rejected` body, or a raised error without `type`).
import type { ParamRecord } from '../../../simulators/index.js';
import { duration, parseAware } from './time.js';

/**
 * v1_1 query decoding (§3.1): repeated keys become lists; a value that parses as a JSON array is
 * used decoded (`connections=["a","b"]`); any other value stays the raw string.
 */
export function v1Query(q: ParamRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    const decode = (s: string): unknown => {
      try {
        const j: unknown = JSON.parse(s);
        return Array.isArray(j) ? j : s;
      } catch {
        return s;
      }
    };
    out[k] = Array.isArray(v) ? v.map(decode).flat() : decode(v);
  }
  return out;
}

/** `connection`/`connections` (singular or plural, top level or in groups) → groups of strings (§3.1). */
export function assetGroups(msg: Record<string, unknown>, singular: string): Array<{ ids: string[]; values: unknown }> | null {
  const plural = `${singular}s`;
  const asList = (v: unknown): string[] | null =>
    typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  const top = msg[singular] ?? msg[plural];
  if (top !== undefined) {
    const ids = asList(top);
    return ids && ids.length > 0 ? [{ ids, values: msg.values ?? msg.value }] : null;
  }
  if (Array.isArray(msg.groups)) {
    const groups: Array<{ ids: string[]; values: unknown }> = [];
    for (const g of msg.groups as unknown[]) {
      if (!g || typeof g !== 'object') return null;
      const rec = g as Record<string, unknown>;
      const ids = asList(rec[singular] ?? rec[plural]);
      if (!ids || ids.length === 0) return null;
      groups.push({ ids, values: rec.values ?? rec.value });
    }
    return groups.length > 0 ? groups : null;
  }
  return null;
}

export function period(msg: Record<string, unknown>): { start: number; duration: number } | { status: string; message: string } {
  const start = parseAware(msg.start, false);
  if (start === 'naive') return { status: 'INVALID_TIMEZONE', message: 'Start time should explicitly state a timezone.' };
  const dur = typeof start === 'number' ? duration(msg.duration, start) : null;
  if (typeof start !== 'number' || dur === null || dur <= 0)
    return { status: 'INVALID_PERIOD', message: "A time period in your request doesn't seem right." };
  return { start, duration: dur };
}

/** A v1_1 route's answer before `type` is added; `raised` ones (422 INVALID_DOMAIN, 500) get none (§3.1). */
export interface V1Answer {
  status: number;
  body: unknown;
  raised?: boolean;
}

/** A USEF rejection: `{result: 'Rejected', status, message}`, HTTP 400 unless told. */
export function rejected(status: string, message: string, http = 400): { status: number; body: unknown } {
  return { status: http, body: { result: 'Rejected', status, message } };
}
