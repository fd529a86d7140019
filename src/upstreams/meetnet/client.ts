// Meetnet Vlaamse Banken API v2: one method per endpoint (contract: CONTRACT.md).
import type { LatestValue, SeriesData } from '../../shared/domain.js';
import { ErrorCode, GatewayError } from '../../shared/errors.js';
import type { LoginResult } from '../../auth/token-provider.js';
import { type AuthScheme, type RouteCall, type UpstreamHttp } from '../http-client.js';
import { readGetData } from './getdata-reader.js';
import { formatRequestTime, mapCatalog, mapCurrentData, mapGetData, MEETNET, type MeetnetCatalog } from './mapping.js';
import type { PingResponse, TokenResponse } from './wire.js';

export type GetDataResult = Map<string, SeriesData & { min: number | null; max: number | null }>;

export class MeetnetClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly auth: AuthScheme | null,
  ) {}

  /** `POST /Token`: form-encoded password grant; the route is not versioned (`/V2/Token` is 404). */
  async login(username: string, password: string): Promise<LoginResult> {
    const call = {
      route: 'login',
      method: 'POST' as const,
      path: '/Token',
      form: { grant_type: 'password', username, password },
      idempotent: false, // never retry a login
      auth: null,
      sendsCredentials: true,
    };
    const res = await this.http.send(call);
    // Bad credentials come back as 400 {"Message":"Login failed"} or OWIN's {"error":"invalid_grant"} (§2).
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw this.http.loginRefused(call, res, 'MEETNET_USERNAME and MEETNET_PASSWORD');
    }
    if (res.status < 200 || res.status >= 300) throw this.http.statusError(call, res);
    let body: Partial<TokenResponse>;
    try {
      body = JSON.parse(res.body) as Partial<TokenResponse>;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new GatewayError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Meetnet answered the login without an access token', {
        upstream: MEETNET,
      });
    }
    // expires_in is about an hour (3599 s); default to that if it is missing or absurd.
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3599;
    return { token: body.access_token, expiresInMs: expiresIn * 1000 };
  }

  /** `GET /V2/ping`: needs no login, always 200 (`{"Customer": null}` when anonymous). */
  ping(): Promise<PingResponse> {
    return this.http.json({ route: 'ping', method: 'GET', path: '/V2/ping', idempotent: true, auth: null, probe: true }, (body) => {
      if (!body || typeof body !== 'object' || !('Customer' in body)) throw new Error('ping has no Customer field');
      return body as PingResponse;
    });
  }

  catalog(): Promise<MeetnetCatalog> {
    return this.http.json({ route: 'catalog', method: 'GET', path: '/V2/catalog', idempotent: true, auth: this.auth }, mapCatalog);
  }

  /** Latest value of each series. POST with `IDs` filters; GET ignores any filter (§5.1). */
  currentData(ids: string[], signal?: AbortSignal): Promise<Map<string, LatestValue>> {
    // A read, although a POST: safe to retry, and to share with an identical one in flight.
    const call: RouteCall = {
      route: 'currentData',
      method: 'POST',
      path: '/V2/currentData',
      json: { IDs: ids },
      idempotent: true,
      auth: this.auth,
      signal,
    };
    return this.http.dedupe(call, (c) => this.http.json(c, mapCurrentData));
  }

  /** Points of many series over one window of at most 365 days; both ends inclusive (§6). */
  getData(ids: string[], from: number, to: number, signal?: AbortSignal): Promise<GetDataResult> {
    const call: RouteCall = {
      route: 'getData',
      method: 'POST',
      path: '/V2/getData',
      json: { StartTime: formatRequestTime(from), EndTime: formatRequestTime(to), IDs: ids },
      idempotent: true, // a read, although a POST
      auth: this.auth,
      signal,
    };
    return this.http.dedupe(call, (c) => this.http.json(c, mapGetData, readGetData));
  }
}
