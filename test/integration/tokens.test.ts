// The token store against the real Redis, and the token provider's promises: one login for many
// concurrent callers, TTL shorter than the lifetime, 401 → invalidate, Redis outage → memory.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryTokenStore, RedisTokenStore, ResilientTokenStore, createTokenStore, type TokenStore } from '../../src/auth/token-store.js';
import { TokenProvider } from '../../src/auth/token-provider.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { REDIS_URL, expectTtl, startPrivateRedis, uniquePrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';
import { ErrorCode, GatewayError } from '../../src/shared/errors.js';

const lines: string[] = [];
const secrets = new SecretRegistry();
const logger = createLogger({ level: 'debug', secrets, write: (l) => lines.push(l) });

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
});
afterAll(() => redis.disconnect());

/**
 * A login that counts its calls. Each answers once `answer` resolves (at once by default), or as
 * soon as there is a second login: then the test fails on the count instead of waiting forever.
 */
function countingLogin(lifetimeMs = 3_599_000, answer: Promise<unknown> = Promise.resolve()) {
  let n = 0;
  let second!: () => void;
  const another = new Promise<void>((resolve) => (second = resolve));
  const login = async () => {
    if (++n > 1) second();
    await Promise.race([answer, another]);
    return { token: `token-${n}-${Math.random().toString(36).slice(2)}`, expiresInMs: lifetimeMs };
  };
  return { login, count: () => n };
}

/** `store`, with a promise that resolves once someone is refused its login lock (they now wait for the holder). */
function watchLock(store: TokenStore): { store: TokenStore; refused: Promise<void> } {
  let refused!: () => void;
  const watched: TokenStore = {
    kind: store.kind,
    get: (key) => store.get(key),
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    deleteIf: (key, token) => store.deleteIf(key, token),
    expireIf: (key, token) => store.expireIf(key, token),
    acquireLock: async (key, ttlMs) => {
      const owner = await store.acquireLock(key, ttlMs);
      if (owner === null) refused();
      return owner;
    },
    releaseLock: (key, owner) => store.releaseLock(key, owner),
    getRefusal: (key) => store.getRefusal(key),
    setRefusal: (key, value, ttlMs) => store.setRefusal(key, value, ttlMs),
    clearRefusal: (key) => store.clearRefusal(key),
  };
  return { store: watched, refused: new Promise<void>((resolve) => (refused = resolve)) };
}

describe('RedisTokenStore (real Redis)', () => {
  it('stores under <prefix>token:<key> with a TTL, and compare-and-deletes', async () => {
    const prefix = uniquePrefix();
    const store = new RedisTokenStore(redis, prefix);
    const before = Date.now();
    await store.set('meetnet', { token: 'abc123', expiresAt: Date.now() + 60_000 }, 60_000);
    expect(await store.get('meetnet')).toMatchObject({ token: 'abc123' });
    await expectTtl(redis, `${prefix}token:meetnet`, 60_000, before);
    await store.deleteIf('meetnet', 'someone-else');
    expect(await store.get('meetnet')).not.toBeNull();
    await store.deleteIf('meetnet', 'abc123');
    expect(await store.get('meetnet')).toBeNull();
  });

  it('grants the lock to one owner at a time and releases only for its owner', async () => {
    const store = new RedisTokenStore(redis, uniquePrefix());
    const a = await store.acquireLock('meetnet', 5_000);
    expect(a).toBeTypeOf('string');
    expect(await store.acquireLock('meetnet', 5_000)).toBeNull();
    await store.releaseLock('meetnet', 'not-the-owner');
    expect(await store.acquireLock('meetnet', 5_000)).toBeNull();
    await store.releaseLock('meetnet', a!);
    expect(await store.acquireLock('meetnet', 5_000)).toBeTypeOf('string');
  });

  it('expireIf marks only the access token expired, keeps the refresh token and the TTL, and only for its token', async () => {
    const prefix = uniquePrefix();
    const store = new RedisTokenStore(redis, prefix);
    const record = { token: 'access-1', expiresAt: 1_795_000_012_345, refreshToken: 'refresh-1', refreshExpiresAt: 1_799_999_999_999 };
    const before = Date.now();
    await store.set('bemserver', record, 60_000);
    await store.expireIf('bemserver', 'another-access');
    expect(await store.get('bemserver')).toEqual(record);
    await store.expireIf('bemserver', 'access-1');
    expect(await store.get('bemserver')).toEqual({ ...record, expiresAt: 0 });
    await expectTtl(redis, `${prefix}token:bemserver`, 60_000, before); // the TTL of the set, not a new one
    await redis.set(`${prefix}token:other`, 'not json', 'PX', 10_000);
    await store.expireIf('other', 'x'); // a corrupt value is left alone, not an error
    expect(await redis.get(`${prefix}token:other`)).toBe('not json');
  });

  it('treats a corrupt stored value as no token', async () => {
    const prefix = uniquePrefix();
    await redis.set(`${prefix}token:meetnet`, 'not json', 'PX', 10_000);
    expect(await new RedisTokenStore(redis, prefix).get('meetnet')).toBeNull();
  });
});

describe('TokenProvider', () => {
  const stores: Array<[string, () => TokenStore]> = [
    ['memory', () => new MemoryTokenStore()],
    ['redis', () => createTokenStore(redis, uniquePrefix(), logger)],
  ];

  for (const [kind, makeStore] of stores) {
    it(`makes one login for 50 concurrent callers (${kind} store)`, async () => {
      // All 50 ask before the login can answer: they are called in one go, the login answers later.
      const { login, count } = countingLogin();
      const provider = new TokenProvider({ key: 'meetnet', store: makeStore(), login, secrets, logger });
      const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()));
      expect(count()).toBe(1);
      expect(new Set(tokens).size).toBe(1);
    });

    it(`makes one login for two providers sharing the store (${kind} store)`, async () => {
      // The login answers only once the other provider has been refused the lock: both want a token at once.
      const { store, refused } = watchLock(makeStore());
      const { login, count } = countingLogin(undefined, refused);
      const a = new TokenProvider({ key: 'meetnet', store, login, secrets, logger });
      const b = new TokenProvider({ key: 'meetnet', store, login, secrets, logger });
      const tokens = await Promise.all([
        ...Array.from({ length: 10 }, () => a.getToken()),
        ...Array.from({ length: 10 }, () => b.getToken()),
      ]);
      expect(count()).toBe(1);
      expect(new Set(tokens).size).toBe(1);
    });
  }

  it('keeps the token a little shorter than expires_in', async () => {
    const prefix = uniquePrefix();
    const store = createTokenStore(redis, prefix, logger);
    const { login } = countingLogin(3_599_000);
    const before = Date.now();
    await new TokenProvider({ key: 'meetnet', store, login, secrets, logger }).getToken();
    await expectTtl(redis, `${prefix}token:meetnet`, 3_539_000, before); // 3599 s less a minute's margin
  });

  it('logs in again after invalidate, but not when a newer token replaced the stale one', async () => {
    const store = new MemoryTokenStore();
    const { login, count } = countingLogin();
    const provider = new TokenProvider({ key: 'meetnet', store, login, secrets, logger });
    const first = await provider.getToken();
    await provider.invalidate(first);
    const second = await provider.getToken();
    expect(second).not.toBe(first);
    expect(count()).toBe(2);
    await provider.invalidate(first); // a late 401 for the old token
    expect(await provider.getToken()).toBe(second);
    expect(count()).toBe(2);
  });

  it('registers every token as a secret, so the logger never prints it', async () => {
    const { login } = countingLogin();
    const provider = new TokenProvider({ key: 'meetnet', store: new MemoryTokenStore(), login, secrets, logger });
    const token = await provider.getToken();
    logger.info(`oops, a token in a message: ${token}`, { nested: { value: token } });
    const last = lines.at(-1)!;
    expect(last).not.toContain(token);
    expect(last).toContain('[REDACTED]');
  });

  it('degrades to memory when Redis goes away, and uses Redis again when it is back', async () => {
    const priv = await startPrivateRedis();
    const client = new Redis(priv.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 300 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const store = createTokenStore(client, uniquePrefix(), logger);
      const { login, count } = countingLogin();
      const provider = new TokenProvider({ key: 'meetnet', store, login, secrets, logger });
      const before = await provider.getToken();
      expect(await client.keys('*token:meetnet')).toHaveLength(1);

      await priv.stop();
      await provider.invalidate(before); // as after a 401, while Redis is down
      const during = await Promise.all(Array.from({ length: 5 }, () => provider.getToken()));
      expect(new Set(during).size).toBe(1);
      expect(count()).toBe(2);
      expect(lines.some((l) => l.includes('Redis does not answer'))).toBe(true);

      await priv.start();
      if (client.status !== 'ready') await once(client, 'ready'); // ioredis reconnects on its own
      expect(client.status).toBe('ready');
      // The store's probe notices within a second.
      await until(() => (store as ResilientTokenStore).redisAvailable);
      await provider.invalidate(during[0]!);
      await provider.getToken();
      expect(await client.keys('*token:meetnet')).toHaveLength(1);
    } finally {
      client.disconnect();
      await priv.stop();
    }
  });

  it('a frozen Redis (SIGSTOP) costs one command timeout, then memory at once until it answers again', async () => {
    const priv = await startPrivateRedis();
    const client = new Redis(priv.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 300 });
    client.on('error', () => undefined);
    await client.connect();
    // Redis's store, counting the calls that reach it.
    const redisStore = new RedisTokenStore(client, uniquePrefix());
    let reached = 0;
    const counted = new Proxy(redisStore, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (...args: unknown[]) => (reached++, (v as (...a: unknown[]) => unknown).apply(target, args)) : v;
      },
    });
    const store = new ResilientTokenStore(counted, new MemoryTokenStore(), logger, () => client.ping(), 200);
    try {
      const { login, count } = countingLogin();
      const provider = new TokenProvider({ key: 'meetnet', store, login, secrets, logger });
      const first = await provider.getToken();
      priv.freeze();
      reached = 0;
      await provider.invalidate(first); // its Redis command waits out the timeout: the store notices
      expect(store.redisAvailable).toBe(false);
      expect(reached).toBe(1);
      // A login makes about six store calls: none of them goes to Redis (none waits out a timeout).
      await provider.getToken();
      expect(reached).toBe(1);
      expect(count()).toBe(2);
      priv.thaw();
      await until(() => store.redisAvailable);
    } finally {
      store.close();
      priv.thaw();
      client.disconnect();
      await priv.stop();
    }
  });

  it('a refused login is remembered: no new login until its wait is over, which doubles with each refusal in a row', async () => {
    let now = 1_000_000;
    const store = new MemoryTokenStore(() => now);
    let refuse = true;
    let attempts = 0;
    const login = async () => {
      attempts++;
      if (refuse)
        throw new GatewayError(ErrorCode.UPSTREAM_AUTH_FAILED, "Meetnet refused the service account's login (HTTP 400)", {
          upstream: 'meetnet',
        });
      return { token: `t-${attempts}`, expiresInMs: 3_600_000 };
    };
    const provider = new TokenProvider({ key: 'meetnet', store, login, secrets, logger, clock: () => now, loginBackoffMs: 1000 });
    const waitAfter = async () => (await store.getRefusal('meetnet'))!.until - now;
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'UPSTREAM_AUTH_FAILED' });
    const first = await waitAfter();
    expect(first).toBeGreaterThanOrEqual(800);
    expect(first).toBeLessThanOrEqual(1200);
    await expect(provider.getToken()).rejects.toThrow(/no new login for [12] s \(1 refused in a row\)/);
    expect(attempts).toBe(1);
    now += first; // the wait is over: one more try, refused again, twice as long
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'UPSTREAM_AUTH_FAILED' });
    expect(attempts).toBe(2);
    const second = await waitAfter();
    expect(second).toBeGreaterThanOrEqual(1600);
    expect(second).toBeLessThanOrEqual(2400);
    now += second;
    refuse = false; // the password was fixed
    expect(await provider.getToken()).toBe('t-3');
    expect(await store.getRefusal('meetnet')).toBeNull();
  });
});
