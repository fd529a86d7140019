import type { SeriesData } from './domain.js';

/** A series with the smallest and largest of its values (null when it has none). */
export interface SeriesWithExtremes extends SeriesData {
  min: number | null;
  max: number | null;
}

/** The series with its min and max computed from its values. */
export function withMinMax(data: SeriesData): SeriesWithExtremes {
  let min: number | null = null;
  let max: number | null = null;
  for (const v of data.values) {
    if (v === null) continue;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { times: data.times, values: data.values, min, max };
}
