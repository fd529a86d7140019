// Aggregation into buckets (§7.5): bucket edges in a zone's wall time for fixed and calendar units, one series' value per bucket.
import { FIXED_PERIOD_MS, MAX_BUCKETS, type Aggregation, type Period } from './data-query.js';
import { DAY, mod, utcMs } from './datetimes.js';
import type { Points } from './points.js';
import type { TimeZone } from './timezones.js';

/** time_utils.floor: fixed units on multiples of the width from 1970-01-01 local wall time; calendar units at local midnight, Monday, the 1st, Jan 1st. */
export function floorTo(t: number, unit: Period, width: number, zone: TimeZone): number {
  const off = zone.offset(t);
  const wall = t + off;
  const fixed = FIXED_PERIOD_MS[unit];
  let floored: number;
  if (fixed !== undefined) floored = Math.floor(wall / (fixed * width)) * fixed * width;
  else {
    const day = Math.floor(wall / DAY);
    const d = new Date(day * DAY);
    if (unit === 'day') floored = day * DAY;
    else if (unit === 'week')
      floored = (day - mod(day + 3, 7)) * DAY; // 1970-01-01 was a Thursday
    else if (unit === 'month') floored = utcMs(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    else floored = utcMs(d.getUTCFullYear(), 1, 1);
  }
  return floored === wall ? t : zone.fromLocal(floored, off);
}

function addPeriod(wall: number, unit: Period): number {
  if (unit === 'day') return wall + DAY;
  if (unit === 'week') return wall + 7 * DAY;
  const d = new Date(wall);
  return unit === 'month' ? utcMs(d.getUTCFullYear(), d.getUTCMonth() + 2, 1) : utcMs(d.getUTCFullYear() + 1, 1, 1);
}

export function ceilTo(t: number, unit: Period, width: number, zone: TimeZone): number {
  const fixed = FIXED_PERIOD_MS[unit];
  if (fixed !== undefined) {
    const off = zone.offset(t);
    const wall = t + off;
    const w = fixed * width;
    const ceiled = Math.ceil(wall / w) * w;
    return ceiled === wall ? t : zone.fromLocal(ceiled, off);
  }
  const f = floorTo(t, unit, 1, zone);
  return f === t ? t : zone.fromLocal(addPeriod(f + zone.offset(f), unit));
}

/** pd.date_range(from, to, freq, inclusive="left"): fixed widths step in absolute time, calendar units in wall time. */
export function bucketStarts(from: number, to: number, unit: Period, width: number, zone: TimeZone): Float64Array {
  const out: number[] = [];
  const fixed = FIXED_PERIOD_MS[unit];
  if (fixed !== undefined) {
    for (let u = from; u < to && out.length <= MAX_BUCKETS; u += fixed * width) out.push(u);
  } else {
    let wall = from + zone.offset(from);
    for (let u = from; u < to && out.length <= MAX_BUCKETS;) {
      out.push(u);
      wall = addPeriod(wall, unit);
      const next = zone.fromLocal(wall);
      if (next <= u) break;
      u = next;
    }
  }
  return Float64Array.from(out);
}

/** One series into its buckets: NaN for an empty bucket (count: 0); first/last bucket with data. */
export function aggregateSeries(
  pts: Points,
  starts: Float64Array,
  agg: Aggregation,
  width: number,
  unitMs: number,
  origin: number,
): { values: Float64Array; first: number; last: number } {
  const nb = starts.length;
  const count = new Float64Array(nb);
  const sum = new Float64Array(nb);
  const min = new Float64Array(nb).fill(Infinity);
  const max = new Float64Array(nb).fill(-Infinity);
  // width > 1: SQL aggregates per single unit first, pandas then takes the mean of those means (§7.5).
  const unitMeans = width > 1 && agg === 'avg';
  const meanSum = new Float64Array(unitMeans ? nb : 0);
  const meanCount = new Float64Array(unitMeans ? nb : 0);
  let curUnit = Number.NaN;
  let curBucket = 0;
  let us = 0;
  let un = 0;
  const flush = () => {
    if (un > 0) {
      meanSum[curBucket] = meanSum[curBucket]! + us / un;
      meanCount[curBucket] = meanCount[curBucket]! + 1;
    }
    us = 0;
    un = 0;
  };
  let b = 0;
  let first = nb;
  let last = -1;
  for (let i = 0; i < pts.n; i++) {
    const t = pts.t[i]!;
    while (b + 1 < nb && starts[b + 1]! <= t) b++;
    if (nb === 0 || t < starts[0]!) continue;
    const v = pts.v[i]!;
    count[b] = count[b]! + 1;
    sum[b] = sum[b]! + v;
    if (v < min[b]!) min[b] = v;
    if (v > max[b]!) max[b] = v;
    if (b < first) first = b;
    last = b;
    if (unitMeans) {
      const u = Math.floor((t - origin) / unitMs);
      if (u !== curUnit) {
        flush();
        curUnit = u;
        curBucket = b;
      }
      us += v;
      un += 1;
    }
  }
  if (unitMeans) flush();
  const values = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const c = count[k]!;
    if (agg === 'count') values[k] = c;
    else if (c === 0) values[k] = Number.NaN;
    else if (agg === 'sum') values[k] = sum[k]!;
    else if (agg === 'min') values[k] = min[k]!;
    else if (agg === 'max') values[k] = max[k]!;
    else values[k] = unitMeans ? meanSum[k]! / meanCount[k]! : sum[k]! / c;
  }
  return { values, first, last };
}
