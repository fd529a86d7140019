// A series as a client asks for it, from the series an upstream answered: buckets the upstream did
// not compute, a unit of the client's, and at most so many points for drawing. Pure: no GraphQL,
// no upstream.
import { withMinMax, type SeriesWithExtremes } from '../shared/extremes.js';
import { aggregate, type BucketSpec } from './buckets.js';
import { reduceForDrawing } from './reduce.js';

export interface Shaping {
  from: number;
  to: number;
  /** Buckets the gateway computes (null: as the upstream answered, its own buckets included). */
  bucket: BucketSpec | null;
  timeZone: string;
  /** Into the client's unit, before any bucket; every conversion is increasing (a scale and an offset). */
  convert: ((v: number) => number) | null;
  maxPoints: number | null;
}

export function shapeSeries(series: SeriesWithExtremes, s: Shaping): SeriesWithExtremes {
  let out = series;
  // Converted before the gateway's buckets: a sum of °F is not the sum of °C, converted. Counts
  // have no unit (the read refuses one).
  if (s.convert) {
    const f = s.convert;
    const values = out.values.map((v) => (v === null ? null : f(v)));
    out = { times: out.times, values, min: out.min === null ? null : f(out.min), max: out.max === null ? null : f(out.max) };
  }
  if (s.bucket) out = withMinMax(aggregate(out.times, out.values, s.from, s.to, s.bucket, s.timeZone));
  if (s.maxPoints !== null && out.times.length > s.maxPoints) {
    // The window's min and max stay those of the whole series: M4 keeps them among its points.
    out = { ...reduceForDrawing(out.times, out.values, s.from, s.to, s.maxPoints), min: out.min, max: out.max };
  }
  return out;
}
