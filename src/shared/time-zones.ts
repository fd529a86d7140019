// Grids of time that start at local midnight: an upstream's events of a sensor with a 15-minute,
// hourly or daily resolution sit on its time zone's grid (daily ones at local midnight, hourly
// ones at :30 in +05:30), not on one counted from the Unix epoch in UTC.
const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat | null>();

/** The parts of a local time, read back to compute an offset (24-hour clock, to the second). */
export const LOCAL_PARTS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

function format(timeZone: string): Intl.DateTimeFormat | null {
  let f = formats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, ...LOCAL_PARTS });
    } catch {
      f = null; // not a zone this runtime knows: read as UTC
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant t, in ms (0 for UTC and for zones Intl does not know). */
export function zoneOffsetMs(t: number, timeZone: string | null | undefined): number {
  const f = timeZone && timeZone !== 'UTC' ? format(timeZone) : null;
  if (!f) return 0;
  // format() and its digits (en-US: month, day, year, hour, minute, second) cost a third of
  // formatToParts(), and calendar buckets read one offset per boundary (src/series/buckets.ts).
  const d = f.format(t).match(/\d+/g)!;
  const local = Date.UTC(Number(d[2]), Number(d[0]) - 1, Number(d[1]), Number(d[3]), Number(d[4]), Number(d[5]));
  return local - (t - (t % 1000));
}

/**
 * The instant at which the zone's clocks read `wall` (ms since 1970-01-01 in local wall time).
 * `hint` is an offset to try first: it wins whenever it is valid there (an ambiguous time at the
 * fall-back keeps the offset of the instant it was derived from, as pandas' floor does). Otherwise
 * an ambiguous time takes its earlier instant and a time in a spring-forward gap is moved forward by
 * the gap (zoneinfo's fold=0). Zones Intl does not know are read as UTC.
 */
export function instantOfLocal(wall: number, timeZone: string | null | undefined, hint?: number): number {
  if (hint !== undefined && zoneOffsetMs(wall - hint, timeZone) === hint) return wall - hint;
  // Offsets lie within ±14 h: the instant is between these two, and at most one transition with it.
  const before = zoneOffsetMs(wall - 14 * 3_600_000, timeZone);
  const after = zoneOffsetMs(wall + 14 * 3_600_000, timeZone);
  const valid = [before, after].filter((o) => zoneOffsetMs(wall - o, timeZone) === o);
  return valid.length === 0 ? wall - before : wall - Math.max(...valid);
}

/** Whether a step makes a grid that starts again each local midnight (it divides a day). */
const dividesADay = (step: number): boolean => step > 0 && DAY_MS % step === 0;

/** The first instant at or after t on the zone's grid of `step`; t itself for steps that do not divide a day. */
export function ceilToZoneGrid(t: number, step: number, timeZone: string | null | undefined): number {
  if (!dividesADay(step)) return t;
  const offset = zoneOffsetMs(t, timeZone);
  return Math.ceil((t + offset) / step) * step - offset;
}

/** The last instant at or before t on the zone's grid of `step`; t itself for steps that do not divide a day. */
export function floorToZoneGrid(t: number, step: number, timeZone: string | null | undefined): number {
  if (!dividesADay(step)) return t;
  const offset = zoneOffsetMs(t, timeZone);
  return Math.floor((t + offset) / step) * step - offset;
}
