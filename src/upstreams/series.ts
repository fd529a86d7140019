// Series reads as every upstream takes them: the key of one read (a sensor, a window and what else
// the read asks), the result, and the batching rule "reads that share a window share a call".
import type { Aggregation, BucketSpec } from '../series/buckets.js';
import type { SeriesData } from '../shared/domain.js';
import { withMinMax } from '../shared/extremes.js';

/** What a series read may ask beyond the window (resolution, belief horizon, data kind, data state, buckets). */
export interface SeriesOptions {
  /** Resample to this resolution (ms); the sensor's own when absent. */
  resolutionMs?: number | null;
  /** Only beliefs formed at least this long before the event (prognoses). */
  horizonMs?: number | null;
  /** Measured data, prognoses, or whatever the upstream has (default). */
  kind?: 'data' | 'meter' | 'prognosis';
  /** Data state by name (e.g. Raw, Clean); the upstream's default when absent. */
  dataState?: string | null;
  /** Aggregate into buckets: each value is a bucket, labelled by its start. */
  bucket?: SeriesBucket | null;
  /** IANA zone whose local midnight starts calendar buckets (days, weeks, months, years); UTC when absent. */
  timeZone?: string | null;
}

/** Buckets as src/series/buckets.ts makes them, which upstreams that aggregate are asked for too. */
export type SeriesBucket = BucketSpec;
export type BucketAggregation = Aggregation;

/** Summary of a whole series, where the upstream computes it. */
export interface SeriesStats {
  firstTime: number | null;
  lastTime: number | null;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  stddev: number | null;
}

export interface SeriesKey extends SeriesOptions {
  /** Native sensor ID, e.g. 'MP7WVC'. */
  sensor: string;
  from: number;
  to: number;
}

export interface SeriesResult extends SeriesData {
  min: number | null;
  max: number | null;
}

/** A read of the points as stored: no buckets, no resampling. */
export const isRawRead = (k: SeriesOptions): boolean => !k.bucket && !k.resolutionMs;

export const seriesCacheKey = (k: SeriesKey): string => `${k.sensor}|${windowKey(k)}`;

/** Everything of a series read but the sensor: reads with the same window key can share an upstream call. */
export const windowKey = (k: SeriesKey): string =>
  `${k.from}|${k.to}|${k.resolutionMs ?? ''}|${k.horizonMs ?? ''}|${k.kind ?? ''}|${k.dataState ?? ''}|` +
  (k.bucket ? `${k.bucket.widthValue}${k.bucket.widthUnit}:${k.bucket.aggregation}|${k.timeZone ?? 'UTC'}` : '');

/**
 * The series without its points at or after `to`: the gateway's windows are half-open, [from, to),
 * for upstreams that answer with both ends included (min and max follow what is left).
 */
export function endBefore(series: SeriesResult, to: number): SeriesResult {
  const { times } = series;
  let n = times.length;
  while (n > 0 && times[n - 1]! >= to) n--;
  return n === times.length ? series : withMinMax({ times: times.slice(0, n), values: series.values.slice(0, n) });
}

const emptySeries = (): SeriesResult => ({ times: [], values: [], min: null, max: null });

/**
 * Reads that share a window (windowKey) are answered by one upstream call for all their sensors.
 * `load` gets the window (its first key: they all share it), its distinct native sensor IDs and all
 * its keys, and answers series by sensor ID; `finish` shapes each key's series (default: as answered, empty when left out). A failed
 * call is the error of each of its keys, and only of those.
 */
export async function loadByWindow(
  keys: readonly SeriesKey[],
  load: (window: SeriesKey, sensors: string[], group: SeriesKey[]) => Promise<Map<string, SeriesResult>>,
  finish: (series: SeriesResult | undefined, key: SeriesKey) => SeriesResult = (s) => s ?? emptySeries(),
): Promise<Array<SeriesResult | Error>> {
  const groups = new Map<string, SeriesKey[]>();
  for (const k of keys) {
    const g = windowKey(k);
    const group = groups.get(g);
    if (group) group.push(k);
    else groups.set(g, [k]);
  }
  const answers = new Map<string, Map<string, SeriesResult> | Error>();
  await Promise.all(
    [...groups].map(async ([g, group]) => {
      try {
        answers.set(g, await load(group[0]!, [...new Set(group.map((k) => k.sensor))], group));
      } catch (err) {
        answers.set(g, err instanceof Error ? err : new Error(String(err)));
      }
    }),
  );
  return keys.map((k) => {
    const a = answers.get(windowKey(k))!;
    return a instanceof Error ? a : finish(a.get(k.sensor), k);
  });
}
