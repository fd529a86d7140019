// Time on the wire of the simulated Meetnet API: the timestamps it writes and the dates it accepts.

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
/** .NET DateTime.MinValue, which a missing StartTime/EndTime binds to (§6.1). */
export const DATETIME_MIN_MS = (() => {
  // Not Date.UTC(1, …): it maps years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
})();

const TIME_OF_DAY: string[] = Array.from({ length: 1440 }, (_, m) => {
  const hh = String(Math.floor(m / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${hh}:${mm}:00+00:00`;
});
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/**
 * `yyyy-MM-ddTHH:mm:ss+00:00`: UTC with an explicit offset, never `Z`, no fraction (§5.2).
 * Cheap on a grid: the date part is cached per day and whole minutes come from a table.
 */
export function formatMeetnetTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const rest = ms - day * DAY_MS;
  if (rest % MINUTE_MS === 0) {
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    return cachedDayPrefix + TIME_OF_DAY[rest / MINUTE_MS]!;
  }
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses the date forms clients send (§6.1): ISO with `Z` or an offset, `2020-01-01`,
 * `2018-01-01 00:00:00`, `2022-09-30 00:00:00+00:00`. Zone-less times are taken as UTC (the real
 * rule is unknown, §6.1). Returns null when the string is not a valid date.
 */
export function parseMeetnetTime(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const dayOfMonth = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || dayOfMonth < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, dayOfMonth);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== dayOfMonth) return null;
  date.setUTCHours(hour, minute, second, Math.floor(Number(`0.${frac || '0'}`) * 1000));
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return date.getTime() - offsetMin * MINUTE_MS;
}
