// Latest values, shared by every request for a short time: a dashboard refreshed by many users,
// or a small "current value" query, is answered without an upstream call while the value is fresh.
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type { LatestValue } from '../shared/domain.js';
import type { SeriesKey, SeriesResult } from './series.js';

export class LatestCache {
  private readonly cache: LRUCache<string, { value: LatestValue | null }> | null;

  /** A TTL of 0 disables the cache (every request asks the upstream). */
  constructor(
    ttlMs: number,
    max = 100_000,
    /** Told how many look-ups of each batch were found and missed (metrics). */
    private readonly onLookup: (prefix: string, hits: number, misses: number) => void = () => undefined,
  ) {
    this.cache = ttlMs > 0 ? new LRUCache({ max, ttl: ttlMs }) : null;
  }

  /** A per-request loader that answers from the cache and sends only the misses to `inner`. */
  wrap(prefix: string, inner: DataLoader<string, LatestValue | null>, batch: boolean): DataLoader<string, LatestValue | null> {
    const cache = this.cache;
    if (!cache) return inner;
    return new DataLoader<string, LatestValue | null>(
      async (ids) => {
        const out: Array<LatestValue | null | Error> = new Array(ids.length);
        const misses: number[] = [];
        ids.forEach((id, i) => {
          const hit = cache.get(`${prefix}:${id}`);
          if (hit) out[i] = hit.value;
          else misses.push(i);
        });
        this.onLookup(prefix, ids.length - misses.length, misses.length);
        if (misses.length > 0) {
          const loaded = await inner.loadMany(misses.map((i) => ids[i]!));
          loaded.forEach((v, j) => {
            const i = misses[j]!;
            out[i] = v;
            // Errors are not cached: the next request asks again.
            if (!(v instanceof Error)) cache.set(`${prefix}:${ids[i]}`, { value: v });
          });
        }
        return out;
      },
      { batch },
    );
  }
}

/**
 * Latest values read off the plain series reads of the request where one covers the last
 * interval (no extra call); the others through `own` (one batched read of their own).
 */
export async function latestFromReads(
  ids: readonly string[],
  reads: PlainReads,
  series: DataLoader<SeriesKey, SeriesResult, string>,
  window: (sensor: string) => { key: SeriesKey; lastSlot: number },
): Promise<Array<LatestValue | null | Error>> {
  const out: Array<LatestValue | null | Error | undefined> = await Promise.all(
    ids.map(async (sensor) => {
      const { lastSlot } = window(sensor);
      const covering = reads.covering(sensor, lastSlot, lastSlot);
      if (!covering) return undefined;
      const r = await series.load(covering).catch((err: unknown) => err as Error);
      // A gap at the end: look further back with a read of its own.
      return r instanceof Error ? undefined : (lastValue(r) ?? undefined);
    }),
  );
  const rest = ids.map((id, i) => (out[i] === undefined ? i : -1)).filter((i) => i >= 0);
  if (rest.length > 0) {
    const loaded = await series.loadMany(rest.map((i) => window(ids[i]!).key));
    rest.forEach((i, j) => {
      const r = loaded[j]!;
      out[i] = r instanceof Error ? r : lastValue(r);
    });
  }
  return out as Array<LatestValue | null | Error>;
}

export function lastValue(r: SeriesResult): LatestValue | null {
  for (let i = r.values.length - 1; i >= 0; i--) {
    const v = r.values[i];
    if (v !== null && v !== undefined) return { time: r.times[i]!, value: v };
  }
  return null;
}

/**
 * The plain series reads (no resolution, horizon, kind, bucket or data state) one request has
 * asked, by sensor: a latest value can be read off one whose window reaches `sinceMs`, without
 * an upstream call of its own (FlexMeasures and BEMServer have no "latest" route).
 */
export class PlainReads {
  private readonly bySensor = new Map<string, SeriesKey>();

  /** Use as (part of) the series loader's cacheKeyFn: it sees every key asked. */
  note(k: SeriesKey): void {
    const plain =
      !k.resolutionMs && (k.horizonMs === undefined || k.horizonMs === null) && (!k.kind || k.kind === 'data') && !k.bucket && !k.dataState;
    if (!plain) return;
    const prev = this.bySensor.get(k.sensor);
    if (!prev || k.to > prev.to) this.bySensor.set(k.sensor, k);
  }

  /** A read of `sensor` whose window covers [sinceMs, untilMs]: its last value is the latest one. */
  covering(sensor: string, sinceMs: number, untilMs: number): SeriesKey | undefined {
    const k = this.bySensor.get(sensor);
    return k && k.from <= sinceMs && k.to >= untilMs ? k : undefined;
  }
}
