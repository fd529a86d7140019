// FlexMeasures as the schema sees it. The API generation is chosen once (GET /api: v3_0 when
// offered, v1_1 otherwise, or forced by configuration). v1_1 takes many connections per call;
// v3_0 reads one sensor per call, so there the loader dedupes and bounds the concurrency.
import DataLoader from 'dataloader';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { Logger } from '../../logger.js';
import type { Connection, LatestValue } from '../../shared/domain.js';
import { formatDurationFM } from '../../shared/durations.js';
import { ceilToZoneGrid, floorToZoneGrid } from '../../shared/time-zones.js';
import { badInput } from '../../shared/errors.js';
import pLimit, { type LimitFunction } from 'p-limit';
import { Buckets, Capabilities, Connections, type BucketRequest, type BucketSource, type ConnectionSource } from '../capabilities.js';
import { CatalogLookups } from '../catalog-cache.js';
import { latestFromReads, PlainReads } from '../latest-cache.js';
import { isRawRead, loadByWindow, seriesCacheKey, type SeriesKey, type SeriesOptions, type SeriesResult } from '../series.js';
import { counted, unreachableStatus, type LoaderOptions, type Upstream, type UpstreamLoaders, type UpstreamStatus } from '../upstream.js';
import { loadFmCatalog, pickGeneration, V1_DEFAULT_RESOLUTION_MS, type FlexMeasuresApiSetting, type FmCatalog } from './catalog.js';
import type { FlexMeasuresClient } from './client.js';
import { fm1Address, parseEntityAddress, V1_AUTHORITY } from './entity-address.js';
import { FLEXMEASURES } from './mapping.js';
import { FlexMeasuresWriter, FlexMeasuresWrites } from './writer.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Bucket units of one length whatever the zone. */
const FIXED_UNIT_MS: Partial<Record<string, number>> = { second: 1000, minute: MINUTE_MS, hour: 3_600_000 };

export interface FlexMeasuresAdapterOptions {
  client: FlexMeasuresClient;
  logger: Logger;
  /** The service account's token provider. */
  tokens: TokenProvider;
  simulated: boolean;
  catalogTtlMs: number;
  /** What that TTL is measured on (tests); performance.now when absent. */
  catalogClock?: () => number;
  apiVersion: FlexMeasuresApiSetting;
  /** Most v3_0 data calls in flight at once for one request. */
  concurrency: number;
  clock?: () => number;
}

export class FlexMeasuresAdapter extends CatalogLookups<FmCatalog> implements Upstream, ConnectionSource, BucketSource {
  readonly name = FLEXMEASURES;
  readonly label = 'FlexMeasures';
  readonly simulated: boolean;
  readonly tokens: TokenProvider;
  /** Grid connections, resampled reads, and writes (through this adapter's catalogue). */
  readonly capabilities: Capabilities;
  private readonly clock: () => number;

  constructor(private readonly options: FlexMeasuresAdapterOptions) {
    super(options.catalogTtlMs, options.catalogClock);
    this.simulated = options.simulated;
    this.tokens = options.tokens;
    this.clock = options.clock ?? Date.now;
    this.capabilities = new Capabilities()
      .with(Connections, this)
      .with(Buckets, this)
      .with(FlexMeasuresWrites, new FlexMeasuresWriter(options.client, this));
  }

  protected loadCatalog(): Promise<FmCatalog> {
    return loadFmCatalog(this.options.client, this.options.apiVersion);
  }

  async status(): Promise<UpstreamStatus> {
    const started = performance.now();
    try {
      const versions = await this.options.client.versions();
      const setting = this.options.apiVersion;
      const generation = setting !== 'auto' ? setting : pickGeneration(versions.versions, versions.flexmeasures_version ?? null);
      return {
        name: this.name,
        reachable: true,
        apiVersion: generation,
        latencyMs: Math.round(performance.now() - started),
        simulated: this.simulated,
        message: generation ? null : `offers neither v3_0 nor v1_1 (${versions.versions.join(', ')})`,
        serverVersion: versions.flexmeasures_version ?? null,
      };
    } catch (err) {
      return { ...unreachableStatus(this, err), serverVersion: null };
    }
  }

  async connections(): Promise<Connection[]> {
    return (await this.catalog()).connections;
  }

  /** Either address style names the same connection: `...:fm1.4`, `...:3:4`, `...:fm0.3:4` (§2.7). */
  async connection(id: string): Promise<Connection | null> {
    const address = id.slice('flexmeasures:connection:'.length);
    let sensorId: number | null;
    try {
      const parsed = parseEntityAddress(address);
      sensorId = parsed.kind === 'connection' ? parsed.sensorId : null;
    } catch (err) {
      throw badInput(`id: "${address.slice(0, 80)}" is not an entity address: ${err instanceof Error ? err.message : ''}`, {
        argument: 'id',
      });
    }
    return sensorId === null ? null : ((await this.catalog()).connectionBySensor.get(String(sensorId)) ?? null);
  }

  validateSensorId(nativeId: string): string | null {
    return /^\d{1,12}$/.test(nativeId)
      ? null
      : `a FlexMeasures sensor ID is a number, e.g. flexmeasures:sensor:4; got "${nativeId.slice(0, 40)}"`;
  }

  createLoaders(options: LoaderOptions = {}): UpstreamLoaders {
    const batch = options.batch ?? true;
    const limit = pLimit(this.options.concurrency);
    const reads = new PlainReads();
    const series = new DataLoader<SeriesKey, SeriesResult, string>(
      counted('series', options, (keys: readonly SeriesKey[]) => this.loadSeries(keys, limit, options.signal)),
      {
        cacheKeyFn: (k) => {
          reads.note(k);
          return seriesCacheKey(k);
        },
        batch,
      },
    );
    return {
      series,
      // v3_0 events start on the sensor's grid and a window is asked from its first grid instant
      // (v3Series), so its parts add up to it; v1_1 answers have no timestamps, their axis counts
      // from the window's start, and a part's axis would be another one. Only grids that start
      // again each local midnight: a day read from UTC midnight of a P1W or PT7M sensor starts off
      // its grid (all nulls, CONTRACT.md §4.4), and an instantaneous sensor (P0D) is sampled at a
      // step FlexMeasures picks from the window's length (a day: 15 minutes, 20 days: 24 hours, §4.4).
      seriesCuts: async (k) => {
        if (!isRawRead(k)) return false;
        const catalog = await this.catalog();
        const step = catalog.fm.get(k.sensor)?.resolutionMs ?? 0;
        return catalog.generation === 'v3_0' && step > 0 && DAY_MS % step === 0;
      },
      // FlexMeasures has no "latest" route: read off a series this request already reads where one
      // covers the last interval, else the last value of the past day, through the same loader.
      latest: new DataLoader<string, LatestValue | null>(
        counted('latest', options, async (ids: readonly string[]) => {
          const catalog = await this.catalog();
          const now = this.clock();
          return latestFromReads(ids, reads, series, (sensor) => {
            // Complete intervals only, on the sensor's grid: the current one has no measurement yet.
            const fm = catalog.fm.get(sensor);
            const step = fm && fm.resolutionMs > 0 ? fm.resolutionMs : MINUTE_MS;
            const to = floorToZoneGrid(now, step, fm?.sensor.timezone);
            return { key: { sensor, from: to - Math.ceil(DAY_MS / step) * step, to }, lastSlot: to - step };
          });
        }),
        { batch },
      ),
    };
  }

  alwaysComputes(): boolean {
    return false; // only on windows on the sensor's grid (upstreamBuckets)
  }

  async upstreamBuckets({ sensor, from, to, bucket, timeZone }: BucketRequest): Promise<SeriesOptions | null> {
    // A coarser `resolution` averages the events that start in each slot, counted from `start`, and
    // leaves a slot the window's end cuts short null (CONTRACT.md §10): that is the gateway's MEAN
    // bucket only for fixed widths, multiples of the sensor's, dividing a day, on a window that
    // starts and ends on the bucket grid of both the asked zone and the sensor's. v3_0 only.
    const width = FIXED_UNIT_MS[bucket.widthUnit];
    const step = (sensor.intervalMinutes ?? 0) * MINUTE_MS;
    if (bucket.aggregation !== 'mean' || !width || step <= 0) return null;
    const ms = width * bucket.widthValue;
    if (ms <= step || ms % step !== 0 || DAY_MS % ms !== 0) return null;
    const onGrid = (t: number) => floorToZoneGrid(t, ms, timeZone) === t && floorToZoneGrid(t, ms, sensor.timezone) === t;
    if (!onGrid(from) || !onGrid(to)) return null;
    return (await this.catalog()).generation === 'v3_0' ? { resolutionMs: ms } : null;
  }

  private async loadSeries(keys: readonly SeriesKey[], limit: LimitFunction, signal?: AbortSignal): Promise<Array<SeriesResult | Error>> {
    const catalog = await this.catalog();
    if (catalog.generation === 'v3_0') {
      // One call per sensor and window (DataLoader already removed duplicates), at most `concurrency` at once.
      return Promise.all(keys.map((k) => limit(() => this.v3Series(catalog, k, signal)).catch((err: unknown) => asError(err))));
    }
    // v1_1: one call per window and options, all connections in it.
    return loadByWindow(
      keys,
      async (_window, _ids, group) => new Map([...(await this.v1Series(catalog, group, signal))].map(([id, s]) => [String(id), s])),
      (s, k) => onRegularAxis(s, k.from, k.to, k.resolutionMs ?? V1_DEFAULT_RESOLUTION_MS),
    );
  }

  private async v3Series(catalog: FmCatalog, k: SeriesKey, signal?: AbortSignal): Promise<SeriesResult> {
    const fm = catalog.fm.get(k.sensor);
    const step = fm && fm.resolutionMs > 0 ? fm.resolutionMs : null;
    const resolutionMs = k.resolutionMs ?? step;
    // FlexMeasures lines its answer up from `start` exactly, and events start only on the sensor's
    // grid: a start off the grid (12:07 on 15 minutes) gets nothing but nulls (FlexMeasures 1.0.1,
    // CONTRACT.md §10). Ask from the first instant of the grid in the window: the grid of the
    // resolution asked for when it is a multiple of the sensor's (hours from the hour), else the
    // sensor's, counted from local midnight in the sensor's time zone (daily events at local midnight).
    const grid = step && resolutionMs && resolutionMs % step === 0 ? resolutionMs : step;
    const from = grid ? ceilToZoneGrid(k.from, grid, fm?.sensor.timezone) : k.from;
    if (from >= k.to) return { times: [], values: [], min: null, max: null };
    // FlexMeasures windows are [start, start + duration): an empty one is widened to one interval,
    // and the duration rounded up to whole minutes, which is all FlexMeasures takes (a window ending
    // at 12:34:56.789 is a 422 otherwise; found against FlexMeasures 1.0.1).
    const duration = Math.ceil(Math.max(k.to - from, resolutionMs ?? MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
    const data = await this.options.client.sensorData(
      k.sensor,
      {
        start: new Date(from).toISOString(),
        duration: formatDurationFM(duration),
        unit: fm?.unit ?? '',
        ...(k.resolutionMs ? { resolution: formatDurationFM(k.resolutionMs) } : {}),
        ...(k.horizonMs !== undefined && k.horizonMs !== null ? { horizon: formatDurationFM(k.horizonMs) } : {}),
        ...(k.kind === 'meter'
          ? { type: 'GetMeterDataRequest' as const }
          : k.kind === 'prognosis'
            ? { type: 'GetPrognosisRequest' as const }
            : {}),
      },
      from,
      signal,
    );
    return { times: data.times, values: data.values, min: data.min, max: data.max };
  }

  private async v1Series(catalog: FmCatalog, keys: SeriesKey[], signal?: AbortSignal): Promise<Map<number, SeriesResult>> {
    const k = keys[0]!;
    const resolutionMs = k.resolutionMs ?? V1_DEFAULT_RESOLUTION_MS;
    const connections = [...new Set(keys.map((key) => key.sensor))].map(
      (id) => catalog.connectionBySensor.get(id)?.entityAddress ?? fm1Address(V1_AUTHORITY, Number(id)),
    );
    return this.options.client.v1Series(
      k.kind === 'prognosis' ? 'prognosis' : 'meter',
      {
        connections,
        start: new Date(k.from).toISOString(),
        duration: formatDurationFM(Math.max(k.to - k.from, resolutionMs)),
        // Always name the resolution: v1_1 answers carry no timestamps, so the axis must be known.
        resolution: formatDurationFM(resolutionMs),
        ...(k.horizonMs !== undefined && k.horizonMs !== null ? { horizon: formatDurationFM(k.horizonMs) } : {}),
      },
      catalog.idByName,
      k.from,
      resolutionMs,
      signal,
    );
  }
}

/**
 * v1_1 leaves missing intervals out instead of sending nulls (§3.5 quirk 3): its values run from the
 * start without gaps, so a short answer is completed with nulls up to the window's end. (Where the
 * server left out an interval in the middle, it cannot say which; the common case, a window reaching
 * past the last measurement, is exact.)
 */
function onRegularAxis(r: SeriesResult | undefined, from: number, to: number, resolutionMs: number): SeriesResult {
  const n = Math.max(1, Math.ceil((to - from) / resolutionMs));
  const have = r?.values.length ?? 0;
  if (r && have >= n) return have === n ? r : { ...r, times: r.times.slice(0, n), values: r.values.slice(0, n) };
  const times = new Array<number>(n);
  const values = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    times[i] = from + i * resolutionMs;
    values[i] = i < have ? r!.values[i]! : null;
  }
  return { times, values, min: r?.min ?? null, max: r?.max ?? null };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
