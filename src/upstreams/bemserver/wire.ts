// BEMServer REST API, spelled as the API spells it (contract: CONTRACT.md).
// Null fields are left out of every resource (§1.2): optional here means "absent when null".

/** `POST /auth/token` answers HTTP 200 either way, so check `status` (§2.1); a refused refresh is a 401 (§2.2). */
export type TokenResponse = { status: 'success'; access_token: string; refresh_token: string } | { status: 'failure' };

/** JWT claims of both tokens (§2.3): `exp` in epoch seconds; a token without `exp` never expires. */
export interface TokenClaims {
  email: string;
  exp?: number;
  type: 'access' | 'refresh';
}

/** Codes in `errors.authentication` of a 401 (§2.4). */
export type AuthErrorCode =
  'missing_authentication' | 'invalid_scheme' | 'invalid_token' | 'expired_token' | 'malformed_credentials' | 'invalid_credentials';

/** Every error body (§1.4): `message` and `errors` only when the server passes them. */
export interface ErrorBody {
  code: number;
  status: string;
  message?: string;
  /** `{"json": {"field": ["msg"]}}`, `{"query": {"data_state": "Unknown data state ID"}}` (a plain string!), `{"authentication": "expired_token"}`. */
  errors?: Record<string, unknown>;
}

/** `X-Pagination` header, JSON with Python's default separators; keys left out when they do not apply (§4). */
export interface XPagination {
  total: number;
  total_pages: number;
  first_page?: number;
  last_page?: number;
  page?: number;
  previous_page?: number;
  next_page?: number;
}

export interface AboutResponse {
  versions: { bemserver_core: string; bemserver_api: string };
}

export interface CampaignJson {
  id: number;
  name: string;
  description?: string;
  start_time?: string;
  end_time?: string;
  timezone: string;
}

export interface CampaignScopeJson {
  id: number;
  name: string;
  description?: string;
  campaign_id: number;
}

export interface SiteJson {
  id: number;
  name: string;
  latitude?: number;
  longitude?: number;
  description?: string;
  ifc_id?: string;
  campaign_id: number;
}

export interface BuildingJson {
  id: number;
  name: string;
  description?: string;
  ifc_id?: string;
  site_id: number;
}

export interface StoreyJson {
  id: number;
  name: string;
  description?: string;
  ifc_id?: string;
  building_id: number;
}

export interface SpaceJson {
  id: number;
  name: string;
  description?: string;
  ifc_id?: string;
  storey_id: number;
}

export interface ZoneJson {
  id: number;
  name: string;
  description?: string;
  ifc_id?: string;
  campaign_id: number;
}

/** `GET /timeseries/` (paginated). `unit_symbol` defaults to "" and is always present (§6.1). No site/building field: see the links. */
export interface TimeseriesJson {
  id: number;
  name: string;
  unit_symbol: string;
  description?: string;
  campaign_id: number;
  campaign_scope_id: number;
}

/** `GET /timeseries_by_{sites,buildings,storeys,spaces,zones}/` rows (paginated), nested parents left out here. */
export interface TimeseriesLinkJson {
  id: number;
  timeseries_id: number;
  site_id?: number;
  building_id?: number;
  storey_id?: number;
  space_id?: number;
  zone_id?: number;
}

export interface DataStateJson {
  id: number;
  name: string;
}

export interface TimeseriesPropertyJson {
  id: number;
  name: string;
  description?: string;
  value_type: 'integer' | 'float' | 'boolean' | 'string';
  unit_symbol?: string;
}

/** Values are strings whatever the property's value_type (§6.1). */
export interface TimeseriesPropertyDataJson {
  id: number;
  timeseries_id: number;
  property_id: number;
  value: string;
}

/** `GET /timeseries_data/` JSON: `{"<id>": {"<iso timestamp>": <float>}}`; empty series left out (§7.3). Aggregates keep `null` buckets (§7.5). */
export type TimeseriesDataJson = Record<string, Record<string, number | null>>;

export interface TimeseriesStatsJson {
  first_timestamp: string | null;
  last_timestamp: string | null;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  stddev: number | null;
}

/** `GET /timeseries_data/stats` (§7.6). */
export interface StatsResponse {
  stats: Record<string, TimeseriesStatsJson>;
}

export type BucketUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type Aggregation = 'avg' | 'sum' | 'min' | 'max' | 'count';

/** The exact Accept values the data routes compare against (§7.1). */
export const ACCEPT_JSON = 'application/json';
