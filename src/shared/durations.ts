// ISO 8601 durations as FlexMeasures reads and writes them (flexmeasures CONTRACT.md §2.6).
// Pure functions; errors are plain Errors with a message that quotes the input.

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const NUM = '(\\d+(?:[.,]\\d+)?)';
// P[nY][nM][nW][nD][T[nH][nM][nS]]: pandas writes every component (`P0DT1H0M0S`), isodate only the non-zero ones.
const DURATION = new RegExp(`^P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`);

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function num(part: string | undefined): number {
  return part === undefined ? 0 : Number(part.replace(',', '.'));
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** anchor + months in the UTC calendar, the day clamped to the month's end (as isodate does: Jan 31 + P1M = Feb 28/29). */
function addMonths(anchorMs: number, months: number): number {
  const d = new Date(anchorMs);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month0));
  const t = new Date(anchorMs);
  t.setUTCFullYear(year, month0, day);
  return t.getTime();
}

/**
 * An ISO 8601 duration → milliseconds. Accepts `PT15M`, `PT1H30M`, `P1D`, `P0D`, `PT0H`, `P2W`,
 * signed `-PT10M`, the repeating form `R/PT6H` (the period is returned), pandas' `P0DT1H0M0S`, and
 * the nominal `P1M`/`P1Y`, grounded against `anchorMs` in the UTC calendar (flexmeasures CONTRACT.md §2.6). Throws otherwise.
 */
export function parseDuration(s: string, anchorMs?: number): number {
  if (typeof s !== 'string') throw new Error(`Not an ISO 8601 duration: ${String(s)}`);
  let t = s.trim().toUpperCase();
  // Rolling horizons are written `R/PT6H` (also `R<n>/…`) (flexmeasures CONTRACT.md §3.12).
  const repeat = /^R\d*\//.exec(t);
  if (repeat) t = t.slice(repeat[0].length);
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t.startsWith('-')) sign = -1;
    t = t.slice(1);
  }
  const m = DURATION.exec(t);
  // `P` and `PT` alone (no component) are not durations.
  if (!m || t === 'P' || t.endsWith('T')) {
    throw new Error(`Not an ISO 8601 duration: ${quote(s)} (expected e.g. PT15M, PT1H30M, P1D, -PT10M)`);
  }
  const years = num(m[1]);
  const months = num(m[2]);
  const exact = num(m[3]) * 7 * DAY + num(m[4]) * DAY + num(m[5]) * HOUR + num(m[6]) * MINUTE + num(m[7]) * 1000;
  if (!Number.isFinite(exact)) throw new Error(`ISO 8601 duration out of range: ${quote(s)}`);
  let ms = Math.round(exact);
  if (years !== 0 || months !== 0) {
    if (!Number.isInteger(years) || !Number.isInteger(months)) {
      throw new Error(`Fractional years or months cannot be grounded: ${quote(s)}`);
    }
    if (anchorMs === undefined || !Number.isFinite(anchorMs)) {
      throw new Error(`Nominal duration ${quote(s)} (years/months) needs a start to be grounded against`);
    }
    // Nominal durations are grounded against the start (flexmeasures CONTRACT.md §2.6): calendar months, then the exact rest.
    const end = addMonths(anchorMs, sign * (years * 12 + months));
    return end - anchorMs + sign * ms;
  }
  ms *= sign;
  return ms === 0 ? 0 : ms; // no -0
}

function secondsPart(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))}S`;
}

/** FlexMeasures' own formatter (v3 sensor-data `duration`/`resolution`): never days: `PT24H`, `PT0H`, `PT1H30M`, `-PT10M`. */
export function formatDurationFM(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`Not a finite duration: ${ms}`);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return 'PT0H';
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  return `${sign}PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest ? secondsPart(rest) : ''}`;
}

/** isodate's `duration_isoformat` (v1_1 responses, v3 `event_resolution`): `P1D`, `P0D`, `PT1H30M`, `P1DT1H`, `-PT1H`. */
export function formatDurationIsodate(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`Not a finite duration: ${ms}`);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return 'P0D';
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const time =
    rest || hours || minutes ? `T${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest ? secondsPart(rest) : ''}` : '';
  return `${sign}P${days ? `${days}D` : ''}${time}`;
}
