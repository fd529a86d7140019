// Meetnet as the schema sees it: the catalog (cached in process), and per-request loaders that
// batch every latest value into one currentData call and every series of one window into one
// getData call per 365-day chunk.
import DataLoader from 'dataloader';
import type { LatestValue } from '../../shared/domain.js';
import { CatalogLookups } from '../catalog-cache.js';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { Logger } from '../../logger.js';
import { Capabilities } from '../capabilities.js';
import { withMinMax } from '../../shared/extremes.js';
import { endBefore, isRawRead, loadByWindow, seriesCacheKey, type SeriesKey, type SeriesResult } from '../series.js';
import { counted, unreachableStatus, type LoaderOptions, type Upstream, type UpstreamLoaders, type UpstreamStatus } from '../upstream.js';
import type { MeetnetClient } from './client.js';
import { MEETNET, mergeSeries, type MeetnetCatalog } from './mapping.js';
import { MEETNET_MAX_SPAN_DAYS } from './wire.js';

const DAY_MS = 86_400_000;

export interface MeetnetAdapterOptions {
  client: MeetnetClient;
  logger: Logger;
  /** The service account's token provider. */
  tokens: TokenProvider;
  simulated: boolean;
  /** 0 disables the catalog cache (every use fetches it: the naive baseline of the benchmarks). */
  catalogTtlMs: number;
  /** What that TTL is measured on (tests); performance.now when absent. */
  catalogClock?: () => number;
  /** Longest span one getData call may cover. */
  maxSpanDays?: number;
}

/** Splits [from, to] into spans of at most `maxDays`; neighbours share their boundary instant. */
export function chunkWindow(from: number, to: number, maxDays: number): Array<[number, number]> {
  // The resolvers check windows; a non-finite one here would never end the loop below.
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(maxDays > 0)) throw new RangeError('chunkWindow needs a finite window');
  const span = maxDays * DAY_MS;
  const chunks: Array<[number, number]> = [];
  for (let start = from; ; start += span) {
    const end = Math.min(start + span, to);
    chunks.push([start, end]);
    if (end >= to) return chunks;
  }
}

export class MeetnetAdapter extends CatalogLookups<MeetnetCatalog> implements Upstream {
  readonly name = MEETNET;
  readonly label = 'Meetnet';
  readonly simulated: boolean;
  readonly tokens: TokenProvider;
  /** Meetnet has none of the optional capabilities: no connections, buckets, data states or statistics. */
  readonly capabilities = new Capabilities();
  private readonly maxSpanDays: number;

  constructor(private readonly options: MeetnetAdapterOptions) {
    super(options.catalogTtlMs, options.catalogClock);
    this.simulated = options.simulated;
    this.tokens = options.tokens;
    this.maxSpanDays = options.maxSpanDays ?? MEETNET_MAX_SPAN_DAYS;
  }

  protected loadCatalog(): Promise<MeetnetCatalog> {
    return this.options.client.catalog();
  }

  async status(): Promise<UpstreamStatus> {
    const started = performance.now();
    try {
      await this.options.client.ping();
      return {
        name: this.name,
        reachable: true,
        apiVersion: 'V2',
        latencyMs: Math.round(performance.now() - started),
        simulated: this.simulated,
        message: null,
      };
    } catch (err) {
      return unreachableStatus(this, err);
    }
  }

  validateSensorId(nativeId: string): string | null {
    // LocationParameterKey: location (3) + parameter (3), upper-case letters and digits (§1.1).
    return /^[0-9A-Z]{6}$/.test(nativeId)
      ? null
      : `a Meetnet sensor ID is six capitals or digits (location + parameter), e.g. meetnet:sensor:MP7WVC; got "${nativeId.slice(0, 40)}"`;
  }

  createLoaders(options: LoaderOptions = {}): UpstreamLoaders {
    const batch = options.batch ?? true;
    const client = this.options.client;
    return {
      latest: new DataLoader<string, LatestValue | null>(
        counted('latest', options, async (ids: readonly string[]) => {
          const values = await client.currentData([...ids], options.signal);
          // Series without a value at present are left out of the answer (§5.2): null, not an error.
          return ids.map((id) => values.get(id) ?? null);
        }),
        { batch },
      ),
      series: new DataLoader<SeriesKey, SeriesResult, string>(
        counted('series', options, (keys: readonly SeriesKey[]) => this.loadSeries(keys, options.signal)),
        {
          cacheKeyFn: seriesCacheKey,
          batch,
        },
      ),
      // Meetnet's series are measurements at instants, and a window's answer is its points (endBefore).
      seriesCuts: isRawRead,
    };
  }

  /** One getData call per window and 365-day chunk, all of that window's series in it. */
  private loadSeries(keys: readonly SeriesKey[], signal?: AbortSignal): Promise<Array<SeriesResult | Error>> {
    return loadByWindow(keys, async (w, ids) => {
      const chunks = await Promise.all(
        chunkWindow(w.from, w.to, this.maxSpanDays).map(([a, b]) => this.options.client.getData(ids, a, b, signal)),
      );
      const joined = new Map<string, SeriesResult>();
      for (const id of ids) {
        // Series missing from every chunk (e.g. not measured in this window) are empty, not errors.
        const parts = chunks.map((c) => c.get(id)).filter((p): p is SeriesResult => p !== undefined);
        // getData includes EndTime (§6.2, Bounds): the point at `to` is the next window's.
        joined.set(id, endBefore(parts.length === 1 ? parts[0]! : withMinMax(mergeSeries(parts)), w.to));
      }
      return joined;
    });
  }
}
