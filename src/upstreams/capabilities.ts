// What only some upstreams can do, as typed capabilities: a token names each one, an upstream
// says which it provides, and the code that needs one asks for it by its token and gets it typed
// (or learns that the upstream has none). The common Upstream interface stays free of them.
import type DataLoader from 'dataloader';
import type { Connection, Sensor } from '../shared/domain.js';
import type { SeriesBucket, SeriesOptions, SeriesStats } from './series.js';

/** A capability's token: `Capability<ConnectionSource>` is the capability to list grid connections. */
export class Capability<T> {
  /** Only for the type checker: ties the token to what it gives. */
  declare readonly provides: T;

  constructor(readonly name: string) {}
}

/** The capabilities one upstream provides. */
export class Capabilities {
  private readonly provided = new Map<Capability<unknown>, unknown>();

  with<T>(capability: Capability<T>, implementation: T): this {
    this.provided.set(capability, implementation);
    return this;
  }

  /** The implementation, typed by its token; undefined when the upstream does not have it. */
  get<T>(capability: Capability<T>): T | undefined {
    // `with` stored it under the same token, with the token's type.
    return this.provided.get(capability) as T | undefined;
  }
}

/** Grid connections named by an entity address, with meter data and prognoses (FlexMeasures). */
export interface ConnectionSource {
  connections(): Promise<Connection[]>;
  /** By global ID; null when the upstream has no such connection. */
  connection(id: string): Promise<Connection | null>;
}

/** Whole-series statistics computed by the upstream (BEMServer). */
export interface StatisticsSource {
  /** The loader of one request, by native sensor ID (`batch: false`: one call per sensor). */
  createStatsLoader(options: { batch: boolean; signal?: AbortSignal }): DataLoader<string, SeriesStats | null>;
}

/** Series kept in several data states, e.g. raw and cleaned (BEMServer). */
export interface DataStateSource {
  /** The state names, the default first. */
  dataStates(): Promise<string[]>;
}

/** A bucketing of one sensor's window, as a client asks for it. */
export interface BucketRequest {
  sensor: Sensor;
  from: number;
  to: number;
  bucket: SeriesBucket;
  timeZone: string;
}

/** Series aggregated into buckets by the upstream itself (BEMServer aggregates, FlexMeasures resampling). */
export interface BucketSource {
  /**
   * How to ask the upstream for exactly the buckets the gateway would compute from the raw
   * series (the read's options), or null when its answer would differ: the gateway aggregates then.
   */
  upstreamBuckets(request: BucketRequest): Promise<SeriesOptions | null>;
  /**
   * Whether it computes these buckets in this zone (as the client spelled it) for any sensor and
   * window (then a read is as long as its buckets, not as its raw series): what the cost estimate
   * may count on before anything is read.
   */
  alwaysComputes(bucket: SeriesBucket, timeZone: string): boolean;
}

export const Connections = new Capability<ConnectionSource>('connections');
export const Statistics = new Capability<StatisticsSource>('statistics');
export const DataStates = new Capability<DataStateSource>('data states');
export const Buckets = new Capability<BucketSource>('buckets');
