// One HTTP client per upstream, on got: one got instance per upstream (`extend`) with its timeout,
// retries for idempotent reads only (408/429/5xx and network failures, Retry-After honoured up to
// the timeout), decompression, redirects on the same origin only, the service-account token put on
// each call by a hook and one refresh-and-retry on 401 by another, AbortSignal support, a cap on
// the size of an answer; and the mapping of every failure to the gateway's closed error set.
import http from 'node:http';
import https from 'node:https';
import got, { type Got, type Hooks, type OptionsOfBufferResponseBody, type PlainResponse, type Response } from 'got';
import type { Logger } from '../logger.js';
import type { UpstreamObserver } from './observer.js';
import type { UpstreamPolicy } from './policy.js';
import type { UpstreamName } from '../shared/domain.js';
import { abandonedError, deadlineOf, requestIdOf, setRequestId } from '../shared/abandoned.js';
import { inSpan, traceHeaders } from '../shared/tracing.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
  /** Largest answer read, once decompressed (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  /** Concurrency, rate and breaker across every request (none: calls go out as they come). */
  policy?: UpstreamPolicy;
  /** Every secret the process knows, replaced: applied before an upstream's text is cut short. */
  redact?: (text: string) => string;
  /** Told of every call and every shared read (metrics). */
  observer?: UpstreamObserver;
}

export interface RouteCall {
  /** Route name for errors and logs: 'getData'. */
  route: string;
  method: Method;
  path: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  searchParams?: Record<string, string | number | boolean> | URLSearchParams;
  /** Retried on network errors, 408, 429 and 5xx when true; never a write or a login. */
  idempotent: boolean;
  auth: AuthScheme | null;
  /** Extra request headers (an exact Accept, a refresh token as the credential). */
  headers?: Record<string, string>;
  /**
   * The call carries the service account's password or refresh token (a login, a refresh): what
   * the upstream answers may quote it, so none of its text reaches a client (the log keeps it,
   * with every known secret redacted).
   */
  sendsCredentials?: boolean;
  /**
   * A reachability probe (readiness, the `upstreams` field): it goes out at once, outside the
   * upstream's slots, rate limit and breaker, counts for none of them, and makes no span. Held
   * back by the gateway's own limits, a probe would call a healthy upstream unreachable.
   */
  probe?: boolean;
  /**
   * Abandons the call (and its retries) when aborted: the request's, which aborts when its client
   * leaves, its deadline passes or the gateway shuts down. A call shared through `dedupe` runs on a
   * signal of its own, abandoned only when every caller has left.
   */
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  /** The body as text (UTF-8). */
  readonly body: string;
  /** The body as it came (decompressed), for a reader that needs no text (Meetnet's getData). */
  readonly bytes: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * An answer whose body is decoded only when something asks for its text: decoding a year of
 * Meetnet's getData (3 MB) costs a few ms, and its reader reads the bytes instead.
 */
class Answer implements RawResponse {
  private text: string | undefined;
  constructor(
    readonly status: number,
    readonly bytes: Buffer,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {}

  get body(): string {
    return (this.text ??= this.bytes.toString('utf8'));
  }
}

/**
 * Largest answer read, once decompressed. A year of getData for a hundred series is about 300 MB;
 * beyond about 512 MB V8 cannot hold the text as one string at all, and a small compressed body
 * can expand to that (the call is cancelled as soon as the answer passes this size).
 */
export const MAX_ANSWER_BYTES = 400 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** The least time a retry is worth starting with before the request's deadline. */
const MIN_ATTEMPT_MS = 250;

/** Where a call goes (path and query, under the base URL's path) and what it carries, worked out once. */
interface Target {
  url: string;
  body: string | undefined;
  contentType: string | undefined;
}

/** What the hooks need of a call: got hands it to them as the call's context. */
interface CallContext extends Record<string, unknown> {
  auth?: AuthScheme | null;
  policy?: UpstreamPolicy;
  token?: string;
  refreshed?: boolean;
}

const RETRY_STATUS = [408, 429, 500, 502, 503, 504];
/** Failures worth another try of an idempotent read: the upstream may answer the next one. */
const RETRY_CODES = ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN'];
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * A failure of the token provider inside a hook (a refused login, a bug). got wraps whatever a hook
 * throws in its own RequestError, with the thrown error's `code` (so an error coded ECONNREFUSED
 * would be retried as a network failure); this wrapper keeps it apart: it is not retried and comes
 * out as it was thrown.
 */
class HookFailure extends Error {
  constructor(readonly failure: unknown) {
    super('a hook of the upstream HTTP client failed');
    this.name = 'HookFailure';
  }
}

/** Errors of the hooks (a refused or failed login), as the calls that waited for them threw them. */
const fromHooks = new WeakSet<object>();

async function inHook<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new HookFailure(err);
  }
}

/** The hooks every upstream's got instance has: they read the call's auth scheme from its context. */
const hooks: Partial<Hooks> = {
  beforeRequest: [
    // Every attempt, a retry too, waits for room under the upstream's rate limit.
    async (options) => {
      const { policy } = options.context as CallContext;
      if (policy) await inHook(() => policy.attempt(options.signal as AbortSignal | undefined));
    },
    // The service-account token, on calls that carry one (a retry keeps the one it had).
    async (options) => {
      const context = options.context as CallContext;
      const auth = context.auth;
      if (!auth || options.headers.authorization) return;
      context.token = await inHook(() => auth.getToken());
      options.headers.authorization = auth.header(context.token);
    },
  ],
  afterResponse: [
    // The token expired or was revoked upstream: forget it, log in again, retry once. The retry
    // does not use up one of the read's own retries.
    async (response, retryWithMergedOptions) => {
      const { context, retry } = response.request.options;
      const { auth, token, refreshed } = context as CallContext;
      if (response.statusCode !== 401 || !auth || refreshed || token === undefined) return response;
      const fresh = await inHook(async () => {
        await auth.invalidate(token);
        return auth.getToken();
      });
      return retryWithMergedOptions({
        headers: { authorization: auth.header(fresh) },
        context: { token: fresh, refreshed: true },
        retry: { limit: (retry.limit ?? 0) + 1 },
      });
    },
  ],
  beforeRedirect: [
    // A 303 turns the call into a GET without a body: its content type goes with the body.
    (options) => {
      if (options.method === 'GET') delete options.headers['content-type'];
    },
  ],
};

/** Whether a redirect stays on the origin of the call it answers: only those are followed. */
function sameOrigin(response: PlainResponse): boolean {
  const location = response.headers.location;
  if (typeof location !== 'string') return false;
  try {
    // BEMServer answers 308 to a collection URL without its trailing slash (bemserver CONTRACT.md §1.1).
    return new URL(location, response.url).origin === new URL(response.url).origin;
  } catch {
    return false;
  }
}

export class UpstreamHttp {
  /** How far the upstream's clock is ahead of ours, from its last Date header (1 s resolution). */
  private clockOffsetMs = 0;
  private readonly got: Got;
  /** The base URL with one trailing slash: calls are resolved under it, its path kept. */
  private readonly base: string;
  private readonly inflight = new Map<string, Shared<unknown>>();
  /** Each call's target, worked out once: for its dedupe key, its exchange and every retry of it. */
  private readonly targets = new WeakMap<RouteCall, Target>();

  constructor(readonly options: UpstreamHttpOptions) {
    this.base = options.baseUrl.replace(/\/*$/, '/');
    this.got = got.extend({
      prefixUrl: this.base,
      timeout: { request: options.timeoutMs },
      retry: {
        limit: options.retries,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        statusCodes: RETRY_STATUS,
        errorCodes: RETRY_CODES,
        // A Retry-After longer than the call's timeout is not waited for: the error says it.
        maxRetryAfter: options.timeoutMs,
        calculateDelay: ({ attemptCount, computedValue, retryAfter, error }) => {
          // The retry after a 401 with a fresh token goes at once (got calls it a RetryError and
          // would otherwise wait out the 401's own Retry-After, whatever its length).
          if (error.name === 'RetryError') return 1;
          if (computedValue === 0) return 0;
          // A timeout used the call's whole budget: another try would double the wait (a hanging
          // upstream held a dashboard 45 s with two retries) and the load on a struggling upstream.
          if (error.name === 'TimeoutError') return 0;
          // A user waits on this: about 100 ms, 200 ms, 400 ms... at most 1 s, each between half and
          // all of it (jitter: replicas that failed together do not retry together), or what the
          // upstream asked for.
          const backoff = Math.min(100 * 2 ** (attemptCount - 1), 1000) * (0.5 + Math.random() / 2);
          const delay = Math.max(backoff, Number.isFinite(retryAfter) ? retryAfter! : 0);
          // No retry that could not end before the request's deadline: it would be cut anyway.
          const deadline = deadlineOf(error.options.signal as AbortSignal | undefined);
          if (deadline !== undefined && Date.now() + delay + MIN_ATTEMPT_MS > deadline) return 0;
          return delay;
        },
      },
      throwHttpErrors: false,
      followRedirect: sameOrigin,
      maxRedirects: MAX_REDIRECTS,
      decompress: true,
      responseType: 'buffer',
      agent: agents,
      headers: { accept: 'application/json', 'user-agent': 'monitoring-graphql-gateway' },
      hooks,
    });
  }

  /** The upstream's name (errors' `upstream`). */
  get upstream(): UpstreamName {
    return this.options.upstream;
  }

  /**
   * Identical reads in flight at the same time, from any client request, share one upstream call
   * and its mapped result, as Cosmo Router's origin request deduplication does: twenty viewers of
   * one dashboard refreshing the same window cost the upstream one call, not twenty. The entry
   * lives only while the call is in flight (nothing is served later from it, so nothing can be
   * stale). Every caller uses the same service account, so sharing shows no one anything they
   * could not read. `read` must depend on `call` alone, and callers treat the result as frozen.
   */
  dedupe<T>(call: RouteCall, read: (call: RouteCall) => Promise<T>): Promise<T> {
    // A request already abandoned sends nothing more (its loaders may still be working through a queue).
    if (call.signal?.aborted) return Promise.reject(this.abandoned(call, call.signal.reason));
    if (this.options.deduplicate === false || !call.idempotent) return read(call);
    const target = this.target(call);
    const key = `${call.route} ${call.method} ${target.url} ${call.headers ? JSON.stringify(call.headers) : ''} ${target.body ?? ''}`;
    let entry = this.inflight.get(key) as Shared<T> | undefined;
    if (!entry) {
      // The shared call runs on a signal of its own: one caller leaving must not fail the others.
      const controller = new AbortController();
      // Its lines name the request that started it (the others joined it).
      const first = requestIdOf(call.signal);
      if (first) setRequestId(controller.signal, first);
      const shared: RouteCall = { ...call, signal: controller.signal };
      this.targets.set(shared, target);
      const started: Shared<T> = { controller, waiting: 0, pinned: false, result: Promise.resolve() as Promise<T> };
      started.result = read(shared).finally(() => {
        if (this.inflight.get(key) === started) this.inflight.delete(key);
      });
      this.inflight.set(key, (entry = started));
    } else this.options.observer?.deduplicated(this.options.upstream, call.route);
    return this.join(key, entry, call);
  }

  /**
   * A caller's share of a shared call: its answer, or its own abandonment as soon as its signal
   * aborts. The shared call is abandoned when every caller that can leave has left.
   */
  private join<T>(key: string, entry: Shared<T>, call: RouteCall): Promise<T> {
    const signal = call.signal;
    if (!signal) {
      entry.pinned = true; // a caller that cannot leave keeps the call going
      return entry.result;
    }
    if (signal.aborted) return Promise.reject(this.abandoned(call, signal.reason));
    entry.waiting++;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        entry.waiting--;
        reject(this.abandoned(call, signal.reason));
        if (entry.waiting === 0 && !entry.pinned) {
          if (this.inflight.get(key) === entry) this.inflight.delete(key);
          entry.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      entry.result.then(
        (v) => {
          signal.removeEventListener('abort', leave);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /**
   * Sends the call without the service-account token (a login, a public route), retrying an
   * idempotent one; the answer's status is the caller's to judge (see `json`).
   */
  send(call: RouteCall): Promise<RawResponse> {
    return this.exchange(call, null);
  }

  /** Sends the call with the service-account token (401: refresh once); any status comes back. */
  async call(call: RouteCall): Promise<RawResponse> {
    const res = await this.exchange(call, call.auth);
    if (res.status === 401 && call.auth) {
      throw new GatewayError(
        ErrorCode.UPSTREAM_AUTH_FAILED,
        `${this.options.label} refused the service account's token for ${call.route} (HTTP 401)`,
        {
          upstream: this.options.upstream,
        },
      );
    }
    return res;
  }

  private async exchange(call: RouteCall, auth: AuthScheme | null): Promise<RawResponse> {
    const started = performance.now();
    let outcome = 'ERROR';
    try {
      const attributes = { 'gateway.upstream': this.options.upstream, 'gateway.route': call.route, 'http.request.method': call.method };
      const res = await inSpan(`${this.options.label} ${call.route}`, call.probe ? 'none' : 'client', attributes, async (span) => {
        // Taken here, where the span is current: the policy's queue may run the call in another context.
        const answer = await this.governed(call, auth, traceHeaders());
        span?.setAttribute('http.response.status_code', answer.status);
        return answer;
      });
      outcome = String(res.status);
      return res;
    } catch (err) {
      // A call that never went out because its token could not be had is not the route's failure.
      if (fromHooks.has(err as object)) outcome = 'NO_TOKEN';
      else if (err instanceof GatewayError) outcome = String(err.details.reason ?? err.details.status ?? err.code);
      throw err;
    } finally {
      const ms = performance.now() - started;
      this.options.observer?.call(this.options.upstream, call.route, outcome, ms / 1000);
      // The route and method, never the URL's query or the body: they may carry what was sent.
      this.options.logger.debug('upstream call', {
        upstream: this.options.upstream,
        route: call.route,
        method: call.method,
        outcome,
        ms: Math.round(ms),
        requestId: requestIdOf(call.signal),
      });
    }
  }

  /** The call through the upstream's policy: its slot, its breaker, its rate. */
  private async governed(call: RouteCall, auth: AuthScheme | null, trace: Record<string, string>): Promise<RawResponse> {
    if (call.signal?.aborted) throw this.abandoned(call, call.signal.reason);
    const policy = this.options.policy;
    // A login or refresh skips the slots and the breaker: the calls that wait for its token hold
    // slots already (with every slot taken, it would wait for them forever).
    if (!policy || call.sendsCredentials || call.probe) return this.attempt(call, auth, trace);
    try {
      return await policy.run(
        () => this.attempt(call, auth, trace),
        (res) => res.status >= 500 || res.status === 408,
        call.signal,
      );
    } catch (err) {
      // Given up while waiting for a slot.
      if (call.signal?.aborted && !(err instanceof GatewayError)) throw this.abandoned(call, call.signal.reason, err);
      throw err;
    }
  }

  /** One call and its retries; `trace`: the W3C trace context headers to pass on. */
  private async attempt(call: RouteCall, auth: AuthScheme | null, trace: Record<string, string>): Promise<RawResponse> {
    const { url, body, contentType } = this.target(call);
    const options: OptionsOfBufferResponseBody = {
      method: call.method,
      responseType: 'buffer',
      body,
      context: { auth, ...(this.options.policy && !call.probe ? { policy: this.options.policy } : {}) } satisfies CallContext,
      retry: { limit: call.idempotent ? this.options.retries : 0 },
      ...(call.signal ? { signal: call.signal } : {}),
    };
    if (call.headers || contentType || trace.traceparent) {
      options.headers = { ...(contentType ? { 'content-type': contentType } : {}), ...trace, ...call.headers };
    }
    const max = this.options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    let tooLarge = false;
    const pending = this.got(url, options);
    // Counted once decompressed: a small gzip body can expand past anything V8 can hold.
    pending.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > max && !tooLarge) {
        tooLarge = true;
        pending.cancel();
      }
    });
    let res: Response<Buffer>;
    try {
      res = await pending;
    } catch (err) {
      // A hook's own failure (the service account's login was refused, or a bug) comes out as
      // it was thrown: the closed set's errors go to the client, anything else is masked and logged.
      const own = (err as { cause?: unknown }).cause;
      if (own instanceof HookFailure) {
        if (own.failure instanceof Error) fromHooks.add(own.failure);
        throw own.failure;
      }
      throw this.transportError(call, tooLarge ? new TransportRefusal(`answered more than ${max} bytes`, 'ANSWER_TOO_LARGE') : err);
    }
    if (REDIRECT_STATUS.has(res.statusCode) && res.headers.location !== undefined) throw this.transportError(call, refusedRedirect(res));
    const date = res.headers.date;
    if (typeof date === 'string') {
      const t = Date.parse(date);
      if (Number.isFinite(t)) this.clockOffsetMs = t - Date.now();
    }
    return new Answer(res.statusCode, res.body, res.headers);
  }

  /** Where a call goes and what it carries. */
  private target(call: RouteCall): Target {
    let known = this.targets.get(call);
    if (!known) this.targets.set(call, (known = targetOf(call)));
    return known;
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
   * given, reads the body's bytes directly and is tried first; it answers undefined when unsure
   * (the body is then decoded and parsed).
   */
  async json<T>(call: RouteCall, parse: (body: unknown) => T, read?: (bytes: Buffer) => T | undefined): Promise<T> {
    const res = await this.call(call);
    if (res.status < 200 || res.status >= 300) throw this.statusError(call, res);
    const fast = read?.(res.bytes);
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
        requestId: requestIdOf(call.signal),
        status: res.status,
        body: this.excerpt(res.body, 500),
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
        requestId: requestIdOf(call.signal),
        error: err instanceof Error ? err.message : String(err),
      });
      throw new GatewayError(
        ErrorCode.UPSTREAM_BAD_RESPONSE,
        `${this.options.label} answered ${call.route} with an unexpected shape: ${err instanceof Error ? err.message : 'unreadable'}`,
        { upstream: this.options.upstream, cause: err },
      );
    }
  }

  /**
   * UPSTREAM_AUTH_FAILED for a login the upstream refused. Its answer may quote the password it
   * was sent: the log gets it (redacted), the client only the status and what to check.
   */
  loginRefused(call: RouteCall, res: RawResponse, check: string, how = `HTTP ${res.status}`): GatewayError {
    this.options.logger.warn('upstream refused the service account', {
      upstream: this.options.upstream,
      route: call.route,
      requestId: requestIdOf(call.signal),
      status: res.status,
      body: this.excerpt(res.body, 500),
    });
    return new GatewayError(
      ErrorCode.UPSTREAM_AUTH_FAILED,
      `${this.options.label} refused the service account's login (${how}); check ${check}`,
      { upstream: this.options.upstream, status: res.status },
    );
  }

  statusError(call: RouteCall, res: RawResponse): GatewayError {
    const upstream = this.options.upstream;
    const label = this.options.label;
    // Raw bodies go to the log only; the client gets the upstream's own message, trimmed.
    this.options.logger.warn('upstream answered with an error status', {
      upstream,
      route: call.route,
      requestId: requestIdOf(call.signal),
      status: res.status,
      body: this.excerpt(res.body, 500),
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
        { upstream, status: 429, reason: 'RATE_LIMITED', ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}) },
      );
    }
    if (res.status >= 500 || res.status === 408) {
      return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${label} failed to answer ${call.route} (HTTP ${res.status})`, {
        upstream,
        status: res.status,
      });
    }
    return this.rejected(call, res.status, call.sendsCredentials ? null : upstreamMessage(this.excerpt(res.body, 4096)));
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

  /**
   * The first `length` characters of an upstream's text, secrets redacted first: a secret the cut
   * went through would no longer be recognised, and its first part would go out.
   */
  private excerpt(text: string, length: number): string {
    // A secret is far shorter than 1 kB: one that starts before the cut ends within the margin.
    const head = text.slice(0, length + 1024);
    return (this.options.redact ? this.options.redact(head) : head).slice(0, length);
  }

  /** A call given up because its request was abandoned (deadline, client gone, shutdown) or its signal aborted. */
  private abandoned(call: RouteCall, reason: unknown, cause?: unknown): GatewayError {
    return abandonedError({ name: this.options.upstream, label: this.options.label }, call.route, reason, cause);
  }

  private transportError(call: RouteCall, err: unknown): GatewayError {
    const upstream = this.options.upstream;
    const label = this.options.label;
    const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
    if (code === 'ETIMEDOUT') {
      return new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${label} did not answer ${call.route} within ${this.options.timeoutMs} ms`, {
        upstream,
        reason: 'TIMEOUT',
        cause: err,
      });
    }
    if (code === 'ERR_ABORTED') return this.abandoned(call, call.signal?.reason, err);
    this.options.logger.warn('upstream request failed', { upstream, route: call.route, code, requestId: requestIdOf(call.signal) });
    // The gateway's own refusals say what happened (a redirect elsewhere, an oversized answer);
    // network errors say only their code (their messages can hold addresses of the machine).
    const refusal =
      err instanceof TransportRefusal
        ? err
        : code === 'ERR_TOO_MANY_REDIRECTS'
          ? new TransportRefusal(`redirected more than ${MAX_REDIRECTS} times`, 'TOO_MANY_REDIRECTS')
          : null;
    return new GatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      refusal
        ? `${label} ${refusal.message} (${call.route})`
        : `${label} could not be reached for ${call.route}${code ? ` (${code})` : ''}`,
      // got's own codes (ERR_…) say nothing a client can act on: NETWORK, as for an error without a code.
      { upstream, reason: refusal?.code ?? (code && !code.startsWith('ERR_') ? code : 'NETWORK'), cause: err },
    );
  }
}

interface Shared<T> {
  result: Promise<T>;
  controller: AbortController;
  /** Callers with a signal still waiting. */
  waiting: number;
  /** A caller without a signal joined: the call is never abandoned. */
  pinned: boolean;
}

/** What the gateway refuses of an answer itself, with a message that says what to change. */
class TransportRefusal extends Error {
  constructor(
    message: string,
    readonly code: 'REDIRECT_ELSEWHERE' | 'TOO_MANY_REDIRECTS' | 'BAD_REDIRECT' | 'ANSWER_TOO_LARGE',
  ) {
    super(message);
    this.name = 'TransportRefusal';
  }
}

/**
 * A redirect that was not followed. One to another origin (http to https included) would take the
 * service account's token with it: the error names the origin, for the base URL to be set to it.
 */
function refusedRedirect(res: PlainResponse): TransportRefusal {
  try {
    const next = new URL(String(res.headers.location), res.url);
    return new TransportRefusal(
      `redirected to another origin (${next.origin}), not followed: point the base URL there`,
      'REDIRECT_ELSEWHERE',
    );
  } catch {
    return new TransportRefusal('redirected to an unreadable Location', 'BAD_REDIRECT');
  }
}

function targetOf(call: RouteCall): Target {
  let url = call.path.replace(/^\//, '');
  const sp = call.searchParams;
  const search = !sp
    ? ''
    : sp instanceof URLSearchParams
      ? sp.toString()
      : new URLSearchParams(Object.entries(sp).map(([k, v]): [string, string] => [k, String(v)])).toString();
  if (search) url += `?${search}`;
  if (call.json !== undefined) return { url, body: JSON.stringify(call.json), contentType: 'application/json' };
  if (call.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(call.form)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    return { url, body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  return { url, body: undefined, contentType: undefined };
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
