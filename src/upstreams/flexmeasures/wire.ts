// FlexMeasures web API, spelled as the API spells it (contract: CONTRACT.md).
// v3_0 is the current API (FlexMeasures ≥ 0.28 for /sensors/<id>/data); v1_1 is what servers up
// to 0.12 speak (sunset with 410 from 0.13).

export type ApiVersion = 'v3_0' | 'v1_1';

/** `GET /api` (public). Flask-JSON adds `status: 200` (§2.2, §2.5). */
export interface ApiVersionsResponse {
  flexmeasures_version?: string;
  message?: string;
  status?: number;
  versions: string[];
}

/** `POST /api/requestAuthToken` body. */
export interface AuthRequest {
  email: string;
  password: string;
}

/** Success: `auth_token` (not `authentication_token` as the docs say), `user_id` an integer (§2.4). */
export interface AuthResponse {
  auth_token: string;
  user_id: number;
  status?: number;
}

/** Any requestAuthToken failure, whatever the HTTP status (a missing password is 200 on v0.12). */
export interface AuthErrorResponse {
  errors: string[];
  status?: number;
}

/** v3_0 Sensor (§4.9). `attributes` is a JSON-encoded string; `event_resolution` an ISO duration (`P0D` = instantaneous). */
export interface SensorJson {
  id: number;
  name: string;
  unit: string;
  timezone: string;
  event_resolution: string;
  entity_address?: string;
  attributes?: string;
  generic_asset_id: number;
  status?: number;
}

/** Paginated list (`?page=`): `{data, num-records, filtered-records, status}`; unpaginated: a bare array. */
export interface PageJson<T> {
  data: T[];
  'num-records': number;
  'filtered-records': number;
  status?: number;
}

/** v3_0 Asset (§4.9): JSON-ish fields are strings. */
export interface AssetJson {
  id: number;
  name: string;
  description?: string | null;
  account_id: number | null;
  owner?: { id: number; name: string } | null;
  latitude: number | null;
  longitude: number | null;
  generic_asset_type_id?: number;
  generic_asset_type?: { id: number; name: string };
  attributes?: string;
  parent_asset_id?: number | null;
  child_assets?: Array<{ id: number; name: string; account_id: number | null; generic_asset_type?: { id: number; name: string } }>;
  sensors?: Array<{ id: number; name: string }>;
  external_id?: string | null;
  status?: number;
}

/** v3_0 `GET /sensors/<id>/data` answer: values span the window at `resolution`, gaps are null (§4.4). */
export interface SensorDataResponse {
  values: Array<number | null>;
  start: string;
  duration: string;
  unit: string;
  resolution?: string;
  status: string; // 'PROCESSED'
  message?: string;
}

/** v3_0 `POST /sensors/<id>/data` body (§4.5). */
export interface PostSensorDataRequest {
  values: Array<number | null>;
  start: string;
  duration: string;
  unit: string;
  horizon?: string;
  prior?: string;
  type?: 'PostSensorDataRequest' | 'PostMeterDataRequest' | 'PostPrognosisRequest' | 'PostPriceDataRequest' | 'PostWeatherDataRequest';
}

/**
 * USEF-style answers (v1_1, and v3 data saving). Quirks (§2.3): some use `results` (plural) instead
 * of `result`; v1_1 adds `type: "<X>Response"` when the error is returned rather than raised.
 */
export interface UsefResponse {
  result?: string;
  results?: string;
  status: string; // 'PROCESSED', 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED', 'INVALID_UNIT', ...
  message: unknown; // a string, or for 422 `{"<location>": {"<field>": ["msg"]}}`, or ["msg"]
  type?: string;
}

/** v1_1 `GET getConnection` (documented shape; the code returns fm1 addresses, §3.4). */
export interface GetConnectionResponse {
  type: 'GetConnectionResponse';
  connections: string[];
  names: string[];
  status?: number;
}

/**
 * v1_1 `GET getMeterData` / `getPrognosis` (§3.5). Quirks: identifiers are sensor *names*; one
 * series may come under the plural key holding a string (`"connections": "CS 1"`); identical value
 * lists are merged (`"connections": ["CS 1","CS 2"]`); different ones come as `groups`; values hold
 * only existing events (no gap filling) in USEF sign (consumption positive).
 */
export interface GetMeterDataResponse {
  type: 'GetMeterDataResponse' | 'GetPrognosisResponse';
  connection?: string | string[];
  connections?: string | string[];
  values?: number[];
  groups?: Array<{ connection?: string | string[]; connections?: string | string[]; values: number[] }>;
  start: string;
  duration: string;
  unit: string;
  status?: string;
  message?: string;
}

/** v1_1 POST bodies (§3.7–3.10). */
export interface V1PostRequest {
  type: 'PostMeterDataRequest' | 'PostPrognosisRequest' | 'PostPriceDataRequest' | 'PostWeatherDataRequest';
  connection?: string;
  connections?: string[];
  market?: string;
  sensor?: string;
  groups?: Array<{ connection?: string | string[]; connections?: string[]; sensor?: string; values: number[] }>;
  values?: number[];
  start: string;
  duration: string;
  horizon?: string;
  unit: string;
}

export const FM_401_MESSAGE = 'You could not be properly authenticated for this content or functionality.';
