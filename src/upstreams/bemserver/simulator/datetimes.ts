// Date-time parsing as the API's libraries do it (marshmallow's AwareDateTime §1.3, pandas for posted data §7.7), and UTC calendar math.

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Epoch ms of a UTC wall time; years 0–99 too (Date.UTC maps them to 1900–1999). */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function validYmdHms(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || y < 1) return false;
  const date = new Date(utcMs(y, mo, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

// marshmallow 3's ISO 8601 pattern (S8): date, `T` or space, HH:MM[:SS[.ffffff]], optional zone.
const MA_DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATETIME_MIN = Date.UTC(1680, 0, 1);
const DATETIME_MAX = Date.UTC(2260, 0, 1);
const RANGE_MESSAGE = 'Must be greater than or equal to 1680-01-01 00:00:00+00:00 and less than or equal to 2260-01-01 00:00:00+00:00.';

/** Zone suffix → offset in minutes; null when Python's timezone() would refuse it. */
function zoneOffsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (mm > 59) return null;
  const total = hh * 60 + mm;
  return total >= 24 * 60 ? null : sign * total;
}

/**
 * The instant of parsed date-time fields (year, month, day, hour, minute, second; fraction; zone
 * suffix): epoch ms, fractional below the ms (microseconds kept, anything finer dropped); 'invalid'
 * for a date or time that does not exist or a zone Python refuses; 'naive' without a zone.
 */
function instantOf(fields: readonly string[], frac: string, zone: string | undefined): number | 'naive' | 'invalid' {
  const [y, mo, d, h, mi, s] = fields.map(Number) as [number, number, number, number, number, number];
  if (!validYmdHms(y, mo, d, h, mi, s)) return 'invalid';
  if (zone === undefined) return 'naive';
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return 'invalid';
  const micro = Number(frac.slice(0, 6).padEnd(6, '0') || '0');
  return utcMs(y, mo, d, h, mi, s, Math.floor(micro / 1000)) + (micro % 1000) / 1000 - offset * MINUTE;
}

/**
 * An `AwareDateTime` query/body field (§1.3): epoch ms (fractional below the ms) or the message.
 * A `+` left unencoded arrives as a space and fails as "Not a valid datetime.".
 */
export function parseAwareField(raw: unknown): number | { error: string } {
  if (typeof raw !== 'string') return { error: 'Not a valid datetime.' };
  const m = MA_DATETIME.exec(raw);
  if (!m) return { error: 'Not a valid datetime.' };
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const t = instantOf([y!, mo!, d!, h!, mi!, s], frac, zone);
  if (t === 'invalid') return { error: 'Not a valid datetime.' };
  if (t === 'naive') return { error: 'Not a valid aware datetime.' };
  if (t < DATETIME_MIN || t > DATETIME_MAX) return { error: RANGE_MESSAGE };
  return t;
}

// pandas.to_datetime(format="ISO8601") as the data import uses it (§7.7).
const PD_DATETIME =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;
const PD_MIN = Date.UTC(1677, 8, 22);
const PD_MAX = Date.UTC(2262, 3, 11);

/** A timestamp of posted data: epoch ms, 'naive' or 'invalid' (§7.7, §7.9). */
export function parseDataTimestamp(raw: string): number | 'naive' | 'invalid' {
  const m = PD_DATETIME.exec(raw);
  if (!m) return 'invalid';
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const t = instantOf([y!, mo!, d!, h, mi, s], frac, zone?.toUpperCase());
  if (typeof t !== 'number') return t;
  return t < PD_MIN || t > PD_MAX ? 'invalid' : t;
}

export const mod = (a: number, b: number): number => ((a % b) + b) % b;
