// One service-account token per upstream: reused until shortly before it expires, fetched by one
// login at a time (single-flight in this process, a store lock across replicas), invalidated on 401.
import type { TokenStore, StoredToken } from './token-store.js';
import type { SecretRegistry, Logger } from '../logger.js';

export interface LoginResult {
  token: string;
  /** Lifetime the upstream announced. */
  expiresInMs: number;
  refreshToken?: string;
  refreshExpiresInMs?: number;
}

export interface TokenProviderOptions {
  /** Store key, e.g. 'meetnet' → `gw:token:meetnet`. */
  key: string;
  store: TokenStore;
  login: () => Promise<LoginResult>;
  secrets: SecretRegistry;
  logger: Logger;
  clock?: () => number;
  /** How long the login lock is held at most (a crashed replica's lock expires by itself). */
  lockTtlMs?: number;
  /** How often a replica waiting for another's login looks for the token. */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenProvider {
  private current: StoredToken | null = null;
  private pending: Promise<string> | null = null;
  private readonly clock: () => number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  /** Logins this process made (tests and metrics read it). */
  logins = 0;

  constructor(private readonly options: TokenProviderOptions) {
    this.clock = options.clock ?? Date.now;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.pollMs = options.pollMs ?? 25;
  }

  async getToken(): Promise<string> {
    if (this.current && this.current.expiresAt > this.clock()) return this.current.token;
    this.pending ??= this.obtain().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** After a 401: forget `token` here and in the store, unless a newer one has replaced it. */
  async invalidate(token: string): Promise<void> {
    if (this.current?.token === token) this.current = null;
    await this.options.store.deleteIf(this.options.key, token);
  }

  private usable(t: StoredToken | null): t is StoredToken {
    return t !== null && t.expiresAt > this.clock();
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

      const owner = await store.acquireLock(key, this.lockTtlMs);
      if (owner) {
        try {
          // Another replica may have stored a token between our read and our lock.
          const again = await store.get(key);
          if (this.usable(again)) return this.remember(again);
          return this.remember(await this.loginAndStore());
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

  private async loginAndStore(): Promise<StoredToken> {
    const result = await this.options.login();
    this.logins++;
    const now = this.clock();
    // Keep the token a little shorter than its lifetime: 10 % of it, at most a minute.
    const margin = Math.min(60_000, result.expiresInMs * 0.1);
    const ttl = Math.max(1, result.expiresInMs - margin);
    const stored: StoredToken = {
      token: result.token,
      expiresAt: now + ttl,
      ...(result.refreshToken
        ? { refreshToken: result.refreshToken, refreshExpiresAt: now + (result.refreshExpiresInMs ?? ttl) }
        : {}),
    };
    this.options.secrets.add(stored.token);
    await this.options.store.set(this.options.key, stored, ttl);
    this.options.logger.info('token provider: logged in', { key: this.options.key, ttlMs: Math.round(ttl) });
    return stored;
  }
}
