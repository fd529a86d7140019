// What every upstream adapter offers the schema. Resolvers dispatch on the upstream of a global ID
// and never see wire formats.
import type DataLoader from 'dataloader';
import { GatewayError } from '../errors.js';
import type { Connection, LatestValue, Location, Parameter, SeriesData, Sensor, UpstreamName } from '../shared/domain.js';

export interface UpstreamStatus {
  name: UpstreamName;
  reachable: boolean;
  apiVersion: string | null;
  /** Round trip of the probe call, in ms. */
  latencyMs: number | null;
  /** True when the gateway talks to its built-in simulator. */
  simulated: boolean;
  /** Why it is not reachable, when it is not. */
  message: string | null;
  /** The upstream software's own version, where it says (FlexMeasures). */
  serverVersion?: string | null;
}

/** What a series read may ask beyond the window (FlexMeasures: resolution, belief horizon, data kind). */
export interface SeriesOptions {
  /** Resample to this resolution (ms); the sensor's own when absent. */
  resolutionMs?: number | null;
  /** Only beliefs formed at least this long before the event (prognoses). */
  horizonMs?: number | null;
  /** Measured data, prognoses, or whatever the upstream has (default). */
  kind?: 'data' | 'meter' | 'prognosis';
  /** Data state by name (BEMServer: Raw, Clean); the upstream's default when absent. */
  dataState?: string | null;
  /** Aggregate into buckets (BEMServer /timeseries_data/aggregate): each value is a bucket, labelled by its start. */
  bucket?: SeriesBucket | null;
}

export interface SeriesBucket {
  widthValue: number;
  widthUnit: 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
  aggregation: 'avg' | 'sum' | 'min' | 'max' | 'count';
}

/** Summary of a whole series, where the upstream computes it (BEMServer /timeseries_data/stats). */
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

export interface LoaderOptions {
  batch?: boolean;
}

/** DataLoaders of one request for one upstream: keys are native sensor IDs. */
export interface UpstreamLoaders {
  latest: DataLoader<string, LatestValue | null>;
  series: DataLoader<SeriesKey, SeriesResult, string>;
  /** Whole-series statistics by native sensor ID (BEMServer). */
  stats?: DataLoader<string, SeriesStats | null>;
}

export type WriteKind = 'meter' | 'prognosis' | 'price' | 'weather' | 'timeseries';

export interface WriteRequest {
  kind: WriteKind;
  /** Points at their own instants (BEMServer timeseries data); `values` then holds their values. */
  times?: number[] | null;
  /** Data state by name (BEMServer), e.g. Raw. */
  dataState?: string | null;
  /** Global ID of the connection (meter data, prognoses) or sensor (prices, weather) written to. */
  connectionId?: string | null;
  sensorId?: string | null;
  /** A market by name (prices), e.g. `epex_da`. */
  market?: string | null;
  /** A weather sensor by kind and position (v1_1 addresses them so). */
  weather?: { type: string; latitude: number; longitude: number } | null;
  startMs: number;
  values: Array<number | null>;
  resolutionMs?: number | null;
  durationMs?: number | null;
  unit: string;
  horizonMs?: number | null;
}

export interface WriteOutcome {
  /** PROCESSED, or ALREADY_RECEIVED when the upstream already had exactly these values. */
  status: 'PROCESSED' | 'ALREADY_RECEIVED';
  message: string;
  sensorId: string | null;
  valuesSent: number;
  upsampledBy: number;
  apiVersion: string;
}

export interface UpstreamAdapter {
  readonly name: UpstreamName;
  readonly simulated: boolean;
  status(): Promise<UpstreamStatus>;
  locations(): Promise<Location[]>;
  parameters(): Promise<Parameter[]>;
  sensors(): Promise<Sensor[]>;
  /** Look-ups by global ID; null when the upstream has no such thing. */
  location(id: string): Promise<Location | null>;
  parameter(id: string): Promise<Parameter | null>;
  sensor(id: string): Promise<Sensor | null>;
  /** Checks a native sensor ID's shape before any call: a message when malformed. */
  validateSensorId(nativeId: string): string | null;
  /** The loaders of one request. `batch: false` gives one upstream call per key (the benchmarks' naive baseline). */
  createLoaders(options?: LoaderOptions): UpstreamLoaders;
  /** Grid connections (FlexMeasures only). */
  connections?(): Promise<Connection[]>;
  connection?(id: string): Promise<Connection | null>;
  /** Writes values (FlexMeasures, BEMServer). */
  write?(request: WriteRequest): Promise<WriteOutcome>;
  /** Data state names a series can be read in (BEMServer), first the default. */
  dataStates?(): Promise<string[]>;
}

export const seriesCacheKey = (k: SeriesKey): string => `${k.sensor}|${windowKey(k)}`;

/** Everything of a series read but the sensor: reads with the same window key can share an upstream call. */
export const windowKey = (k: SeriesKey): string =>
  `${k.from}|${k.to}|${k.resolutionMs ?? ''}|${k.horizonMs ?? ''}|${k.kind ?? ''}|${k.dataState ?? ''}|` +
  (k.bucket ? `${k.bucket.widthValue}${k.bucket.widthUnit}:${k.bucket.aggregation}` : '');

/** The status of an upstream whose probe failed: the gateway's own message, never a raw error. */
export function unreachableStatus(adapter: { name: UpstreamName; simulated: boolean }, err: unknown, label: string): UpstreamStatus {
  return {
    name: adapter.name,
    reachable: false,
    apiVersion: null,
    latencyMs: null,
    simulated: adapter.simulated,
    message: err instanceof GatewayError ? err.message : `${label} could not be reached`,
  };
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
