// Where service-account tokens live between requests: Redis when REDIS_URL is set (shared by every
// gateway replica), process memory otherwise. A Redis fault never fails a query: the resilient
// store falls back to memory until Redis answers again.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface StoredToken {
  token: string;
  /** Epoch ms after which the token must not be used. */
  expiresAt: number;
  /** BEMServer-style refresh token, kept beside the access token. */
  refreshToken?: string;
  refreshExpiresAt?: number;
}

/** A login the upstream refused, remembered so that nobody tries again before `until`. */
export interface LoginRefusal {
  /** Epoch ms before which no replica logs in again. */
  until: number;
  /** Refusals in a row: the backoff grows with them. */
  attempts: number;
  /** What the client is told (the gateway's own words, never the upstream's). */
  message: string;
}

export interface TokenStore {
  readonly kind: 'redis' | 'memory';
  getRefusal(key: string): Promise<LoginRefusal | null>;
  /** Remembers a refusal for `ttlMs` (longer than its backoff: the count of attempts lives on). */
  setRefusal(key: string, value: LoginRefusal, ttlMs: number): Promise<void>;
  clearRefusal(key: string): Promise<void>;
  /** Stops whatever it runs in the background. */
  close?(): void;
  get(key: string): Promise<StoredToken | null>;
  /** Stores the token for `ttlMs` (a little shorter than its lifetime). */
  set(key: string, value: StoredToken, ttlMs: number): Promise<void>;
  /** Deletes the token only if it is still `token`: a replica may already have stored a fresh one. */
  deleteIf(key: string, token: string): Promise<void>;
  /**
   * Marks the access token expired, only if it is still `token`, keeping the refresh token beside it
   * (and the record's TTL): the next reader refreshes instead of logging in. Atomic, like deleteIf.
   */
  expireIf(key: string, token: string): Promise<void>;
  /** Takes the login lock for `ttlMs`; returns its owner id, or null when someone else holds it. */
  acquireLock(key: string, ttlMs: number): Promise<string | null>;
  releaseLock(key: string, owner: string): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  readonly kind = 'memory' as const;
  private readonly tokens = new Map<string, { value: StoredToken; until: number }>();
  private readonly locks = new Map<string, { owner: string; until: number }>();
  private readonly refusals = new Map<string, { value: LoginRefusal; until: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  async getRefusal(key: string): Promise<LoginRefusal | null> {
    const entry = this.refusals.get(key);
    if (!entry || entry.until <= this.clock()) return null;
    return entry.value;
  }

  async setRefusal(key: string, value: LoginRefusal, ttlMs: number): Promise<void> {
    this.refusals.set(key, { value, until: this.clock() + ttlMs });
  }

  async clearRefusal(key: string): Promise<void> {
    this.refusals.delete(key);
  }

  async get(key: string): Promise<StoredToken | null> {
    const entry = this.tokens.get(key);
    if (!entry) return null;
    if (entry.until <= this.clock()) {
      this.tokens.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    this.tokens.set(key, { value, until: this.clock() + ttlMs });
  }

  async deleteIf(key: string, token: string): Promise<void> {
    if (this.tokens.get(key)?.value.token === token) this.tokens.delete(key);
  }

  async expireIf(key: string, token: string): Promise<void> {
    const entry = this.tokens.get(key);
    if (entry?.value.token === token) entry.value = { ...entry.value, expiresAt: 0 };
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const now = this.clock();
    const held = this.locks.get(key);
    if (held && held.until > now) return null;
    const owner = randomBytes(8).toString('hex');
    this.locks.set(key, { owner, until: now + ttlMs });
    return owner;
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
  }
}

// Compare-and-delete, atomically, so that a replica never removes a token or lock it does not own.
const DELETE_TOKEN_IF = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
// The JSON is rewritten in place (not re-encoded: cjson would reformat the other numbers).
const EXPIRE_TOKEN_IF = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, decoded = pcall(cjson.decode, v)
if not ok or decoded.token ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
local expired = string.gsub(v, '"expiresAt":[-0-9.eE+]+', '"expiresAt":0', 1)
if ttl > 0 then redis.call('SET', KEYS[1], expired, 'PX', ttl) else redis.call('SET', KEYS[1], expired) end
return 1`;
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisTokenStore implements TokenStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private tokenKey(key: string): string {
    return `${this.prefix}token:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}lock:${key}`;
  }

  private refusalKey(key: string): string {
    return `${this.prefix}refused:${key}`;
  }

  async getRefusal(key: string): Promise<LoginRefusal | null> {
    const raw = await this.redis.get(this.refusalKey(key));
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as LoginRefusal;
      return typeof parsed.until === 'number' && typeof parsed.attempts === 'number' && typeof parsed.message === 'string' ? parsed : null;
    } catch {
      return null;
    }
  }

  async setRefusal(key: string, value: LoginRefusal, ttlMs: number): Promise<void> {
    await this.redis.set(this.refusalKey(key), JSON.stringify(value), 'PX', Math.max(1, Math.floor(ttlMs)));
  }

  async clearRefusal(key: string): Promise<void> {
    await this.redis.del(this.refusalKey(key));
  }

  async get(key: string): Promise<StoredToken | null> {
    const raw = await this.redis.get(this.tokenKey(key));
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as StoredToken;
      return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'number' ? parsed : null;
    } catch {
      return null; // a foreign or corrupt value is no token: log in again and overwrite it
    }
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    await this.redis.set(this.tokenKey(key), JSON.stringify(value), 'PX', Math.max(1, Math.floor(ttlMs)));
  }

  async deleteIf(key: string, token: string): Promise<void> {
    await this.redis.eval(DELETE_TOKEN_IF, 1, this.tokenKey(key), token);
  }

  async expireIf(key: string, token: string): Promise<void> {
    await this.redis.eval(EXPIRE_TOKEN_IF, 1, this.tokenKey(key), token);
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const owner = randomBytes(8).toString('hex');
    const ok = await this.redis.set(this.lockKey(key), owner, 'PX', Math.max(1, Math.floor(ttlMs)), 'NX');
    return ok === 'OK' ? owner : null;
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.lockKey(key), owner);
  }
}

/**
 * Redis first, the in-process store when Redis fails. A Redis that stops answering (down, or
 * frozen: every command then waits out its timeout) is noticed by the first command that fails;
 * from then on every call goes to memory at once, and a probe (PING, every `probeMs`) brings Redis
 * back as soon as it answers. A frozen Redis costs one timeout, not one per command: a login used
 * to wait out six of them (3 s at a 500 ms timeout).
 */
export class ResilientTokenStore implements TokenStore {
  readonly kind = 'redis' as const;
  private down = false;
  private probe: NodeJS.Timeout | null = null;

  constructor(
    private readonly primary: TokenStore,
    private readonly fallback: TokenStore,
    private readonly logger: Logger,
    private readonly ping: () => Promise<unknown>,
    private readonly probeMs = 1000,
  ) {}

  /** Whether Redis answered the last time it was asked. */
  get redisAvailable(): boolean {
    return !this.down;
  }

  private async attempt<T>(op: string, primary: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.down) return fallback();
    try {
      return await primary();
    } catch (err) {
      this.markDown(op, err);
      return fallback();
    }
  }

  private markDown(op: string, err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn('token store: Redis does not answer, using the in-process store until it does', {
      op,
      error: err instanceof Error ? err.message : String(err),
    });
    let probing = false;
    this.probe = setInterval(() => {
      if (probing) return;
      probing = true;
      this.ping().then(
        () => {
          probing = false;
          this.stopProbe();
          this.down = false;
          this.logger.info('token store: Redis is back');
        },
        () => {
          probing = false;
        },
      );
    }, this.probeMs);
    this.probe.unref();
  }

  private stopProbe(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }

  /** Stops the probe (the gateway is stopping). */
  close(): void {
    this.stopProbe();
  }

  get(key: string) {
    return this.attempt(
      'get',
      () => this.primary.get(key),
      () => this.fallback.get(key),
    );
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    // Always kept in memory too, so that an outage right after a login does not force another one.
    await this.fallback.set(key, value, ttlMs);
    await this.attempt(
      'set',
      () => this.primary.set(key, value, ttlMs),
      async () => undefined,
    );
  }

  async deleteIf(key: string, token: string): Promise<void> {
    await this.fallback.deleteIf(key, token);
    await this.attempt(
      'delete',
      () => this.primary.deleteIf(key, token),
      async () => undefined,
    );
  }

  async expireIf(key: string, token: string): Promise<void> {
    await this.fallback.expireIf(key, token);
    await this.attempt(
      'expire',
      () => this.primary.expireIf(key, token),
      async () => undefined,
    );
  }

  acquireLock(key: string, ttlMs: number) {
    return this.attempt(
      'lock',
      () => this.primary.acquireLock(key, ttlMs),
      () => this.fallback.acquireLock(key, ttlMs),
    );
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    // The owner id says which store granted it; releasing in both is harmless (compare-and-delete).
    await this.fallback.releaseLock(key, owner);
    await this.attempt(
      'unlock',
      () => this.primary.releaseLock(key, owner),
      async () => undefined,
    );
  }

  getRefusal(key: string) {
    return this.attempt(
      'get refusal',
      () => this.primary.getRefusal(key),
      () => this.fallback.getRefusal(key),
    );
  }

  async setRefusal(key: string, value: LoginRefusal, ttlMs: number): Promise<void> {
    await this.fallback.setRefusal(key, value, ttlMs);
    await this.attempt(
      'set refusal',
      () => this.primary.setRefusal(key, value, ttlMs),
      async () => undefined,
    );
  }

  async clearRefusal(key: string): Promise<void> {
    await this.fallback.clearRefusal(key);
    await this.attempt(
      'clear refusal',
      () => this.primary.clearRefusal(key),
      async () => undefined,
    );
  }
}

export interface RedisConnectionOptions {
  url: string;
  timeoutMs: number;
  logger: Logger;
}

/**
 * A Redis client that never queues commands while disconnected (a query must not wait on an
 * outage) and keeps reconnecting in the background.
 */
export function createRedis({ url, timeoutMs, logger }: RedisConnectionOptions): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000),
  });
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    // Reconnection errors repeat every few seconds during an outage: log at most one a minute.
    if (Date.now() - lastLogged > 60_000) {
      lastLogged = Date.now();
      logger.warn('redis error', { error: err.message });
    }
  });
  return redis;
}

export function createTokenStore(redis: Redis | null, prefix: string, logger: Logger): TokenStore {
  const memory = new MemoryTokenStore();
  return redis ? new ResilientTokenStore(new RedisTokenStore(redis, prefix), memory, logger, () => redis.ping()) : memory;
}
