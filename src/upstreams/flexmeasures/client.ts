// FlexMeasures web API: one method per endpoint, both generations (contract: CONTRACT.md).
import type { Location } from '../../shared/domain.js';
import { ErrorCode, GatewayError } from '../../shared/errors.js';
import type { LoginResult } from '../../auth/token-provider.js';
import type { AuthScheme, RawResponse, RouteCall, UpstreamHttp } from '../http-client.js';
import { joinPages, rowIds, wholeList, type ListRead } from '../pages.js';
import type { SeriesResult } from '../series.js';
import { FLEXMEASURES, mapAssets, mapConnections, mapFmSensor, mapSensorData, mapV1Series, usefOutcome, type FmSensor } from './mapping.js';
import type { ApiVersionsResponse, PostSensorDataRequest, V1PostRequest } from './wire.js';

const PAGE_SIZE = 100;
/** FlexMeasures does not say how long a token lives; its default SECURITY_TOKEN_MAX_AGE is 6 h (§2.1). */
const DEFAULT_TOKEN_LIFETIME_MS = 6 * 3_600_000;

export interface SensorDataQuery {
  start: string;
  duration: string;
  unit: string;
  resolution?: string;
  horizon?: string;
  prior?: string;
  source?: string;
  type?: 'GetSensorDataRequest' | 'GetMeterDataRequest' | 'GetPrognosisRequest';
}

export interface V1SeriesQuery {
  connections: string[];
  start: string;
  duration: string;
  resolution?: string;
  horizon?: string;
}

export interface WriteAnswer {
  alreadyReceived: boolean;
  message: string;
}

type V1PostRoute = 'postMeterData' | 'postPrognosis' | 'postPriceData' | 'postWeatherData';

export class FlexMeasuresClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly auth: AuthScheme | null,
  ) {}

  private get(route: string, path: string, searchParams?: Record<string, string | number | boolean>): RouteCall {
    return { route, method: 'GET', path, searchParams, idempotent: true, auth: this.auth };
  }

  /**
   * `GET /api/` (public): the API versions the server offers. With the slash: `/api` is Werkzeug's
   * 308 to an absolute `http://` Location, which behind a TLS proxy the gateway refuses to follow.
   */
  versions(): Promise<ApiVersionsResponse> {
    return this.http.json({ ...this.get('api', '/api/'), auth: null, probe: true }, (body) => {
      const versions = (body as ApiVersionsResponse | null)?.versions;
      if (!Array.isArray(versions) || versions.some((v) => typeof v !== 'string')) throw new Error('GET /api has no versions list');
      return body as ApiVersionsResponse;
    });
  }

  /** `POST /api/requestAuthToken`; any body with `errors` is a failure, whatever the status (§2.4). */
  async login(email: string, password: string): Promise<LoginResult> {
    const call: RouteCall = {
      route: 'login',
      method: 'POST',
      path: '/api/requestAuthToken',
      json: { email, password },
      idempotent: false, // never retry a login
      auth: null,
      sendsCredentials: true,
    };
    const res = await this.http.send(call);
    let body: { auth_token?: unknown; errors?: unknown } = {};
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      /* judged below */
    }
    // Refusals answer 400/401/404/422, or any status with an `errors` list naming what was wrong (§2).
    if (Array.isArray(body.errors) || [400, 401, 403, 404, 422].includes(res.status)) {
      throw this.http.loginRefused(call, res, 'FLEXMEASURES_EMAIL and FLEXMEASURES_PASSWORD');
    }
    if (res.status < 200 || res.status >= 300) throw this.http.statusError(call, res);
    if (typeof body.auth_token !== 'string' || !body.auth_token) {
      throw new GatewayError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'FlexMeasures answered the login without an auth_token', {
        upstream: FLEXMEASURES,
      });
    }
    return { token: body.auth_token, expiresInMs: DEFAULT_TOKEN_LIFETIME_MS };
  }

  // ---- v3_0 ----

  /**
   * Every page of a list: the first page tells the total, the rest are fetched together. The
   * server pages without ORDER BY (FlexMeasures 1.0.1, CONTRACT.md §10): counted and read again
   * where the pages do not add up (pages.ts); its total may count rows the account cannot read,
   * so a list still short after two reads is served with a warning.
   */
  private walk<T>(
    route: string,
    path: string,
    params: Record<string, string | number | boolean>,
    map: (body: unknown) => T[],
  ): Promise<T[]> {
    return wholeList(() => this.walkOnce(route, path, params, map), {
      upstream: FLEXMEASURES,
      label: 'FlexMeasures',
      route,
      logger: this.http.options.logger,
      strict: false,
    });
  }

  private async walkOnce<T>(
    route: string,
    path: string,
    params: Record<string, string | number | boolean>,
    map: (body: unknown) => T[],
  ): Promise<ListRead<T>> {
    const page = (n: number) =>
      this.http.json(this.get(route, path, { ...params, page: n, 'per-page': PAGE_SIZE }), (body) => {
        // Servers before pagination (< v0.24) ignore `page` and answer a bare array (§4.2).
        const total = Array.isArray(body) ? null : Number((body as { 'filtered-records'?: unknown })?.['filtered-records']);
        const rows = Array.isArray(body) ? body : (body as { data?: unknown })?.data;
        return { items: map(body), ids: rowIds(rows), total: total !== null && Number.isFinite(total) ? total : null };
      });
    const first = await page(1);
    if (first.total === null || first.total <= first.items.length) return first;
    const pages = Math.ceil(first.total / PAGE_SIZE);
    const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
    return joinPages([first, ...rest], first.total);
  }

  sensors(): Promise<FmSensor[]> {
    return this.walk('sensors', '/api/v3_0/sensors', { include_public_assets: true }, (body) => {
      const list = Array.isArray(body) ? body : (body as { data?: unknown })?.data;
      if (!Array.isArray(list)) throw new Error('the sensor list is neither an array nor a page with data');
      return list.map(mapFmSensor);
    });
  }

  sensor(id: string): Promise<FmSensor> {
    return this.http.json(this.get('sensor', `/api/v3_0/sensors/${encodeURIComponent(id)}`), mapFmSensor);
  }

  assets(): Promise<Location[]> {
    return this.walk('assets', '/api/v3_0/assets', { include_public: true }, mapAssets);
  }

  /** `GET /sensors/<id>/data`: values span the window at the resolution, gaps null (§4.4). */
  sensorData(id: string, query: SensorDataQuery, startMs: number, signal?: AbortSignal): Promise<SeriesResult & { resolutionMs: number }> {
    const params: Record<string, string> = { start: query.start, duration: query.duration, unit: query.unit };
    for (const key of ['resolution', 'horizon', 'prior', 'source', 'type'] as const) {
      const v = query[key];
      if (v !== undefined) params[key] = v;
    }
    const call = { ...this.get('sensorData', `/api/v3_0/sensors/${encodeURIComponent(id)}/data`, params), signal };
    // startMs is the `start` the call sends: the mapping depends on the call alone, as sharing needs.
    return this.http.dedupe(call, (c) => this.checked(c, (body) => mapSensorData(body, startMs)));
  }

  /** `POST /sensors/<id>/data` (§4.5). A write: never retried. */
  postSensorData(id: string, body: PostSensorDataRequest): Promise<WriteAnswer> {
    return this.write({
      route: 'postSensorData',
      method: 'POST',
      path: `/api/v3_0/sensors/${encodeURIComponent(id)}/data`,
      json: body,
      idempotent: false,
      auth: this.auth,
    });
  }

  // ---- v1_1 ----

  getService(): Promise<unknown> {
    return this.checked({ ...this.get('getService', '/api/v1_1/getService'), auth: null }, (b) => b);
  }

  getConnection(): Promise<Array<{ entityAddress: string; name: string; sensorId: number }>> {
    return this.checked(this.get('getConnection', '/api/v1_1/getConnection', { type: 'GetConnectionRequest' }), mapConnections);
  }

  /**
   * `getMeterData` / `getPrognosis`: many connections in one call. GET parameters travel only in
   * the query string, `type` included (§3.1); repeated `connection` keys name the connections.
   */
  v1Series(
    kind: 'meter' | 'prognosis',
    q: V1SeriesQuery,
    names: Map<string, number>,
    startMs: number,
    resolutionMs: number,
    signal?: AbortSignal,
  ): Promise<Map<number, SeriesResult>> {
    const route = kind === 'meter' ? 'getMeterData' : 'getPrognosis';
    const search = new URLSearchParams({ type: kind === 'meter' ? 'GetMeterDataRequest' : 'GetPrognosisRequest' });
    for (const c of q.connections) search.append('connection', c);
    search.set('start', q.start);
    search.set('duration', q.duration);
    search.set('unit', 'MW'); // v1_1 power data is only in MW (§3.5)
    if (q.resolution) search.set('resolution', q.resolution);
    if (q.horizon) search.set('horizon', q.horizon);
    const call = { ...this.get(route, `/api/v1_1/${route}`), searchParams: search, signal };
    return this.http.dedupe(call, (c) => this.checked(c, (body) => mapV1Series(body, names, startMs, resolutionMs)));
  }

  postV1(route: V1PostRoute, body: V1PostRequest): Promise<WriteAnswer> {
    return this.write({ route, method: 'POST', path: `/api/v1_1/${route}`, json: body, idempotent: false, auth: this.auth });
  }

  /**
   * A read whose rejections keep the upstream's code, message and fields (400/422 USEF bodies,
   * §2.3); 410 means the server has sunset v1_1, which is said as such (§1.2).
   */
  private async checked<T>(call: RouteCall, parse: (body: unknown) => T): Promise<T> {
    const res = await this.http.call(call);
    if (res.status === 410) throw sunsetError(call, res);
    if (res.status === 400 || res.status === 422) throw this.rejection(call, res);
    if (res.status < 200 || res.status >= 300) throw this.http.statusError(call, res);
    return this.http.parse(call, res, parse);
  }

  private async write(call: RouteCall): Promise<WriteAnswer> {
    const res = await this.http.call(call);
    if (res.status === 410) throw sunsetError(call, res);
    if (res.status >= 500 || res.status === 429) throw this.http.statusError(call, res);
    const outcome = this.http.parse(call, res, (body) => usefOutcome(res.status, body));
    if (outcome.ok) return { alreadyReceived: outcome.alreadyReceived, message: outcome.message };
    throw this.rejectedBy(call, res.status, outcome);
  }

  private rejection(call: RouteCall, res: RawResponse): GatewayError {
    const outcome = this.http.parse(call, res, (body) => usefOutcome(res.status, body));
    return this.rejectedBy(call, res.status, outcome);
  }

  /** Upstream rejections keep the upstream's code (INVALID_UNIT, INVALID_REPLACEMENT...) and message. */
  private rejectedBy(call: RouteCall, status: number, o: ReturnType<typeof usefOutcome>): GatewayError {
    return this.http.rejected(call, status, o.message, { upstreamCode: o.code, fields: o.fields });
  }
}

function sunsetError(call: RouteCall, res: RawResponse): GatewayError {
  let message = '';
  try {
    message = String((JSON.parse(res.body) as { message?: unknown }).message ?? '');
  } catch {
    /* no message */
  }
  return new GatewayError(
    ErrorCode.UPSTREAM_REJECTED,
    `FlexMeasures has sunset API v1_1 (HTTP 410) for ${call.route}${message ? `: ${message.slice(0, 200)}` : ''}; use FLEXMEASURES_API_VERSION=auto or v3_0`,
    { upstream: FLEXMEASURES, status: 410, reason: 'SUNSET' },
  );
}
