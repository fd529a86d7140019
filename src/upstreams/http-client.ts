// One client for every upstream's HTTP: keep-alive, timeouts, retries only where a route says it
// is idempotent, the service-account token on each call with one refresh-and-retry on 401, and the
// mapping of every failure to the gateway's closed error set.
import { exchange, TransportError, TransportTimeout, type Answer, type Method } from './transport.js';
import type { UpstreamName } from '../shared/domain.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import type { Logger } from '../logger.js';

export interface AuthScheme {
  getToken(): Promise<string>;
  invalidate(token: string): Promise<void>;
  /** The Authorization header value for a token (`Bearer x`, or the bare token for FlexMeasures). */
  header(token: string): string;
}

export interface UpstreamHttpOptions {
  upstream: UpstreamName;
  /** Human name used in error messages: "Meetnet". */
  label: string;
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  logger: Logger;
  /** Identical reads in flight at once share one call (see `dedupe`); on unless said otherwise. */
  deduplicate?: boolean;
}

export interface RouteCall {
  /** Route name for errors and logs: 'getData'. */
  route: string;
  method: Method;
  path: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  searchParams?: Record<string, string | number | boolean> | URLSearchParams;
  /** Retried on network errors and 5xx when true; never a write or a login. */
  idempotent: boolean;
  auth: AuthScheme | null;
  /** Extra request headers (an exact Accept, a refresh token as the credential). */
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Refusals of the transport itself, whose messages say what to change. */
const OWN_CODES = new Set(['REDIRECT_ELSEWHERE', 'TOO_MANY_REDIRECTS', 'BAD_REDIRECT', 'ANSWER_TOO_LARGE']);
interface Target {
  path: string;
  body: string | null;
  contentType: string | null;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Failures worth another try of an idempotent read: the upstream may answer the next one. */
const RETRY_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN']);

export class UpstreamHttp {
  /** Calls this client made, by route (for the `upstreams` status and for benchmarks). */
  readonly calls = new Map<string, number>();
  /** How far the upstream's clock is ahead of ours, from its last Date header (1 s resolution). */
  private clockOffsetMs = 0;
  private readonly origin: URL;
  /** The base URL's path without its trailing slash ('' for a bare host). */
  private readonly basePath: string;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Each call's target, worked out once: for its dedupe key, its exchange and every retry of it. */
  private readonly targets = new WeakMap<RouteCall, Target>();

  constructor(readonly options: UpstreamHttpOptions) {
    this.origin = new URL(options.baseUrl);
    this.basePath = this.origin.pathname.replace(/\/+$/, '');
  }

  /**
   * Identical reads in flight at the same time, from any client request, share one upstream call
   * and its mapped result, as Cosmo Router's origin request deduplication does: twenty viewers of
   * one dashboard refreshing the same window cost the upstream one call, not twenty. The entry
   * lives only while the call is in flight (nothing is served later from it, so nothing can be
   * stale). Every caller uses the same service account, so sharing shows no one anything they
   * could not read. `read` must depend on `call` alone, and callers treat the result as frozen.
   */
  dedupe<T>(call: RouteCall, read: () => Promise<T>): Promise<T> {
    if (this.options.deduplicate === false || !call.idempotent) return read();
    const { path, body } = this.target(call);
    const key = `${call.route} ${call.method} ${path} ${call.headers ? JSON.stringify(call.headers) : ''} ${body ?? ''}`;
    const pending = this.inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const started = read().finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }

  /** Sends the call (retrying an idempotent one); the answer's status is the caller's to judge (see `json`). */
  async send(call: RouteCall, token: string | null): Promise<RawResponse> {
    this.calls.set(call.route, (this.calls.get(call.route) ?? 0) + 1);
    const request = this.exchangeOf(call, token);
    const retries = call.idempotent ? this.options.retries : 0;
    for (let attempt = 0; ; attempt++) {
      let answer: Answer;
      try {
        answer = await exchange(request);
      } catch (err) {
        if (attempt < retries && RETRY_CODES.has((err as { code?: string }).code ?? '')) {
          await backoff(attempt, 0);
          continue;
        }
        throw this.transportError(call, err);
      }
      if (attempt < retries && RETRY_STATUS.has(answer.status)) {
        // A Retry-After longer than the call's timeout is not waited for: the error says it.
        const after = retryAfterMs(answer.headers['retry-after']);
        if (after === null || after <= this.options.timeoutMs) {
          await backoff(attempt, after ?? 0);
          continue;
        }
      }
      const date = answer.headers.date;
      if (typeof date === 'string') {
        const t = Date.parse(date);
        if (Number.isFinite(t)) this.clockOffsetMs = t - Date.now();
      }
      return { status: answer.status, body: answer.body, headers: answer.headers };
    }
  }

  private exchangeOf(call: RouteCall, token: string | null) {
    const { path, body, contentType } = this.target(call);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'monitoring-graphql-gateway', ...call.headers };
    if (contentType) headers['content-type'] = contentType;
    if (token !== null && call.auth) headers.authorization = call.auth.header(token);
    return { method: call.method, origin: this.origin, path, headers, body, timeoutMs: this.options.timeoutMs };
  }

  /** Where a call goes (path and query, under the base URL's path) and what it carries. */
  private target(call: RouteCall): Target {
    let known = this.targets.get(call);
    if (!known) this.targets.set(call, (known = this.targetOf(call)));
    return known;
  }

  private targetOf(call: RouteCall): Target {
    let path = `${this.basePath}/${call.path.replace(/^\//, '')}`;
    const sp = call.searchParams;
    const search = !sp
      ? ''
      : sp instanceof URLSearchParams
        ? sp.toString()
        : new URLSearchParams(Object.entries(sp).map(([k, v]): [string, string] => [k, String(v)])).toString();
    if (search) path += `?${search}`;
    if (call.json !== undefined) return { path, body: JSON.stringify(call.json), contentType: 'application/json' };
    if (call.form) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(call.form)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
      return { path, body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    return { path, body: null, contentType: null };
  }

  /**
   * "Now" on the upstream's clock, as its last answer said: windows such as "the last day" are
   * asked in the upstream's time, whatever the skew between the two machines.
   */
  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /**
   * A call whose 2xx JSON body is handed to `parse`; 401 refreshes the token once. `read`, where
   * given, reads the body text directly and is tried first; it answers undefined when unsure.
   */
  async json<T>(call: RouteCall, parse: (body: unknown) => T, read?: (text: string) => T | undefined): Promise<T> {
    const res = await this.call(call);
    if (res.status < 200 || res.status >= 300) throw this.statusError(call, res);
    const fast = read?.(res.body);
    return fast !== undefined ? fast : this.parse(call, res, parse);
  }

  /** Parses a JSON body with `parse`; an unreadable body or shape is UPSTREAM_BAD_RESPONSE. */
  parse<T>(call: RouteCall, res: RawResponse, parse: (body: unknown) => T): T {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      this.options.logger.warn('upstream answered with a body that is not JSON', {
        upstream: this.options.upstream,
        route: call.route,
        status: res.status,
        body: res.body.slice(0, 500),
      });
      throw new GatewayError(ErrorCode.UPSTREAM_BAD_RESPONSE, `${this.options.label} answered ${call.route} with a body that is not JSON`, {
        upstream: this.options.upstream,
      });
    }
    try {
      return parse(body);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.options.logger.warn('upstream answered with an unexpected shape', {
        upstream: this.options.upstream,
        route: call.route,
        error: err instanceof Error ? err.message : String(err),
      });
      throw new GatewayError(
        ErrorCode.UPSTREAM_BAD_RESPONSE,
        `${this.options.label} answered ${call.route} with an unexpected shape: ${err instanceof Error ? err.message : 'unreadable'}`,
        { upstream: this.options.upstream, cause: err },
      );
    }
  }

  /** Sends the call with the service-account token (401: refresh once); any status comes back. */
  async call(call: RouteCall): Promise<RawResponse> {
    if (!call.auth) return this.send(call, null);
    const token = await call.auth.getToken();
    const res = await this.send(call, token);
    if (res.status !== 401) return res;
    // The token expired or was revoked upstream: forget it, log in again, retry once.
    await call.auth.invalidate(token);
    const fresh = await call.auth.getToken();
    const retried = await this.send(call, fresh);
    if (retried.status === 401) {
      throw new GatewayError(
        ErrorCode.UPSTREAM_AUTH_FAILED,
        `${this.options.label} refused the service account's fresh token for ${call.route}`,
        { upstream: this.options.upstream },
      );
    }
    return retried;
  }

  statusError(call: RouteCall, res: RawResponse): GatewayError {
    const upstream = this.options.upstream;
    const label = this.options.label;
    // Raw bodies go to the log only; the client gets the upstream's own message, trimmed.
    this.options.logger.warn('upstream answered with an error status', {
      upstream,
      route: call.route,
      status: res.status,
      body: res.body.slice(0, 500),
    });
    if (res.status === 401 || res.status === 403) {
      return new GatewayError(ErrorCode.UPSTREAM_AUTH_FAILED, `${label} refused access to ${call.route} (HTTP ${res.status})`, {
        upstream,
        status: res.status,
      });
    }
    if (res.status === 429) {
      const retryAfter = Number(res.headers['retry-after']);
      return new GatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `${label} is rate limiting the gateway (HTTP 429)${Number.isFinite(retryAfter) ? `; retry after ${retryAfter} s` : ''}`,
        {
          upstream,
          status: 429,
          reason: 'RATE_LIMITED',
          ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
        },
      );
    }
    if (res.status >= 500 || res.status === 408) {
      return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${label} failed to answer ${call.route} (HTTP ${res.status})`, {
        upstream,
        status: res.status,
      });
    }
    return this.rejected(call, res.status, upstreamMessage(res.body));
  }

  /**
   * UPSTREAM_REJECTED keeping what the upstream said: its message, and where it has them its own
   * code (FlexMeasures' INVALID_UNIT…) and the fields a validation error names.
   */
  rejected(
    call: RouteCall,
    status: number,
    message: string | null,
    extra: { upstreamCode?: string | null; fields?: string[] } = {},
  ): GatewayError {
    const code = extra.upstreamCode;
    return new GatewayError(
      ErrorCode.UPSTREAM_REJECTED,
      `${this.options.label} rejected ${call.route} (HTTP ${status}${code ? `, ${code}` : ''})${message ? `: ${message}` : ''}`,
      {
        upstream: this.options.upstream,
        status,
        ...('upstreamCode' in extra ? { upstreamCode: code } : {}),
        ...(message ? { upstreamMessage: message } : {}),
        ...(extra.fields?.length ? { fields: extra.fields } : {}),
      },
    );
  }

  private transportError(call: RouteCall, err: unknown): GatewayError {
    const upstream = this.options.upstream;
    const label = this.options.label;
    if (err instanceof TransportTimeout) {
      return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${label} did not answer ${call.route} within ${this.options.timeoutMs} ms`, {
        upstream,
        reason: 'TIMEOUT',
        cause: err,
      });
    }
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
    this.options.logger.warn('upstream request failed', { upstream, route: call.route, code });
    // The transport's own refusals say what happened (a redirect elsewhere, an oversized answer);
    // network errors say only their code (their messages can hold addresses of the machine).
    const said = err instanceof TransportError && OWN_CODES.has(err.code) ? err.message : null;
    return new GatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      said ? `${label} ${said} (${call.route})` : `${label} could not be reached for ${call.route}${code ? ` (${code})` : ''}`,
      { upstream, reason: code ?? 'NETWORK', cause: err },
    );
  }
}

/** The human part of an upstream error body (`Message`, `message`, `error_description`), bounded. */
export function upstreamMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const key of ['Message', 'message', 'error_description', 'error']) {
      const v = parsed?.[key];
      if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 300);
    }
  } catch {
    /* not JSON: no message to pass on */
  }
  return null;
}

/** Short backoff: a user waits on this. 100 ms, 200 ms, 400 ms... at most 1 s, or what the upstream asked. */
function backoff(attempt: number, atLeastMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(Math.min(100 * 2 ** attempt, 1000), atLeastMs)));
}

/** Retry-After in seconds or as an HTTP date, in ms from now; null when absent or unreadable. */
function retryAfterMs(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}
