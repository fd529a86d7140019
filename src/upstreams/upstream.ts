// What every upstream offers the schema, whatever its API: its catalogue (locations, parameters,
// sensors), the per-request loaders of series and latest values, and its status. What only some
// upstreams can do is a typed capability (capabilities.ts), not a member of this interface.
import type DataLoader from 'dataloader';
import { GatewayError } from '../shared/errors.js';
import type { LatestValue, Location, Parameter, Sensor, UpstreamName } from '../shared/domain.js';
import type { Capabilities } from './capabilities.js';
import type { SeriesKey, SeriesResult } from './series.js';

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
  /** The upstream software's own version, where it says. */
  serverVersion?: string | null;
}

export interface LoaderOptions {
  /** false: one upstream call per key (the benchmarks' naive baseline). */
  batch?: boolean;
  /** The request's: its upstream calls are abandoned when it aborts. */
  signal?: AbortSignal;
  /** Told the size of each batch a loader sends (metrics). */
  onBatch?: (loader: string, size: number) => void;
}

/** A DataLoader batch function that reports its batch's size first. */
export function counted<K, V>(
  loader: string,
  options: LoaderOptions,
  load: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>,
): (keys: readonly K[]) => Promise<ArrayLike<V | Error>> {
  return (keys) => {
    options.onBatch?.(loader, keys.length);
    return load(keys);
  };
}

/** DataLoaders of one request for one upstream: keys are native sensor IDs. */
export interface UpstreamLoaders {
  latest: DataLoader<string, LatestValue | null>;
  series: DataLoader<SeriesKey, SeriesResult, string>;
  /**
   * Whether a series read may be answered in parts: [from, b) then [b, to), each read apart, for
   * any b. True only where the series are instants and an answer is exactly the points in its
   * window (raw reads: not buckets or resampling, whose answers depend on where the window starts).
   * The shared history cache then keeps long windows as days. Absent: never.
   */
  seriesCuts?: (key: SeriesKey) => boolean | Promise<boolean>;
}

export interface Upstream {
  /** Its module's name: `meetnet`. */
  readonly name: UpstreamName;
  /** As people write it: `Meetnet`. */
  readonly label: string;
  readonly simulated: boolean;
  readonly capabilities: Capabilities;
  /** Reachability now; never throws (an unreachable upstream is a status, not an error). */
  status(): Promise<UpstreamStatus>;
  locations(): Promise<Location[]>;
  parameters(): Promise<Parameter[]>;
  sensors(): Promise<Sensor[]>;
  /** Look-ups by global ID; null when the upstream has no such thing. */
  location(id: string): Promise<Location | null>;
  parameter(id: string): Promise<Parameter | null>;
  sensor(id: string): Promise<Sensor | null>;
  /** Since when (epoch ms) its catalogue is served stale, its refresh failing; null while fresh. */
  catalogueStaleSince(): number | null;
  /** How often its catalogue was used, and loaded from the upstream (the rest were cache hits). */
  catalogueCounts(): { lookups: number; loads: number };
  /** Checks a native sensor ID's shape before any call: a message when malformed. */
  validateSensorId(nativeId: string): string | null;
  /** The loaders of one request. */
  createLoaders(options?: LoaderOptions): UpstreamLoaders;
}

/** The status of an upstream whose probe failed: the gateway's own message, never a raw error. */
export function unreachableStatus(upstream: Pick<Upstream, 'name' | 'label' | 'simulated'>, err: unknown): UpstreamStatus {
  return {
    name: upstream.name,
    reachable: false,
    apiVersion: null,
    latencyMs: null,
    simulated: upstream.simulated,
    message: err instanceof GatewayError ? err.message : `${upstream.label} could not be reached`,
  };
}
