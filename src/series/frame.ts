// Several series on one time axis, for a chart or a download: the union of their instants (buckets
// of one width give them all the same axis), each series a column on it, its gaps filled as asked.
// Pure: no GraphQL, no upstream.
import type { SeriesData } from '../shared/domain.js';

/** How a column's gaps (nulls, and instants only other columns have) are filled. */
export type Fill = 'none' | 'previous' | 'linear' | 'zero';

export interface AlignedFrame {
  times: number[];
  /** One per input column, on `times`; null where the input column is null (a failed read). */
  columns: Array<(number | null)[] | null>;
}

export function alignFrame(series: ReadonlyArray<SeriesData | null>, fill: Fill): AlignedFrame {
  const present = series.filter((s): s is SeriesData => s !== null);
  const times = unionOfTimes(present);
  const columns = series.map((s) => (s === null ? null : fillGaps(times, onAxis(times, s), fill)));
  return { times, columns };
}

function unionOfTimes(series: SeriesData[]): number[] {
  const first = series[0]?.times ?? [];
  // Buckets of one width, or sensors of one interval: the common case needs no merge.
  if (series.every((s) => sameTimes(s.times, first))) return first;
  const all = new Set<number>();
  for (const s of series) for (const t of s.times) all.add(t);
  return Array.from(all).sort((a, b) => a - b);
}

const sameTimes = (a: number[], b: number[]): boolean => a === b || (a.length === b.length && a.every((t, i) => t === b[i]));

/** A series' values on the axis (null where it has no point); both are ascending. */
function onAxis(times: number[], s: SeriesData): (number | null)[] {
  if (s.times === times) return s.values.slice();
  const out = new Array<number | null>(times.length).fill(null);
  let j = 0;
  for (let i = 0; i < times.length && j < s.times.length; i++) {
    if (times[i] === s.times[j]) out[i] = s.values[j++] ?? null;
  }
  return out;
}

function fillGaps(times: number[], values: (number | null)[], fill: Fill): (number | null)[] {
  if (fill === 'none') return values;
  if (fill === 'zero') return values.map((v) => v ?? 0);
  let last = -1; // index of the last value seen
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) continue;
    if (last >= 0 && i - last > 1) {
      const a = values[last]!;
      const b = values[i]!;
      for (let k = last + 1; k < i; k++) {
        // Linear in time, not in index: the axis may be irregular.
        values[k] = fill === 'previous' ? a : a + ((b - a) * (times[k]! - times[last]!)) / (times[i]! - times[last]!);
      }
    }
    last = i;
  }
  // After the last value, only `previous` knows what to say; before the first, none does.
  if (fill === 'previous' && last >= 0) for (let k = last + 1; k < values.length; k++) values[k] = values[last]!;
  return values;
}
