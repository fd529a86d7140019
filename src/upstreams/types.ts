// What every upstream adapter offers the schema. Resolvers dispatch on the upstream of a global ID
// and never see wire formats.
import type DataLoader from 'dataloader';
import type { LatestValue, Location, Parameter, SeriesData, Sensor, UpstreamName } from '../domain.js';

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
}

export interface SeriesKey {
  /** Native sensor ID, e.g. 'MP7WVC'. */
  sensor: string;
  from: number;
  to: number;
}

export interface SeriesResult extends SeriesData {
  min: number | null;
  max: number | null;
}

/** DataLoaders of one request for one upstream: keys are native sensor IDs. */
export interface UpstreamLoaders {
  latest: DataLoader<string, LatestValue | null>;
  series: DataLoader<SeriesKey, SeriesResult, string>;
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
  createLoaders(): UpstreamLoaders;
}

export const seriesCacheKey = (k: SeriesKey): string => `${k.sensor}|${k.from}|${k.to}`;
