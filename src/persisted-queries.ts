// Automatic persisted queries in the gateway's Redis, for every replica: a query registered on one
// is found by its hash on the others. Apollo's KeyValueCache over the gateway's own ioredis client,
// written here rather than taken from Keyv (docs/architecture.md, "Written by hand"): the Keyv
// Redis adapters bring a client of their own (node-redis, iovalkey) with its own connection,
// timeouts and offline queue, where this one must share REDIS_TIMEOUT_MS, the refusal to queue
// while Redis is away, and the outage the history cache sees.
//
// Every query is kept in process memory too (Apollo's bounded LRU): while Redis does not answer,
// a replica still finds what was registered on it, and otherwise the client is told
// PERSISTED_QUERY_NOT_FOUND and sends the text again, as the protocol has it. Nothing fails for Redis.
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { Outage } from './shared/outage.js';

export type PersistedQueryLookup = 'hit' | 'miss' | 'error';

/**
 * Apollo asks for `apq:<hash>`. Only a lowercase SHA-256 can ever have been stored (Apollo refuses a
 * query whose hash is not its own), so anything else is a miss without a Redis round trip.
 */
const STORABLE = /^[a-z:]{0,16}[0-9a-f]{64}$/;

export class RedisPersistedQueries implements KeyValueCache<string> {
  private readonly memory = new InMemoryLRUCache<string>();

  constructor(
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX. */
    private readonly prefix: string,
    /** PERSISTED_QUERY_TTL_S, where Apollo gives none. */
    private readonly ttlS: number,
    private readonly outage: Outage,
    private readonly onLookup: (result: PersistedQueryLookup) => void = () => undefined,
  ) {}

  async get(key: string): Promise<string | undefined> {
    if (!STORABLE.test(key)) {
      this.onLookup('miss');
      return undefined;
    }
    let found: string | undefined;
    let failed = !this.outage.attempt();
    if (!failed) {
      try {
        found = (await this.redis.get(this.prefix + key)) ?? undefined;
        this.outage.succeeded();
      } catch (err) {
        this.outage.failed(err);
        failed = true;
      }
    }
    // Registered here while Redis was away, or Redis away now.
    found ??= await this.memory.get(key);
    this.onLookup(failed ? 'error' : found === undefined ? 'miss' : 'hit');
    return found;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl ?? this.ttlS;
    await this.memory.set(key, value, { ttl });
    if (!this.outage.attempt()) return;
    try {
      await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttl)));
      this.outage.succeeded();
    } catch (err) {
      this.outage.failed(err);
    }
  }

  async delete(key: string): Promise<void> {
    await this.memory.delete(key);
    if (!this.outage.attempt()) return;
    await this.redis.del(this.prefix + key).then(
      () => this.outage.succeeded(),
      (err: unknown) => this.outage.failed(err),
    );
  }
}
