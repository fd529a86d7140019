// BEMServer as the schema sees it: the building hierarchy as Locations, timeseries as Sensors,
// timeseries properties as Parameters. Series of one window are read for many timeseries in one
// call (split only where the URL would grow too long); statistics likewise.
import DataLoader from 'dataloader';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { Logger } from '../../logger.js';
import type { LatestValue, WriteOutcome } from '../../shared/domain.js';
import { badInput } from '../../shared/errors.js';
import {
  Buckets,
  Capabilities,
  Capability,
  DataStates,
  Statistics,
  type BucketRequest,
  type BucketSource,
  type DataStateSource,
  type StatisticsSource,
} from '../capabilities.js';
import { CatalogLookups, type CatalogIndex } from '../catalog-cache.js';
import { latestFromReads, PlainReads } from '../latest-cache.js';
import {
  isRawRead,
  loadByWindow,
  seriesCacheKey,
  type BucketAggregation,
  type SeriesBucket,
  type SeriesKey,
  type SeriesOptions,
  type SeriesResult,
  type SeriesStats,
} from '../series.js';
import { counted, unreachableStatus, type LoaderOptions, type Upstream, type UpstreamLoaders, type UpstreamStatus } from '../upstream.js';
import type { BemServerClient } from './client.js';
import {
  BEMSERVER,
  attachmentOf,
  campaignTimezones,
  mapLocations,
  mapParameters,
  mapTimeseriesList,
  propertyDataByTimeseries,
  toDataJson,
  type BemServerSensor,
} from './mapping.js';
import { bemServerTimeZone } from './timezones.js';
import type { Aggregation, DataStateJson } from './wire.js';

const DAY_MS = 86_400_000;
/** The aggregations /aggregate computes, by their names there (§7.5). */
const WIRE_AGGREGATION: Partial<Record<BucketAggregation, Aggregation>> = {
  mean: 'avg',
  sum: 'sum',
  min: 'min',
  max: 'max',
  count: 'count',
};
/** The data state read when the caller names none: BEMServer's first, `Raw` (§6.1). */
const DEFAULT_DATA_STATE = 'Raw';
/** Most points one write may carry. */
export const MAX_WRITE_POINTS = 100_000;

/** Points of one timeseries to write, at their own instants. */
export interface TimeseriesWrite {
  /** Global ID of the timeseries (a Sensor). */
  sensorId: string;
  /** Data state by name, e.g. Raw (the default). */
  dataState: string | null;
  times: number[];
  values: Array<number | null>;
}

export interface TimeseriesWriter {
  writeTimeseries(request: TimeseriesWrite): Promise<WriteOutcome>;
}

/** The capability: points written to a timeseries, first write wins (BEMServer). */
export const TimeseriesWrites = new Capability<TimeseriesWriter>('timeseries writes');

export interface BemServerAdapterOptions {
  client: BemServerClient;
  logger: Logger;
  /** The service account's token provider. */
  tokens: TokenProvider;
  simulated: boolean;
  catalogTtlMs: number;
  /** What that TTL is measured on (tests); performance.now when absent. */
  catalogClock?: () => number;
  clock?: () => number;
}

interface BemCatalog extends CatalogIndex<BemServerSensor> {
  dataStates: Map<string, number>; // name → id
  dataStateNames: string[];
  /** `bemserver_api` version from /about/, reported with writes. */
  apiVersion: string;
}

function dataStateRows(body: unknown): DataStateJson[] {
  if (!Array.isArray(body)) throw new Error('timeseries_data_states is not an array');
  return body.map((row, i) => {
    const r = row as Partial<DataStateJson>;
    if (typeof r?.id !== 'number' || typeof r.name !== 'string') throw new Error(`timeseries_data_states[${i}] has no id and name`);
    return { id: r.id, name: r.name };
  });
}

/** The campaigns' ids (a row without a numeric id fails in mapLocations, which says which). */
const campaignIds = (campaigns: unknown[]): number[] =>
  campaigns.map((c) => (c as { id?: unknown })?.id).filter((id): id is number => typeof id === 'number');

const asArray = (body: unknown): unknown[] => {
  if (!Array.isArray(body)) throw new Error('the list is not an array');
  return body;
};

export class BemServerAdapter
  extends CatalogLookups<BemCatalog>
  implements Upstream, StatisticsSource, DataStateSource, BucketSource, TimeseriesWriter
{
  readonly name = BEMSERVER;
  readonly label = 'BEMServer';
  readonly simulated: boolean;
  readonly tokens: TokenProvider;
  readonly capabilities = new Capabilities().with(Statistics, this).with(DataStates, this).with(Buckets, this).with(TimeseriesWrites, this);
  private readonly clock: () => number;

  constructor(private readonly options: BemServerAdapterOptions) {
    super(options.catalogTtlMs, options.catalogClock);
    this.simulated = options.simulated;
    this.tokens = options.tokens;
    this.clock = options.clock ?? Date.now;
  }

  /** The whole structure at once: the non-paginated lists in one go, the paginated ones walked (§4). */
  protected async loadCatalog(): Promise<BemCatalog> {
    const c = this.options.client;
    const [about, campaigns, sites, buildings, storeys, spaces, zones, properties, propertyData, states] = await Promise.all([
      c.about(),
      c.list('campaigns', '/campaigns/', asArray),
      c.list('sites', '/sites/', asArray),
      c.list('buildings', '/buildings/', asArray),
      c.list('storeys', '/storeys/', asArray),
      c.list('spaces', '/spaces/', asArray),
      c.list('zones', '/zones/', asArray),
      c.list('timeseries_properties', '/timeseries_properties/', asArray),
      c.list('timeseries_property_data', '/timeseries_property_data/', asArray),
      c.list('timeseries_data_states', '/timeseries_data_states/', dataStateRows),
    ]);
    const [timeseries, bySites, byBuildings, byStoreys, bySpaces, byZones] = await Promise.all([
      // Per campaign: names are unique only within one, and `sort=name` is the only order the server
      // takes, so across campaigns tied names could trade places between two pages (§4 quirk 5).
      Promise.all(campaignIds(campaigns).map((id) => c.walk('timeseries', '/timeseries/', asArray, { campaign_id: String(id) }))).then(
        (l) => l.flat(),
      ),
      c.walk('timeseries_by_sites', '/timeseries_by_sites/', asArray),
      c.walk('timeseries_by_buildings', '/timeseries_by_buildings/', asArray),
      c.walk('timeseries_by_storeys', '/timeseries_by_storeys/', asArray),
      c.walk('timeseries_by_spaces', '/timeseries_by_spaces/', asArray),
      c.walk('timeseries_by_zones', '/timeseries_by_zones/', asArray),
    ]);
    const locations = mapLocations({ campaigns, sites, buildings, storeys, spaces, zones });
    const parameters = mapParameters(properties);
    const sensors = mapTimeseriesList(timeseries, {
      attachment: attachmentOf({ sites: bySites, buildings: byBuildings, storeys: byStoreys, spaces: bySpaces, zones: byZones }),
      properties: propertyDataByTimeseries(propertyData),
      propertyNames: new Map(parameters.map((p) => [Number(p.nativeId), p.code])),
      campaignTimezones: campaignTimezones(campaigns),
    });
    return {
      locations,
      parameters,
      sensors,
      locationById: new Map(locations.map((l) => [l.id, l])),
      parameterById: new Map(parameters.map((p) => [p.id, p])),
      sensorById: new Map(sensors.map((s) => [s.id, s])),
      dataStates: new Map(states.map((s) => [s.name, s.id])),
      dataStateNames: states.map((s) => s.name),
      apiVersion: about.versions.bemserver_api,
    };
  }

  async status(): Promise<UpstreamStatus> {
    const started = performance.now();
    try {
      const about = await this.options.client.about();
      return {
        name: this.name,
        reachable: true,
        apiVersion: about.versions.bemserver_api,
        latencyMs: Math.round(performance.now() - started),
        simulated: this.simulated,
        message: null,
        serverVersion: about.versions.bemserver_core,
      };
    } catch (err) {
      return { ...unreachableStatus(this, err), serverVersion: null };
    }
  }

  validateSensorId(nativeId: string): string | null {
    return /^\d{1,12}$/.test(nativeId)
      ? null
      : `a BEMServer timeseries ID is a number, e.g. bemserver:sensor:12; got "${nativeId.slice(0, 40)}"`;
  }

  async dataStates(): Promise<string[]> {
    return (await this.catalog()).dataStateNames;
  }

  /** A data state name → its id; unknown names are the caller's to fix. */
  private dataStateId(catalog: BemCatalog, name: string | null | undefined): number {
    const wanted = name ?? DEFAULT_DATA_STATE;
    const id = catalog.dataStates.get(wanted) ?? (name ? undefined : catalog.dataStates.values().next().value);
    if (id === undefined) {
      throw badInput(`dataState: BEMServer has no data state "${wanted.slice(0, 40)}" (it has ${catalog.dataStateNames.join(', ')})`, {
        argument: 'dataState',
      });
    }
    return id;
  }

  createLoaders(options: LoaderOptions = {}): UpstreamLoaders {
    const batch = options.batch ?? true;
    const reads = new PlainReads();
    const series = new DataLoader<SeriesKey, SeriesResult, string>(
      counted('series', options, (keys: readonly SeriesKey[]) => this.loadSeries(keys, options.signal)),
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
      // Raw timeseries data are instants in [start_time, end_time); aggregates depend on the window.
      seriesCuts: isRawRead,
      // Read off a series this request already reads where one reaches the last interval; else the
      // last value of the past day, for every other asked sensor in one data call.
      latest: new DataLoader<string, LatestValue | null>(
        counted('latest', options, async (ids: readonly string[]) => {
          const catalog = await this.catalog(); // first: its answers tell the server's clock
          const to = this.clock();
          return latestFromReads(ids, reads, series, (sensor) => {
            const minutes = catalog.sensorById.get(`bemserver:sensor:${sensor}`)?.intervalMinutes ?? 10;
            return { key: { sensor, from: to - DAY_MS, to }, lastSlot: to - minutes * 60_000 };
          });
        }),
        { batch },
      ),
    };
  }

  /** Statistics of the default data state, for every asked timeseries in one call (split only by URL length, §7.6). */
  createStatsLoader({ batch, signal }: { batch: boolean; signal?: AbortSignal }): DataLoader<string, SeriesStats | null> {
    return new DataLoader<string, SeriesStats | null>(
      async (ids) => {
        const catalog = await this.catalog();
        const stats = await this.options.client.stats([...ids], this.dataStateId(catalog, null), signal);
        return ids.map((id) => {
          const s = stats.get(id);
          return s
            ? {
                firstTime: s.firstTimestamp,
                lastTime: s.lastTimestamp,
                count: s.count,
                min: s.min,
                max: s.max,
                avg: s.avg,
                stddev: s.stddev,
              }
            : null;
        });
      },
      { batch },
    );
  }

  async upstreamBuckets({ bucket, timeZone }: BucketRequest): Promise<SeriesOptions | null> {
    const zone = bemServerTimeZone(timeZone);
    return zone !== null && this.makesBuckets(bucket) ? { bucket, timeZone: zone } : null;
  }

  alwaysComputes(bucket: SeriesBucket, timeZone: string): boolean {
    // The server takes only the zones of its fixed list (§7.2 quirk 1); others the gateway makes.
    return bemServerTimeZone(timeZone) !== null && this.makesBuckets(bucket);
  }

  private makesBuckets(bucket: SeriesBucket): boolean {
    // /aggregate has no first or last, and with widths over 1 it re-aggregates per single unit
    // (§7.5 item 6): the mean of means, 0 for an empty sum between data, and (the real server) a
    // grid from the local midnight of the first day with data. Width 1 is exactly the gateway's.
    return WIRE_AGGREGATION[bucket.aggregation] !== undefined && bucket.widthValue === 1;
  }

  /** One data call per window, data state and bucketing, for all its timeseries (§7.2, §7.5). */
  private async loadSeries(keys: readonly SeriesKey[], signal?: AbortSignal): Promise<Array<SeriesResult | Error>> {
    const catalog = await this.catalog();
    return loadByWindow(keys, (w, ids) => {
      const window = {
        startMs: w.from,
        // end_time is excluded (§7.2), as `to` is from the gateway's windows.
        endMs: w.to,
        timeZone: w.timeZone ?? 'UTC',
        dataStateId: this.dataStateId(catalog, w.dataState),
      };
      const bucket = w.bucket ? { ...w.bucket, aggregation: WIRE_AGGREGATION[w.bucket.aggregation]! } : null;
      return this.options.client.data(ids, window, bucket, signal);
    });
  }

  /** `POST /timeseries_data/` (JSON): points are kept as sent; existing points are not overwritten (§7.7). */
  async writeTimeseries(request: TimeseriesWrite): Promise<WriteOutcome> {
    const nativeId = request.sensorId.split(':')[2] ?? '';
    const catalog = await this.catalog();
    if (!catalog.sensorById.has(request.sensorId)) {
      throw badInput(`sensorId: there is no sensor "${request.sensorId}" (list them with the sensors query)`, { argument: 'sensorId' });
    }
    if (request.times.length === 0) throw badInput('points: send at least one point', { argument: 'points' });
    if (request.times.length > MAX_WRITE_POINTS) {
      throw badInput(`points: at most ${MAX_WRITE_POINTS} points per write (got ${request.times.length}); split the write`, {
        argument: 'points',
      });
    }
    let body: ReturnType<typeof toDataJson>;
    try {
      body = toDataJson(nativeId, request.times, request.values);
    } catch (err) {
      // Two points at one instant, or a time that is not one: the caller's to fix.
      throw badInput(`points: ${err instanceof Error ? err.message : String(err)}`, { argument: 'points' });
    }
    const sent = Object.keys(body[nativeId] ?? {}).length;
    await this.options.client.postData(body, this.dataStateId(catalog, request.dataState));
    return {
      status: 'PROCESSED',
      message: `BEMServer stored the points it did not have yet (${sent} sent; points already there are kept, not overwritten).`,
      sensorId: request.sensorId,
      valuesSent: sent,
      upsampledBy: 1,
      apiVersion: catalog.apiVersion,
    };
  }
}
