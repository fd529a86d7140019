// A series into buckets of a zone's clock and calendar: the gateway's own aggregation, for the
// upstreams that do not aggregate and for what they cannot. It answers what BEMServer's
// `/timeseries_data/aggregate` answers on the same data (bemserver CONTRACT.md §7.5; bemserver-core's
// get_timeseries_buckets_data), so that asking BEMServer or aggregating here gives the same buckets.
//
// The grid (BEMServer's, i.e. pandas' floor/ceil and date_range):
// - The buckets cover [floor(from), ceil(to)): the first is the bucket that holds `from`, the last
//   one ends at or after `to`, and every bucket between is listed, empty or not. Points anywhere in
//   that span count, also those before `from` in the first bucket: read the raw data over
//   `bucketSpan(...)`, not over [from, to), to get BEMServer's figures.
// - DAY, WEEK, MONTH and YEAR start at local midnight in the zone, on a Monday, on the 1st and on
//   1 January, and follow the calendar: a Europe/Brussels day lasts 23 or 25 hours on the days the
//   clocks change (29 March and 25 October 2026).
// - SECOND, MINUTE and HOUR of width w: `from` is floored in local wall time to a multiple of w
//   counted from 1970-01-01 00:00 local time, which for widths that divide a day is local midnight
//   (1 hour in +05:30 starts at :30 UTC, 12 hours in Brussels at 00:00 and 12:00 local); the
//   buckets then follow each other every w of real time. So across a DST change a bucket keeps its
//   length and, for widths over an hour, the local labels move by the change (12-hour buckets begun
//   in Brussels winter time start at 01:00 and 13:00 summer time); hour buckets on the fall-back
//   night are two distinct buckets both labelled 02:00 local. Widths that do not divide a day
//   (7 hours) are counted from 1970, not from each midnight, as bemserver-core's floor documents.
// - A corner kept for equality with BEMServer, widths over an hour across a DST change: ceil(to)
//   is taken on the wall-time grid, so the last bucket can end after ceil(to) and see only the
//   points before it, and one bucket past the one holding to − 1 ms can be listed (12-hour buckets
//   begun in summer time and ending just after the October change).
//
// The values: nulls (and NaN) are ignored; a bucket with no value left is empty: null, or 0 for
// COUNT. MEAN is the arithmetic mean of the values, SUM their sum, MIN and MAX their extremes,
// COUNT how many there are, FIRST and LAST the values at the earliest and latest instant.
//
// Where BEMServer differs (it has no FIRST or LAST): with a width of 1 the answers are the same for
// its avg, sum, min, max and count. With a width above 1 it aggregates each single unit in SQL and
// then pandas re-aggregates: min, max and count stay equal (its simulator agrees with this file),
// but avg is the mean of the per-unit means (equal only when each non-empty second/minute/hour of
// a bucket holds as many values, as with regular data without gaps), and sum gives 0.0, not null,
// to empty buckets between the first and last data of all the series asked together. The real
// server (not its simulator) also resamples from local midnight of the first day with data, so a
// width above 1 that does not divide a day, or a window whose data begins after a DST change, gets
// null buckets. So: ask BEMServer for a width of 1, aggregate here for the rest. BEMServer must be
// sent the query's time zone for its day, week, month and year buckets to be these.
//
// FlexMeasures resamples (`resolution`) by averaging the events that start in each slot, slots
// counted from the request's `start` every `resolution` of real time. That is MEAN here when: the
// bucket is SECOND, MINUTE or HOUR (or DAY in a zone with no DST in the window: PT24H is not a
// calendar day); the read starts at bucketSpan().from and lasts to bucketSpan().to (FlexMeasures
// nulls a slot the window cuts short, as in the DST corner above); that start is on the sensor's grid, counted from local
// midnight in the sensor's time zone (true when the width is a multiple of the sensor's resolution
// and the zone is the sensor's, or one whose offset differs by a multiple of it: off its grid
// FlexMeasures answers only nulls); and the width is at least the sensor's resolution (finer, it
// fills forward instead).
import type { SeriesData } from '../shared/domain.js';
import { instantOfLocal, zoneOffsetMs } from '../shared/time-zones.js';

export type BucketUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type Aggregation = 'mean' | 'min' | 'max' | 'sum' | 'count' | 'first' | 'last';

export interface BucketSpec {
  widthValue: number;
  widthUnit: BucketUnit;
  aggregation: Aggregation;
}

/** Times (epoch ms, ascending) and their values; null is no value. */
export type Series = SeriesData;

export const MAX_BUCKET_WIDTH = 1_000_000;
/** Buckets one aggregation may make (a year of seconds is 31.5 million). */
export const MAX_BUCKETS = 1_000_000;

const DAY = 86_400_000;
const FIXED_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000 };
const CALENDAR_MS: Record<string, number> = { day: DAY, week: 7 * DAY, month: 28 * DAY, year: 365 * DAY };
const AGGREGATIONS: readonly string[] = ['mean', 'min', 'max', 'sum', 'count', 'first', 'last'];
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** The zone as Intl names it (`europe/brussels` → `Europe/Brussels`), or null for a zone it does not know. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (typeof timeZone !== 'string' || timeZone === '' || timeZone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export const isValidTimeZone = (timeZone: string): boolean => canonicalTimeZone(timeZone) !== null;

/**
 * Why a bucket cannot be made, or null: the width is a whole number from 1 to 1,000,000, and 1 for
 * day, week, month and year (BEMServer's rule: only fixed-length units take a multiple). With a
 * window, also when it would make more than MAX_BUCKETS buckets.
 */
export function refuseBucket(bucket: BucketSpec, window?: { from: number; to: number }): string | null {
  const { widthValue: w, widthUnit: unit, aggregation } = bucket;
  const unitMs = FIXED_MS[unit] ?? CALENDAR_MS[unit];
  if (unitMs === undefined) return `Unknown bucket unit "${String(unit)}": use second, minute, hour, day, week, month or year.`;
  if (!AGGREGATIONS.includes(aggregation)) return `Unknown aggregation "${String(aggregation)}": use ${AGGREGATIONS.join(', ')}.`;
  if (!Number.isInteger(w) || w < 1 || w > MAX_BUCKET_WIDTH) {
    return `Bucket width must be a whole number from 1 to ${MAX_BUCKET_WIDTH.toLocaleString('en-US')}, got ${w}.`;
  }
  if (FIXED_MS[unit] === undefined && w !== 1) {
    return `Bucket width must be 1 for ${unit} buckets, got ${w}: only second, minute and hour buckets take a width above 1.`;
  }
  if (window && window.to > window.from) {
    const approx = Math.ceil((window.to - window.from) / (unitMs * w)) + 1;
    if (approx > MAX_BUCKETS) {
      return (
        `${plural(w, unit)} buckets over this window make about ${approx.toLocaleString('en-US')} buckets; ` +
        `at most ${MAX_BUCKETS.toLocaleString('en-US')} are answered: use wider buckets or a shorter window.`
      );
    }
  }
  return null;
}

const [SUM, MIN, MAX, FIRST, LAST, COUNT] = [0, 1, 2, 3, 4, 5];
/** What the sweep keeps per bucket for each aggregation (mean is a sum divided by the count at the end). */
const KIND: Record<Aggregation, number> = { mean: SUM, sum: SUM, min: MIN, max: MAX, first: FIRST, last: LAST, count: COUNT };

const mod = (a: number, b: number) => ((a % b) + b) % b;

/** Local wall time floored to the unit: fixed widths from 1970-01-01 local, calendar units to their start. */
function floorWall(wall: number, unit: BucketUnit, widthMs: number): number {
  if (FIXED_MS[unit] !== undefined) return Math.floor(wall / widthMs) * widthMs;
  const day = Math.floor(wall / DAY);
  if (unit === 'day') return day * DAY;
  if (unit === 'week') return (day - mod(day + 3, 7)) * DAY; // 1970-01-01 was a Thursday
  const d = new Date(day * DAY);
  return unit === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
}

function nextWall(wall: number, unit: BucketUnit): number {
  if (unit === 'day') return wall + DAY;
  if (unit === 'week') return wall + 7 * DAY;
  const d = new Date(wall);
  return unit === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
}

/** t floored (or ceiled) on the grid in the zone's wall time; an ambiguous result keeps t's offset. */
function roundInstant(t: number, unit: BucketUnit, width: number, zone: string, up: boolean): number {
  const offset = zoneOffsetMs(t, zone);
  const wall = t + offset;
  const widthMs = (FIXED_MS[unit] ?? 0) * width;
  const floored = floorWall(wall, unit, widthMs);
  if (floored === wall) return t;
  if (!up) return instantOfLocal(floored, zone, offset);
  return instantOfLocal(widthMs ? floored + widthMs : nextWall(floored, unit), zone, offset);
}

function checked(from: number, to: number, bucket: BucketSpec, timeZone: string): string {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('The window needs finite instants');
  const zone = canonicalTimeZone(timeZone);
  if (zone === null) throw new RangeError(`Unknown time zone "${timeZone}"`);
  const refusal = refuseBucket(bucket, { from, to });
  if (refusal) throw new RangeError(refusal);
  return zone;
}

/** What the buckets of [from, to) cover: [floor(from), ceil(to)); read the raw data over it (empty when to ≤ from). */
export function bucketSpan(from: number, to: number, bucket: BucketSpec, timeZone = 'UTC'): { from: number; to: number } {
  const zone = checked(from, to, bucket, timeZone);
  if (!(to > from)) return { from, to: from };
  const { widthUnit: unit, widthValue: width } = bucket;
  return { from: roundInstant(from, unit, width, zone, false), to: roundInstant(to, unit, width, zone, true) };
}

/** The buckets' starts, ascending, and where the span they cover ends. */
function grid(from: number, to: number, unit: BucketUnit, width: number, zone: string): { starts: number[]; end: number } {
  const starts: number[] = [];
  if (!(to > from)) return { starts, end: from };
  const start = roundInstant(from, unit, width, zone, false);
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) {
    // Real time: date_range with a fixed frequency steps in UTC whatever the zone.
    const end = roundInstant(to, unit, width, zone, true);
    for (let u = start; u < end; u += fixed * width) starts.push(u);
    return { starts, end };
  }
  // Calendar: each next start in wall time; the previous boundary's offset is tried first, so a
  // boundary costs one offset look-up (Intl) and a change of offset a few more.
  let wall = start + zoneOffsetMs(start, zone);
  let u = start;
  while (u < to) {
    if (u !== starts[starts.length - 1]) starts.push(u); // a day a zone skipped (Samoa 2011) is no bucket
    const next = nextWall(wall, unit);
    u = instantOfLocal(next, zone, wall - u);
    wall = next;
  }
  return { starts, end: u };
}

/** The bucket of t when the points come out of order (binary search in the starts). */
function locate(starts: number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The series in buckets of [from, to) (see the top of this file): one value per bucket, labelled by
 * the bucket's start. Times are expected ascending (every reader sorts); points out of order still
 * land in their bucket. Throws RangeError for an unknown zone or a bucket refuseBucket refuses:
 * check both first.
 */
export function aggregate(
  times: readonly number[],
  values: ReadonlyArray<number | null>,
  from: number,
  to: number,
  bucket: BucketSpec,
  timeZone = 'UTC',
): Series {
  const zone = checked(from, to, bucket, timeZone);
  const { starts, end } = grid(from, to, bucket.widthUnit, bucket.widthValue, zone);
  const nb = starts.length;
  if (nb === 0) return { times: [], values: [] };
  const agg = bucket.aggregation;
  const count = new Float64Array(nb);
  // One accumulator per bucket: the sum (mean, sum), the extreme (min, max) or the value kept (first, last).
  const acc = new Float64Array(nb);
  const keptAt = new Float64Array(agg === 'first' || agg === 'last' ? nb : 0);
  const kind = KIND[agg];
  // The current bucket is [lo, hi); a point outside it (the next bucket, or one out of order) moves it.
  let b = 0;
  let lo = starts[0]!;
  let hi = nb > 1 ? starts[1]! : end;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!(t >= lo && t < hi)) {
      if (!(t >= starts[0]! && t < end)) continue;
      if (t < lo) b = locate(starts, t);
      else while (b + 1 < nb && starts[b + 1]! <= t) b++;
      lo = starts[b]!;
      hi = b + 1 < nb ? starts[b + 1]! : end;
    }
    const v = values[i];
    if (v === null || v === undefined || v !== v) continue;
    const c = count[b]! + 1;
    count[b] = c;
    switch (kind) {
      case SUM:
        acc[b] = acc[b]! + v;
        break;
      case MIN:
        if (c === 1 || v < acc[b]!) acc[b] = v;
        break;
      case MAX:
        if (c === 1 || v > acc[b]!) acc[b] = v;
        break;
      // The earliest (first) or latest (last) instant wins; equal instants: the first or last read.
      case FIRST:
        if (c === 1 || t < keptAt[b]!) {
          acc[b] = v;
          keptAt[b] = t;
        }
        break;
      case LAST:
        if (c === 1 || t >= keptAt[b]!) {
          acc[b] = v;
          keptAt[b] = t;
        }
        break;
    }
  }
  const out: Array<number | null> = new Array(nb);
  for (let k = 0; k < nb; k++) {
    const c = count[k]!;
    if (agg === 'count') out[k] = c;
    else if (c === 0) out[k] = null;
    else out[k] = agg === 'mean' ? acc[k]! / c : acc[k]!;
  }
  return { times: starts, values: out };
}
