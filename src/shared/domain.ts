// The unified model every upstream maps into. Plain data: the GraphQL classes in src/schema/
// describe these shapes, resolvers return them as they are. What only one upstream has lives in
// that upstream's own subtype (a FlexMeasures sensor's entity address: FlexMeasuresSensor).

/**
 * An upstream's name (`meetnet`), as its module gives it: the prefix of global IDs, the key of its
 * token, `extensions.upstream` of its errors. The GraphQL enum `Upstream` spells it in capitals.
 */
export type UpstreamName = string;

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
  /** The upstream's own name of the series, when it has one (FlexMeasures, BEMServer). */
  name?: string | null;
  /** IANA time zone the upstream keeps the series in, if it says. */
  timezone?: string | null;
}

/** A grid connection (charging station, meter), named by its USEF entity address (FlexMeasures). */
export interface Connection {
  id: string;
  upstream: UpstreamName;
  entityAddress: string;
  name: string;
  /** Global ID of the power sensor behind it. */
  sensorId: string;
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

/** What an upstream answered to a write. */
export interface WriteOutcome {
  /** PROCESSED, or ALREADY_RECEIVED when the upstream already had exactly these values. */
  status: 'PROCESSED' | 'ALREADY_RECEIVED';
  message: string;
  sensorId: string | null;
  valuesSent: number;
  upsampledBy: number;
  apiVersion: string;
}
