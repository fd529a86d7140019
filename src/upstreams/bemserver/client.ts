// BEMServer REST API: one method per route the gateway uses (contract: CONTRACT.md).
import { RefreshRejectedError, type LoginResult } from '../../auth/token-provider.js';
import { GatewayError } from '../../shared/errors.js';
import pLimit, { type LimitFunction } from 'p-limit';
import type { AuthScheme, RawResponse, RouteCall, UpstreamHttp } from '../http-client.js';
import { joinPages, rowIds, wholeList, type ListRead } from '../pages.js';
import type { SeriesResult } from '../series.js';
import { BEMSERVER, bemErrorOutcome, mapAggregateJson, mapDataJson, mapStats, parsePagination, type BemStats } from './mapping.js';
import { ACCEPT_JSON, type AboutResponse, type Aggregation, type BucketUnit } from './wire.js';

/** Largest page the server allows (§4). */
const PAGE_SIZE = 100;
/** When a token says nothing usable about its expiry: BEMServer's defaults (§2.3). */
const DEFAULT_ACCESS_MS = 900_000;
const DEFAULT_REFRESH_MS = 5_184_000_000;

export interface DataWindow {
  startMs: number;
  endMs: number;
  dataStateId: number;
  /** Where day, week, month and year buckets start at midnight (and the zone of the answer's offsets); UTC by default. */
  timeZone?: string;
}

export interface Bucket {
  widthValue: number;
  widthUnit: BucketUnit;
  aggregation: Aggregation;
}

export interface BemServerClientOptions {
  /** Longest request target (path and query) sent; longer id lists are split over several calls. */
  maxUrlLength: number;
  /** Most calls at once when walking pages or split id lists. */
  concurrency: number;
}

/** The `exp` claim of a JWT (epoch s), read without verifying: only to know when to renew. */
function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : null;
  } catch {
    return null;
  }
}

/** ISO 8601 in UTC with `Z`: a `+` in a query string would decode to a space (§1.3). */
const isoZ = (ms: number): string => new Date(ms).toISOString();

export class BemServerClient {
  private readonly limit: LimitFunction;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly auth: AuthScheme | null,
    private readonly options: BemServerClientOptions,
  ) {
    this.limit = pLimit(options.concurrency);
  }

  private get(route: string, path: string, searchParams?: URLSearchParams): RouteCall {
    // The data routes compare Accept verbatim and echo it as the Content-Type (§7.1).
    return { route, method: 'GET', path, searchParams, idempotent: true, auth: this.auth, headers: { accept: ACCEPT_JSON } };
  }

  /** `GET /about/`, public: the versions, used as the reachability probe (§1.1). */
  about(): Promise<AboutResponse> {
    return this.http.json({ ...this.get('about', '/about/'), auth: null, probe: true }, (body) => {
      const v = (body as AboutResponse | null)?.versions;
      if (!v || typeof v.bemserver_api !== 'string') throw new Error('GET /about/ has no versions.bemserver_api');
      return body as AboutResponse;
    });
  }

  /** `POST /auth/token`. Wrong credentials answer HTTP 200 `{"status":"failure"}` (§2.1). */
  async login(email: string, password: string): Promise<LoginResult> {
    const call: RouteCall = {
      route: 'login',
      method: 'POST',
      path: '/auth/token',
      json: { email, password },
      idempotent: false,
      auth: null,
      sendsCredentials: true,
    };
    const res = await this.http.send(call);
    // Wrong credentials answer 200 {"status":"failure"}; a malformed e-mail 422 (§2.1).
    if (res.status === 200 && tokenStatus(res) === 'failure') {
      throw this.http.loginRefused(call, res, 'BEMSERVER_EMAIL and BEMSERVER_PASSWORD', 'status "failure"');
    }
    if (res.status === 422) throw this.http.loginRefused(call, res, 'BEMSERVER_EMAIL and BEMSERVER_PASSWORD');
    return this.tokenPair(call, res);
  }

  /** `POST /auth/token/refresh` with the refresh token as Bearer: a new pair (§2.2). */
  async refresh(refreshToken: string): Promise<LoginResult> {
    const call: RouteCall = {
      route: 'refresh',
      method: 'POST',
      path: '/auth/token/refresh',
      idempotent: false,
      auth: null,
      headers: { authorization: `Bearer ${refreshToken}` },
      sendsCredentials: true,
    };
    const res = await this.http.send(call);
    // An expired or refused refresh token: the only way on is a new login (§2.2).
    if (res.status === 401 || (res.status === 200 && tokenStatus(res) === 'failure')) {
      const code = bemErrorOutcome(res.status, safeJson(res.body)).authCode ?? 'failure';
      throw new RefreshRejectedError(`BEMServer refused the refresh token (${code})`);
    }
    return this.tokenPair(call, res);
  }

  private tokenPair(call: RouteCall, res: RawResponse): LoginResult {
    if (res.status < 200 || res.status >= 300) throw this.http.statusError(call, res);
    const body = this.http.parse(call, res, (b) => {
      const t = b as { status?: unknown; access_token?: unknown; refresh_token?: unknown };
      if (t?.status !== 'success' || typeof t.access_token !== 'string' || typeof t.refresh_token !== 'string') {
        throw new Error('the token answer has no status "success" with access_token and refresh_token');
      }
      return { access: t.access_token, refresh: t.refresh_token };
    });
    // Lifetimes from the tokens' own `exp`, against the server's clock (its Date header): immune to clock skew.
    const dateHeader = res.headers.date;
    const serverNow = typeof dateHeader === 'string' && Number.isFinite(Date.parse(dateHeader)) ? Date.parse(dateHeader) : Date.now();
    const lifetime = (token: string, fallback: number): number => {
      const exp = jwtExpiry(token);
      // A token without `exp` never expires (§2.3): renew it like a default one anyway.
      return exp === null ? fallback : Math.max(1000, exp * 1000 - serverNow);
    };
    return {
      token: body.access,
      expiresInMs: lifetime(body.access, DEFAULT_ACCESS_MS),
      refreshToken: body.refresh,
      refreshExpiresInMs: lifetime(body.refresh, DEFAULT_REFRESH_MS),
    };
  }

  /** A list that is not paginated (§4): the whole array. */
  list<T>(route: string, path: string, map: (body: unknown) => T[], params?: Record<string, string>): Promise<T[]> {
    return this.http.json(this.get(route, path, new URLSearchParams(params)), map);
  }

  /**
   * Every page of a paginated list (`/timeseries/` and the `timeseries_by_…` lists): the first page's
   * X-Pagination tells how many there are; the rest are fetched together, a few at a time (§4). The
   * link lists take no `sort` (§4 quirk 6): counted and read again where they do not add up (pages.ts).
   */
  walk<T>(route: string, path: string, map: (body: unknown) => T[], params: Record<string, string> = {}): Promise<T[]> {
    return wholeList(() => this.walkOnce(route, path, map, params), {
      upstream: BEMSERVER,
      label: 'BEMServer',
      route,
      logger: this.http.options.logger,
      strict: true,
    });
  }

  private async walkOnce<T>(
    route: string,
    path: string,
    map: (body: unknown) => T[],
    params: Record<string, string>,
  ): Promise<ListRead<T>> {
    const page = async (n: number) => {
      const call = this.get(route, path, new URLSearchParams({ ...params, sort: 'name', page: String(n), page_size: String(PAGE_SIZE) }));
      const res = await this.http.call(call);
      if (res.status < 200 || res.status >= 300) throw this.http.statusError(call, res);
      const { items, ids } = this.http.parse(call, res, (body) => ({ items: map(body), ids: rowIds(body) }));
      return { items, ids, pagination: parsePagination(res.headers['x-pagination']) };
    };
    const first = await page(1);
    const pages = first.pagination?.totalPages ?? 1;
    const rest = pages <= 1 ? [] : await Promise.all(Array.from({ length: pages - 1 }, (_, i) => this.limit(() => page(i + 2))));
    return joinPages([first, ...rest], first.pagination?.total ?? null);
  }

  /**
   * `GET /timeseries_data/` (raw) or `/aggregate` (buckets) for many series in one call, split
   * only where the request target would exceed maxUrlLength (§7.1, §7.2, §7.5).
   */
  async data(ids: string[], window: DataWindow, bucket: Bucket | null, signal?: AbortSignal): Promise<Map<string, SeriesResult>> {
    const route = bucket ? 'aggregate' : 'data';
    const path = bucket ? '/timeseries_data/aggregate' : '/timeseries_data/';
    const base = new URLSearchParams({
      start_time: isoZ(window.startMs),
      end_time: isoZ(window.endMs), // excluded (§7.2)
      data_state: String(window.dataStateId),
      timezone: window.timeZone ?? 'UTC',
    });
    if (bucket) {
      base.set('bucket_width_value', String(bucket.widthValue));
      base.set('bucket_width_unit', bucket.widthUnit);
      base.set('aggregation', bucket.aggregation);
    }
    const chunks = this.splitIds(path, base, ids);
    const parts = await Promise.all(
      chunks.map((chunk) => {
        const search = new URLSearchParams(base);
        for (const id of chunk) search.append('timeseries', id); // repeated keys, not a comma list (§1.3)
        const call = { ...this.get(route, path, search), signal };
        // Shared before the concurrency limit: a read that joins one in flight takes no slot.
        return this.http.dedupe(call, (c) =>
          this.limit(() => this.readJson(c, (body) => (bucket ? mapAggregateJson(body, chunk) : mapDataJson(body, chunk)))),
        );
      }),
    );
    return new Map(parts.flatMap((m) => [...m]));
  }

  /** `GET /timeseries_data/stats` for many series (§7.6). */
  async stats(ids: string[], dataStateId: number, signal?: AbortSignal): Promise<Map<string, BemStats>> {
    const path = '/timeseries_data/stats';
    const base = new URLSearchParams({ data_state: String(dataStateId), timezone: 'UTC' });
    const parts = await Promise.all(
      this.splitIds(path, base, ids).map((chunk) => {
        const search = new URLSearchParams(base);
        for (const id of chunk) search.append('timeseries', id);
        const call = { ...this.get('stats', path, search), signal };
        return this.http.dedupe(call, (c) => this.limit(() => this.readJson(c, (body) => mapStats(body, chunk))));
      }),
    );
    return new Map(parts.flatMap((m) => [...m]));
  }

  /** `POST /timeseries_data/?data_state=N` (JSON): 201 with body `null`. Existing points are kept, not overwritten (§7.7). */
  async postData(body: Record<string, Record<string, number>>, dataStateId: number): Promise<void> {
    const call: RouteCall = {
      route: 'postData',
      method: 'POST',
      path: '/timeseries_data/',
      searchParams: new URLSearchParams({ data_state: String(dataStateId) }),
      json: body,
      idempotent: false,
      auth: this.auth,
    };
    const res = await this.http.call(call);
    if (res.status === 201 || res.status === 200) return;
    throw this.rejection(call, res);
  }

  /** A read whose 4xx answers keep the upstream's message and the fields it names. */
  private async readJson<T>(call: RouteCall, parse: (body: unknown) => T): Promise<T> {
    const res = await this.http.call(call);
    if (res.status >= 200 && res.status < 300) return this.http.parse(call, res, parse);
    throw this.rejection(call, res);
  }

  /** 400, 404, 409 and 422 (field errors) keep BEMServer's message and fields; other statuses as usual (§1.4, §7.9). */
  private rejection(call: RouteCall, res: RawResponse): GatewayError {
    if (res.status !== 409 && res.status !== 422 && res.status !== 400 && res.status !== 404) return this.http.statusError(call, res);
    const o = bemErrorOutcome(res.status, safeJson(res.body));
    return this.http.rejected(call, res.status, o.message, { fields: o.fields });
  }

  /** Id lists cut so that each request target stays under maxUrlLength. */
  private splitIds(path: string, base: URLSearchParams, ids: string[]): string[][] {
    const fixed = path.length + 1 + base.toString().length + new URL(this.http.options.baseUrl).pathname.length;
    const chunks: string[][] = [];
    let current: string[] = [];
    let length = fixed;
    for (const id of ids) {
      const add = '&timeseries='.length + encodeURIComponent(id).length;
      if (current.length > 0 && length + add > this.options.maxUrlLength) {
        chunks.push(current);
        current = [];
        length = fixed;
      }
      current.push(id);
      length += add;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function tokenStatus(res: RawResponse): unknown {
  const body = safeJson(res.body);
  return body && typeof body === 'object' ? (body as { status?: unknown }).status : undefined;
}
