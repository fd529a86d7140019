// The unified model every upstream maps into. Plain data: the GraphQL classes in src/schema/
// describe these shapes, resolvers return them as they are.

export enum UpstreamName {
  MEETNET = 'MEETNET',
  FLEXMEASURES = 'FLEXMEASURES',
  BEMSERVER = 'BEMSERVER',
}

/** The prefix used in global IDs: `meetnet:sensor:MP7WVC`. */
export const upstreamPrefix: Record<UpstreamName, string> = {
  [UpstreamName.MEETNET]: 'meetnet',
  [UpstreamName.FLEXMEASURES]: 'flexmeasures',
  [UpstreamName.BEMSERVER]: 'bemserver',
};

export enum Language {
  EN = 'EN',
  NL = 'NL',
  FR = 'FR',
}

/** A text in several languages; `null` where the upstream has no (usable) translation. */
export type LocalizedText = Partial<Record<Language, string>>;

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface Location {
  id: string;
  upstream: UpstreamName;
  nativeId: string;
  name: LocalizedText;
  /** As the upstream writes it (may hold HTML). */
  description: LocalizedText;
  position: GeoPoint | null;
  parentId: string | null;
  /** What kind of place, where the upstream says (BEMServer: campaign, site, building, storey, space, zone). */
  kind?: string | null;
}

export interface Parameter {
  id: string;
  upstream: UpstreamName;
  nativeId: string;
  code: string;
  name: LocalizedText;
  unit: string | null;
  category: LocalizedText;
}

export interface Sensor {
  id: string;
  upstream: UpstreamName;
  nativeId: string;
  locationId: string | null;
  parameterId: string | null;
  unit: string | null;
  /** Minutes between two measurements; null when the series is not measured at present. */
  intervalMinutes: number | null;
  publications: string[];
  /** The upstream's own name of the series (FlexMeasures), when it has one. */
  name?: string | null;
  /** IANA time zone the upstream keeps the series in (FlexMeasures), if it says. */
  timezone?: string | null;
  /** FlexMeasures entity address (fm1), if any. */
  entityAddress?: string | null;
  /** Whether positive values mean consumption (FlexMeasures sensor attribute), when known. */
  consumptionIsPositive?: boolean | null;
  /** Global ID of the campaign (a Location) the series belongs to (BEMServer). */
  campaignId?: string | null;
  /** Property values of the series (BEMServer timeseries properties, e.g. Min, Max, Interval). */
  properties?: Array<{ parameterId: string; value: string }>;
}

/** A FlexMeasures grid connection (charging station, meter), named by its entity address. */
export interface Connection {
  id: string;
  upstream: UpstreamName;
  entityAddress: string;
  name: string;
  /** Global ID of the power sensor behind it. */
  sensorId: string;
}

export interface DataPoint {
  time: number; // epoch milliseconds, UTC
  value: number | null;
}

/**
 * Values of one sensor over a window, kept columnar: `times[i]` (epoch ms, ascending, unique)
 * goes with `values[i]`. Dashboards draw arrays, and arrays serialise faster than objects.
 */
export interface SeriesData {
  times: number[];
  values: (number | null)[];
}

export interface LatestValue {
  time: number;
  value: number | null;
}

export interface TimeWindow {
  from: number; // epoch ms, inclusive
  to: number; // epoch ms, inclusive
}
