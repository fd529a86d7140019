// A long series reduced for drawing with M4 (Jugel et al., "M4: A Visualization-Oriented Time
// Series Data Aggregation", VLDB 2014): the window is cut into floor(maxPoints / 4) equal columns,
// one per pixel of a chart maxPoints / 4 pixels wide, and each column keeps its first, minimum,
// maximum and last point. A line drawn through them covers the same pixels as the whole series,
// so a year of 10-minute data keeps its shape, its spikes and its true minimum and maximum.
//
// Guarantees: at most maxPoints points; every kept point is an input point (its real time and
// value), in time order, each at most once; the global minimum and maximum are kept. Nulls:
// a column whose points are all null keeps one null at its first point, so a chart breaks its line
// there (one null for a run of such columns); in a column that also has values the nulls are
// dropped, as a gap narrower than a column is narrower than a pixel. A column with no point at
// all keeps nothing. A series of at most maxPoints points comes back as it is.
import type { Series } from './buckets.js';

/** M4 keeps 4 points per column: fewer than 4 points cannot keep a column's extremes and ends. */
export const MIN_MAX_POINTS = 4;

/** Why maxPoints cannot be used, or null. */
export function refuseMaxPoints(maxPoints: number): string | null {
  if (!Number.isInteger(maxPoints) || maxPoints < MIN_MAX_POINTS) {
    return `maxPoints must be a whole number of at least ${MIN_MAX_POINTS} (each pixel column keeps its first, minimum, maximum and last point), got ${maxPoints}.`;
  }
  return null;
}

/**
 * The series reduced to at most maxPoints points over the columns of [from, to) (widened to hold
 * every point). Times must be ascending and unique, as every reader gives them. Throws RangeError
 * for a maxPoints that refuseMaxPoints refuses.
 */
export function reduceForDrawing(
  times: readonly number[],
  values: ReadonlyArray<number | null>,
  from: number,
  to: number,
  maxPoints: number,
): Series {
  const refusal = refuseMaxPoints(maxPoints);
  if (refusal) throw new RangeError(refusal);
  const n = times.length;
  if (n <= maxPoints) return { times: times.slice(), values: values.slice() };
  const columns = Math.floor(maxPoints / 4);
  // Points outside the window (none from the readers) go to the edge columns rather than away.
  const lo = Number.isFinite(from) ? Math.min(from, times[0]!) : times[0]!;
  const hi = Number.isFinite(to) ? Math.max(to, times[n - 1]! + 1) : times[n - 1]! + 1;
  const scale = columns / (hi - lo);
  const outTimes: number[] = [];
  const outValues: Array<number | null> = [];
  const keep = (i: number) => {
    outTimes.push(times[i]!);
    outValues.push(values[i]!);
  };

  let column = -1;
  let start = 0; // the column's first point, null or not
  let first = -1; // its first, minimum, maximum and last points with a value (-1: none yet)
  let min = -1;
  let max = -1;
  let last = -1;
  const flush = () => {
    if (first < 0) {
      // Only nulls: one null breaks the line, one per run of such columns.
      if (outValues.length === 0 || outValues[outValues.length - 1] !== null) {
        outTimes.push(times[start]!);
        outValues.push(null);
      }
      return;
    }
    // The four in time order (indices order times), each once.
    const a = Math.min(min, max);
    const b = Math.max(min, max);
    keep(first);
    if (a !== first) keep(a);
    if (b !== a && b !== first) keep(b);
    if (last !== b && last !== first) keep(last);
  };

  for (let i = 0; i < n; i++) {
    const c = Math.min(columns - 1, Math.floor((times[i]! - lo) * scale));
    if (c !== column) {
      if (column >= 0) flush();
      column = c;
      start = i;
      first = min = max = last = -1;
    }
    const v = values[i];
    if (v === null || v === undefined || v !== v) continue;
    if (first < 0) first = min = max = i;
    else if (v < values[min]!) min = i;
    else if (v > values[max]!) max = i;
    last = i;
  }
  flush();
  return { times: outTimes, values: outValues };
}
