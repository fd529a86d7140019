// Instants and durations as the upstream reads and writes them: aware datetimes, ISO 8601 and Python
// timedelta texts, and the offset a client wrote echoed back.
import { parseDuration } from '../../../shared/durations.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** `2015-01-01T00:00:00Z` for UTC, as isodate.datetime_isoformat writes it (§2.6). */
function isoZ(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * The instant in the offset the client wrote (`2021-05-02T00:00:00+02:00`), as isodate echoes it
 * (§2.6), or as Python's isoformat does on a current server's v3_0 (UTC as `+00:00`, real server).
 */
export function isoInOffset(ms: number, written: unknown, style: 'isodate' | 'isoformat' = 'isodate'): string {
  const m = typeof written === 'string' ? /([+-])(\d{2}):(\d{2})$/.exec(written.replace(' ', '+').trim()) : null;
  if (!m || (m[2] === '00' && m[3] === '00')) return style === 'isodate' ? isoZ(ms) : `${isoZ(ms).slice(0, -1)}+00:00`;
  const offsetMs = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MINUTE;
  return `${isoZ(ms + offsetMs).slice(0, -1)}${m[1]}${m[2]}:${m[3]}`;
}

const AWARE = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:\d{2})$/i;

/** An aware datetime; v3 turns a space back into `+` first (an unescaped `+` in a query, §2.6). */
export function parseAware(raw: unknown, v3: boolean): number | 'naive' | null {
  if (typeof raw !== 'string') return null;
  const s = v3 ? raw.replace(' ', '+') : raw;
  const m = AWARE.exec(s.trim());
  if (!m) return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s.trim()) ? 'naive' : null;
  const t = Date.parse(`${m[1]}T${m[2]}${m[3]!.toUpperCase()}`);
  return Number.isFinite(t) ? t : null;
}

export function duration(raw: unknown, anchorMs?: number): number | null {
  if (typeof raw !== 'string') return null;
  try {
    return parseDuration(raw, anchorMs);
  } catch {
    return null;
  }
}

/** Python's str(timedelta): `0:04:10`, `1 day, 0:00:00` (FM prints resolutions so, §4.5). */
export function pyTimedelta(ms: number): string {
  const days = Math.floor(ms / DAY);
  const rest = Math.round((ms - days * DAY) / 1000);
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}
