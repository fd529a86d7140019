// FlexMeasures as the schema sees it. The API generation is chosen once (GET /api: v3_0 when
// offered, v1_1 otherwise, or forced by configuration). v1_1 takes many connections per call;
// v3_0 reads one sensor per call, so there the loader dedupes and bounds the concurrency.
import DataLoader from 'dataloader';
import { UpstreamName, type Connection, type LatestValue, type Location, type Parameter, type Sensor } from '../../shared/domain.js';
import type { FlexMeasuresApiSetting } from '../../config.js';
import { badInput, ErrorCode, GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { CatalogLookups } from '../catalog-cache.js';
import { latestFromReads, PlainReads } from '../latest-cache.js';
import { createLimit } from '../../shared/limit.js';
import {
  seriesCacheKey,
  type SeriesKey,
  type SeriesResult,
  type UpstreamAdapter,
  type LoaderOptions,
  type UpstreamLoaders,
  type UpstreamStatus,
  loadByWindow,
  unreachableStatus,
  type WriteOutcome,
  type WriteRequest,
} from '../types.js';
import type { FlexMeasuresClient } from './client.js';
import { formatDurationFM } from '../../shared/durations.js';
import { fm1Address, parseEntityAddress } from './entity-address.js';
import { fmId, parametersOf, type FmSensor } from './mapping.js';
import type { ApiVersion, V1PostRequest } from './wire.js';
import { horizonFor, prepareWrite } from './writes.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** v1_1 getConnection does not give resolutions; FlexMeasures power sensors are 15-minute by default. */
const V1_DEFAULT_RESOLUTION_MS = 15 * 60_000;
/** Authority written into addresses the gateway makes up for v1_1 (the server never checks it, §2.7). */
const V1_AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';

export interface FlexMeasuresAdapterOptions {
  client: FlexMeasuresClient;
  logger: Logger;
  simulated: boolean;
  catalogTtlMs: number;
  apiVersion: FlexMeasuresApiSetting;
  /** Most v3_0 data calls in flight at once for one request. */
  concurrency: number;
  clock?: () => number;
}

interface FmCatalog {
  generation: ApiVersion;
  serverVersion: string | null;
  sensors: Sensor[];
  fm: Map<string, FmSensor>; // by native sensor id
  locations: Location[];
  parameters: Parameter[];
  connections: Connection[];
  sensorById: Map<string, Sensor>;
  locationById: Map<string, Location>;
  parameterById: Map<string, Parameter>;
  connectionBySensor: Map<string, Connection>; // by native sensor id
  /** v1_1 answers name series by sensor name (§3.5). */
  idByName: Map<string, number>;
}

export class FlexMeasuresAdapter extends CatalogLookups<FmCatalog> implements UpstreamAdapter {
  readonly name = UpstreamName.FLEXMEASURES;
  readonly simulated: boolean;
  private readonly clock: () => number;

  constructor(private readonly options: FlexMeasuresAdapterOptions) {
    super(options.catalogTtlMs);
    this.simulated = options.simulated;
    this.clock = options.clock ?? Date.now;
  }

  /** The API generation: forced by configuration, else v3_0 when `GET /api` offers it, else v1_1. */
  private async chooseGeneration(): Promise<{ generation: ApiVersion; serverVersion: string | null }> {
    const setting = this.options.apiVersion;
    const versions = await this.options.client.versions().catch((err: unknown) => {
      if (setting !== 'auto') return null; // forced: the listing is only informative
      throw err;
    });
    const serverVersion = versions?.flexmeasures_version ?? null;
    if (setting !== 'auto') return { generation: setting, serverVersion };
    const generation = pickGeneration(versions!.versions, serverVersion);
    if (generation) return { generation, serverVersion };
    throw new GatewayError(
      ErrorCode.UPSTREAM_BAD_RESPONSE,
      `FlexMeasures offers neither v3_0 nor v1_1 (it offers ${versions!.versions.join(', ') || 'nothing'})`,
      { upstream: this.name },
    );
  }

  protected async loadCatalog(): Promise<FmCatalog> {
    const { generation, serverVersion } = await this.chooseGeneration();
    const client = this.options.client;
    let fmSensors: FmSensor[];
    let locations: Location[] = [];
    let connections: Connection[];
    if (generation === 'v3_0') {
      [fmSensors, locations] = await Promise.all([client.sensors(), client.assets()]);
      // Power sensors are the grid connections; their fm1 address names them.
      connections = fmSensors
        .filter((s) => s.quantity === 'power')
        .map((s) => connectionOf(s.sensor.nativeId, s.sensor.entityAddress ?? fm1Address(V1_AUTHORITY, Number(s.sensor.nativeId)), s.name));
    } else {
      const listed = await client.getConnection();
      fmSensors = listed.map((c) => v1Sensor(c.sensorId, c.name, c.entityAddress));
      connections = listed.map((c) => connectionOf(String(c.sensorId), c.entityAddress, c.name));
    }
    const sensors = fmSensors.map((s) => s.sensor);
    const parameters = parametersOf(fmSensors);
    return {
      generation,
      serverVersion,
      sensors,
      fm: new Map(fmSensors.map((s) => [s.sensor.nativeId, s])),
      locations,
      parameters,
      connections,
      sensorById: new Map(sensors.map((s) => [s.id, s])),
      locationById: new Map(locations.map((l) => [l.id, l])),
      parameterById: new Map(parameters.map((p) => [p.id, p])),
      connectionBySensor: new Map(connections.map((c) => [c.sensorId.split(':')[2]!, c])),
      idByName: new Map(fmSensors.map((s) => [s.name, Number(s.sensor.nativeId)])),
    };
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
      return { ...unreachableStatus(this, err, 'FlexMeasures'), serverVersion: null };
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
    const limit = createLimit(this.options.concurrency);
    const reads = new PlainReads();
    const series = new DataLoader<SeriesKey, SeriesResult, string>((keys) => this.loadSeries(keys, limit), {
      cacheKeyFn: (k) => {
        reads.note(k);
        return seriesCacheKey(k);
      },
      batch,
    });
    return {
      series,
      // FlexMeasures has no "latest" route: read off a series this request already reads where one
      // covers the last interval, else the last value of the past day, through the same loader.
      latest: new DataLoader<string, LatestValue | null>(
        async (ids) => {
          const catalog = await this.catalog();
          const now = this.clock();
          return latestFromReads(ids, reads, series, (sensor) => {
            // Complete intervals only, on the sensor's grid: the current one has no measurement yet.
            const fm = catalog.fm.get(sensor);
            const step = fm && fm.resolutionMs > 0 ? fm.resolutionMs : 60_000;
            const to = Math.floor(now / step) * step;
            return { key: { sensor, from: to - Math.ceil(DAY_MS / step) * step, to }, lastSlot: to - step };
          });
        },
        { batch },
      ),
    };
  }

  private async loadSeries(keys: readonly SeriesKey[], limit: ReturnType<typeof createLimit>): Promise<Array<SeriesResult | Error>> {
    const catalog = await this.catalog();
    if (catalog.generation === 'v3_0') {
      // One call per sensor and window (DataLoader already removed duplicates), at most `concurrency` at once.
      return Promise.all(keys.map((k) => limit(() => this.v3Series(catalog, k)).catch((err: unknown) => asError(err))));
    }
    // v1_1: one call per window and options, all connections in it.
    return loadByWindow(
      keys,
      async (_window, _ids, group) => new Map([...(await this.v1Series(catalog, group))].map(([id, s]) => [String(id), s])),
      (s, k) => onRegularAxis(s, k.from, k.to, k.resolutionMs ?? V1_DEFAULT_RESOLUTION_MS),
    );
  }

  private async v3Series(catalog: FmCatalog, k: SeriesKey): Promise<SeriesResult> {
    const fm = catalog.fm.get(k.sensor);
    const resolutionMs = k.resolutionMs ?? (fm && fm.resolutionMs > 0 ? fm.resolutionMs : null);
    // FlexMeasures windows are [start, start + duration): an empty one is widened to one interval.
    const duration = Math.max(k.to - k.from, resolutionMs ?? 60_000);
    const data = await this.options.client.sensorData(
      k.sensor,
      {
        start: new Date(k.from).toISOString(),
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
      k.from,
    );
    return { times: data.times, values: data.values, min: data.min, max: data.max };
  }

  private async v1Series(catalog: FmCatalog, keys: SeriesKey[]): Promise<Map<number, SeriesResult>> {
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
    );
  }

  async write(request: WriteRequest): Promise<WriteOutcome> {
    if (request.kind === 'timeseries') {
      throw badInput(
        'sensorId: FlexMeasures takes meter data, prognoses, prices and weather data: use writeMeterData, writePrognosis, writePriceData or writeWeatherData',
        { argument: 'sensorId' },
      );
    }
    const catalog = await this.catalog();
    const target = await this.writeTarget(catalog, request);
    const prepared = (() => {
      try {
        return prepareWrite({
          quantity: target.quantity,
          unit: request.unit,
          generation: catalog.generation,
          startMs: request.startMs,
          values: request.values,
          resolutionMs: request.resolutionMs ?? null,
          durationMs: request.durationMs ?? null,
          sensorResolutionMs: target.resolutionMs,
          sensorUnit: target.unit,
        });
      } catch (err) {
        throw badInput(err instanceof Error ? err.message : String(err), {
          argument: (err as { field?: string }).field ?? 'input',
        });
      }
    })();
    let horizon: string | undefined;
    try {
      horizon = horizonFor(catalog.generation, request.kind, request.horizonMs ?? null);
    } catch (err) {
      throw badInput(err instanceof Error ? err.message : String(err), { argument: 'horizon' });
    }
    const client = this.options.client;
    let answer;
    if (catalog.generation === 'v3_0') {
      answer = await client.postSensorData(target.nativeId!, {
        // v3_0 targets are always listed sensors
        values: prepared.values,
        start: prepared.start,
        duration: prepared.duration,
        unit: prepared.unit,
        ...(horizon ? { horizon } : {}),
        type: (
          {
            meter: 'PostMeterDataRequest',
            prognosis: 'PostPrognosisRequest',
            price: 'PostPriceDataRequest',
            weather: 'PostWeatherDataRequest',
          } as const
        )[request.kind],
      });
    } else {
      const body: V1PostRequest = {
        type: (
          {
            meter: 'PostMeterDataRequest',
            prognosis: 'PostPrognosisRequest',
            price: 'PostPriceDataRequest',
            weather: 'PostWeatherDataRequest',
          } as const
        )[request.kind],
        values: prepared.values as number[],
        start: prepared.start,
        duration: prepared.duration,
        unit: prepared.unit,
        ...(horizon ? { horizon } : {}),
      };
      if (request.kind === 'meter' || request.kind === 'prognosis') body.connection = target.address;
      else if (request.kind === 'price') body.market = target.address;
      else body.sensor = target.address;
      const route = ({ meter: 'postMeterData', prognosis: 'postPrognosis', price: 'postPriceData', weather: 'postWeatherData' } as const)[
        request.kind
      ];
      answer = await client.postV1(route, body);
    }
    return {
      status: answer.alreadyReceived ? 'ALREADY_RECEIVED' : 'PROCESSED',
      message: answer.message,
      sensorId: target.nativeId === null ? null : fmId('sensor', target.nativeId),
      valuesSent: prepared.values.length,
      upsampledBy: prepared.upsampledBy,
      apiVersion: catalog.generation,
    };
  }

  /** The sensor a write goes to, with what validation needs, and (v1_1) the address to name it by. */
  private async writeTarget(
    catalog: FmCatalog,
    r: WriteRequest,
  ): Promise<{ nativeId: string | null; quantity: string; resolutionMs: number; address: string; unit?: string }> {
    const fromSensor = (fm: FmSensor, address?: string) => ({
      nativeId: fm.sensor.nativeId,
      quantity: fm.quantity,
      resolutionMs: fm.resolutionMs, // 0 = instantaneous: prepareWrite takes one value over PT0H
      unit: fm.unit,
      address: address ?? fm.sensor.entityAddress ?? fm1Address(V1_AUTHORITY, Number(fm.sensor.nativeId)),
    });
    if (r.connectionId) {
      const c = await this.connection(r.connectionId);
      const fm = c ? catalog.fm.get(c.sensorId.split(':')[2]!) : undefined;
      if (!c || !fm)
        throw badInput(`connectionId: there is no connection "${r.connectionId}" (list them with the connections query)`, {
          argument: 'connectionId',
        });
      return fromSensor(fm, c.entityAddress);
    }
    if (r.sensorId) {
      const fm = catalog.fm.get(r.sensorId.split(':')[2] ?? '');
      if (!fm) throw badInput(`sensorId: there is no sensor "${r.sensorId}" (list them with the sensors query)`, { argument: 'sensorId' });
      const wanted = r.kind === 'price' ? 'price' : 'weather';
      if (wanted === 'price' ? fm.quantity !== 'price' : !['temperature', 'irradiance', 'wind speed'].includes(fm.quantity)) {
        throw badInput(`sensorId: ${r.sensorId} measures ${fm.quantity}, not ${wanted === 'price' ? 'prices' : 'weather'}`, {
          argument: 'sensorId',
        });
      }
      const address = r.kind === 'price' ? `${V1_AUTHORITY}:${fm.name}` : undefined;
      return fromSensor(fm, address);
    }
    if (r.market) {
      const fm = [...catalog.fm.values()].find((s) => s.quantity === 'price' && s.name === r.market);
      if (fm) return fromSensor(fm, `${V1_AUTHORITY}:${fm.name}`);
      if (catalog.generation === 'v1_1') {
        // v1_1 lists no markets: the server resolves the name itself (and rejects unknown ones).
        return { nativeId: null, quantity: 'price', resolutionMs: ownResolution(r, HOUR_MS), address: `${V1_AUTHORITY}:${r.market}` };
      }
      throw badInput(`market: there is no price sensor named "${r.market}"`, { argument: 'market' });
    }
    const w = r.weather!;
    const quantity = w.type; // WeatherKind values are FlexMeasures' own quantity names
    const locations = new Map(catalog.locations.map((l) => [l.id, l]));
    const fm = [...catalog.fm.values()].find((s) => {
      const pos = s.sensor.locationId ? locations.get(s.sensor.locationId)?.position : null;
      return s.quantity === quantity && pos && Math.abs(pos.latitude - w.latitude) < 1e-6 && Math.abs(pos.longitude - w.longitude) < 1e-6;
    });
    const address = `${V1_AUTHORITY}:${w.type}:${w.latitude}:${w.longitude}`;
    if (fm) return fromSensor(fm, address);
    if (catalog.generation === 'v1_1') return { nativeId: null, quantity, resolutionMs: ownResolution(r, HOUR_MS), address };
    throw badInput(`there is no ${w.type} sensor at latitude ${w.latitude}, longitude ${w.longitude}`, { argument: 'latitude' });
  }
}

/**
 * v3_0 when offered, v1_1 otherwise. Servers 0.9–0.27 list v3_0 without `/sensors/<id>/data`
 * (added in 0.28, §1): there v1_1 is used while it is still offered (up to 0.12).
 */
export function pickGeneration(versions: string[], serverVersion: string | null): ApiVersion | null {
  const v3 = versions.includes('v3_0');
  const v1 = versions.includes('v1_1');
  const m = serverVersion ? /^(\d+)\.(\d+)/.exec(serverVersion) : null;
  const hasSensorData = !m || Number(m[1]) > 0 || Number(m[2]) >= 28;
  if (v3 && (hasSensorData || !v1)) return 'v3_0';
  if (v1) return 'v1_1';
  return null;
}

/**
 * v1_1 lists no markets or weather sensors, so their resolution is unknown here: the values' own
 * (stated, or duration / count) is taken as is and the server upsamples or refuses (§3.12).
 * Without either, markets and weather stations are taken to be hourly, as FlexMeasures sets them up.
 */
function ownResolution(r: WriteRequest, fallbackMs: number): number {
  if (r.resolutionMs) return r.resolutionMs;
  if (r.durationMs && r.values.length > 0 && Number.isInteger(r.durationMs / r.values.length)) return r.durationMs / r.values.length;
  return fallbackMs;
}

function connectionOf(nativeSensorId: string, entityAddress: string, name: string): Connection {
  return {
    id: fmId('connection', entityAddress),
    upstream: UpstreamName.FLEXMEASURES,
    entityAddress,
    name,
    sensorId: fmId('sensor', nativeSensorId),
  };
}

/** A sensor as v1_1 knows it: only what getConnection tells (power in MW, USEF sign). */
function v1Sensor(id: number, name: string, entityAddress: string): FmSensor {
  return {
    sensor: {
      id: fmId('sensor', String(id)),
      upstream: UpstreamName.FLEXMEASURES,
      nativeId: String(id),
      locationId: null,
      parameterId: fmId('parameter', 'power:MW'),
      unit: 'MW',
      intervalMinutes: V1_DEFAULT_RESOLUTION_MS / 60_000,
      publications: [],
      name,
      timezone: null,
      entityAddress,
      consumptionIsPositive: true, // USEF: consumption positive (§3.5)
    },
    resolutionMs: V1_DEFAULT_RESOLUTION_MS,
    unit: 'MW',
    name,
    quantity: 'power',
  };
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
