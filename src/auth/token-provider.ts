// One service-account token per upstream: reused until shortly before it expires, fetched by one
// login at a time (single-flight in this process, a store lock across replicas), invalidated on 401.
// Upstreams with refresh tokens (BEMServer) renew an expired access token with the refresh token,
// under the same lock, and log in again only when the refresh token is expired or refused.
// A login the upstream refuses is remembered in the store for a backoff that grows with each
// refusal in a row (with jitter), for every replica: requests meanwhile fail at once with
// UPSTREAM_AUTH_FAILED instead of each trying again (a wrong password under load made 450 to 580
// logins in 5 s per upstream, enough for an upstream to lock the account).
import type { TokenStore, StoredToken, LoginRefusal } from './token-store.js';
import type { SecretRegistry, Logger } from '../logger.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';

export interface LoginResult {
  token: string;
  /** Lifetime the upstream announced. */
  expiresInMs: number;
  refreshToken?: string;
  refreshExpiresInMs?: number;
}

/** Thrown by a `refresh` function when the refresh token itself is no good: log in again. */
export class RefreshRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefreshRejectedError';
  }
}

export interface TokenProviderOptions {
  /** Store key, e.g. 'meetnet' → `gw:token:meetnet`. */
  key: string;
  store: TokenStore;
  login: () => Promise<LoginResult>;
  /** Renews the pair with a refresh token; throws RefreshRejectedError when that token is refused. */
  refresh?: (refreshToken: string) => Promise<LoginResult>;
  secrets: SecretRegistry;
  logger: Logger;
  clock?: () => number;
  /** How long the login lock is held at most (a crashed replica's lock expires by itself). */
  lockTtlMs?: number;
  /** How often a replica waiting for another's login looks for the token. */
  pollMs?: number;
  /** The wait after a first refused login; it doubles with each refusal in a row (default 5 s). */
  loginBackoffMs?: number;
  /** The longest wait (default 5 minutes). */
  loginBackoffMaxMs?: number;
  /** Told of each login, refresh, refusal and login held back (metrics). */
  observe?: (event: 'login' | 'refresh' | 'login-refused' | 'login-held-back') => void;
}

/** How long a refusal is remembered past its wait: the count of refusals in a row lives that long. */
const REFUSAL_MEMORY_MS = 15 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenProvider {
  private current: StoredToken | null = null;
  /**
   * Tokens a 401 has condemned. While invalidate() is still writing to the store, another request
   * may read the old record back: these are never taken as usable again.
   */
  private readonly dead = new Set<string>();
  private pending: Promise<string> | null = null;
  private readonly clock: () => number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  /** Logins (tried) and refreshes this process made, and logins held back by a refusal (tests and metrics read them). */
  logins = 0;
  refreshes = 0;
  loginsHeldBack = 0;
  /** Whether a refusal was on record when last looked: a successful login clears it. */
  private refused = false;

  constructor(private readonly options: TokenProviderOptions) {
    this.clock = options.clock ?? Date.now;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.pollMs = options.pollMs ?? 25;
  }

  async getToken(): Promise<string> {
    if (this.usable(this.current)) return this.current.token;
    this.pending ??= this.obtain().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /**
   * After a 401: forget `token` here and in the store, unless a newer one has replaced it. A
   * refresh token beside it is kept (only the access token is marked expired), so the next
   * getToken() refreshes instead of logging in.
   */
  async invalidate(token: string): Promise<void> {
    const { store, key } = this.options;
    this.dead.add(token);
    if (this.dead.size > 64) this.dead.delete(this.dead.values().next().value as string);
    if (this.current?.token === token) this.current = this.current.refreshToken ? { ...this.current, expiresAt: 0 } : null;
    // With a refresh token beside it, only the access token is marked expired (atomically: a
    // replica may have stored a fresh pair meanwhile); without one, the record goes.
    if (this.options.refresh) {
      await store.expireIf(key, token);
      return;
    }
    await store.deleteIf(key, token);
  }

  private usable(t: StoredToken | null): t is StoredToken {
    return t !== null && t.expiresAt > this.clock() && !this.dead.has(t.token);
  }

  private remember(t: StoredToken): string {
    this.options.secrets.add(t.token);
    this.options.secrets.add(t.refreshToken);
    this.current = t;
    return t.token;
  }

  private async obtain(): Promise<string> {
    const { store, key } = this.options;
    const deadline = this.clock() + this.lockTtlMs * 2;
    for (;;) {
      const stored = await store.get(key);
      if (this.usable(stored)) return this.remember(stored);
      await this.refusedNow();

      const owner = await store.acquireLock(key, this.lockTtlMs);
      if (owner) {
        try {
          // Another replica may have stored a token between our read and our lock.
          const again = await store.get(key);
          if (this.usable(again)) return this.remember(again);
          return this.remember(await this.renew(again ?? this.current));
        } finally {
          await store.releaseLock(key, owner).catch(() => undefined);
        }
      }
      if (this.clock() > deadline) {
        // The lock holder is stuck (or its store is): log in ourselves rather than wait forever.
        this.options.logger.warn('token provider: login lock held too long, logging in anyway', { key });
        return this.remember(await this.loginAndStore());
      }
      await sleep(this.pollMs);
    }
  }

  /** With the lock held: refresh when a live refresh token is at hand, else (or when it is refused) log in. */
  private async renew(previous: StoredToken | null): Promise<StoredToken> {
    const refresh = this.options.refresh;
    const refreshToken = previous?.refreshToken;
    if (refresh && refreshToken && (previous.refreshExpiresAt ?? 0) > this.clock()) {
      try {
        const result = await refresh(refreshToken);
        this.refreshes++;
        this.options.observe?.('refresh');
        return await this.store(result, 'refreshed');
      } catch (err) {
        if (!(err instanceof RefreshRejectedError)) throw err;
        this.options.logger.info('token provider: refresh token refused, logging in again', { key: this.options.key });
      }
    }
    return this.loginAndStore();
  }

  private async loginAndStore(): Promise<StoredToken> {
    let result: LoginResult;
    try {
      this.logins++;
      this.options.observe?.('login');
      result = await this.options.login();
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorCode.UPSTREAM_AUTH_FAILED) {
        this.options.observe?.('login-refused');
        await this.rememberRefusal(err);
      }
      throw err;
    }
    if (this.refused) {
      this.refused = false;
      await this.options.store.clearRefusal(this.options.key);
    }
    return this.store(result, 'logged in');
  }

  /** UPSTREAM_AUTH_FAILED at once while a refused login's wait runs, in this replica or another. */
  private async refusedNow(): Promise<void> {
    const r = await this.options.store.getRefusal(this.options.key);
    this.refused = r !== null;
    if (!r) return;
    const left = r.until - this.clock();
    if (left <= 0) return;
    this.loginsHeldBack++;
    this.options.observe?.('login-held-back');
    throw new GatewayError(
      ErrorCode.UPSTREAM_AUTH_FAILED,
      `${r.message}; no new login for ${Math.ceil(left / 1000)} s (${r.attempts} refused in a row)`,
      { upstream: this.options.key, retryAfterSeconds: Math.ceil(left / 1000) },
    );
  }

  private async rememberRefusal(err: GatewayError): Promise<void> {
    const { store, key } = this.options;
    const previous = await store.getRefusal(key);
    const attempts = (previous?.attempts ?? 0) + 1;
    const base = this.options.loginBackoffMs ?? 5000;
    const max = this.options.loginBackoffMaxMs ?? 300_000;
    // Jitter: replicas and restarts do not all come back at the same instant.
    const wait = Math.round(Math.min(max, base * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4));
    const refusal: LoginRefusal = { until: this.clock() + wait, attempts, message: err.message };
    this.refused = true;
    await store.setRefusal(key, refusal, wait + REFUSAL_MEMORY_MS);
    this.options.logger.warn('token provider: login refused; no new login until the wait is over', { key, attempts, waitMs: wait });
  }

  private async store(result: LoginResult, what: string): Promise<StoredToken> {
    const now = this.clock();
    // Keep the token a little shorter than its lifetime: 10 % of it, at most a minute.
    const margin = Math.min(60_000, result.expiresInMs * 0.1);
    const ttl = Math.max(1, result.expiresInMs - margin);
    const stored: StoredToken = {
      token: result.token,
      expiresAt: now + ttl,
      ...(result.refreshToken
        ? {
            refreshToken: result.refreshToken,
            refreshExpiresAt:
              now + Math.max(1, (result.refreshExpiresInMs ?? ttl) - Math.min(60_000, (result.refreshExpiresInMs ?? ttl) * 0.1)),
          }
        : {}),
    };
    this.options.secrets.add(stored.token);
    this.options.secrets.add(stored.refreshToken);
    // The server just issued it: good again even if a 401 once condemned the same string (JWTs of
    // one second with the same claims are identical).
    this.dead.delete(stored.token);
    // The record outlives the access token while its refresh token is good.
    const keep = stored.refreshExpiresAt ? Math.max(ttl, stored.refreshExpiresAt - now) : ttl;
    await this.options.store.set(this.options.key, stored, keep);
    this.options.logger.info(`token provider: ${what}`, { key: this.options.key, ttlMs: Math.round(ttl) });
    return stored;
  }
}
