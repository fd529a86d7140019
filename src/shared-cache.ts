// What the gateway keeps in Redis for every replica besides tokens: series windows that can no
// longer change (src/upstreams/history-cache.ts) and automatic persisted queries
// (src/persisted-queries.ts). Both see Redis through one outage: the first failure says so once in
// the log, and neither waits on a Redis that does not answer more than once a second.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { RedisPersistedQueries } from './persisted-queries.js';
import { Outage } from './shared/outage.js';
import { HistoryCache, type HistoryUpstream } from './upstreams/history-cache.js';

export interface SharedCaches {
  history: HistoryCache;
  /** null: Apollo's in-memory cache (no Redis), or no persisted queries at all. */
  persistedQueries: RedisPersistedQueries | null;
}

export function sharedCaches(redis: Redis | null, config: Readonly<Config>, logger: Logger, metrics: GatewayMetrics | null): SharedCaches {
  const outage = new Outage({
    retryMs: 1000,
    down: (err) =>
      logger.warn(
        'shared cache: Redis does not answer; history is read from the upstreams and persisted queries kept in memory until it does',
        {
          error: err instanceof Error ? err.message : String(err),
        },
      ),
    back: (downMs) => logger.info('shared cache: Redis answers again', { downMs }),
  });
  const upstreams = new Map<string, HistoryUpstream>();
  for (const [name, s] of Object.entries(config.upstreams)) {
    // By now every upstream has its base URL and login (src/simulation.ts gives the simulated ones theirs).
    if (s.baseUrl !== null && s.login !== null)
      upstreams.set(name, { baseUrl: s.baseUrl, login: s.login, finalAfterMs: s.historyFinalAfterMs });
  }
  const history = new HistoryCache({
    redis,
    prefix: config.redisKeyPrefix,
    ttlS: config.historyCacheTtlS,
    maxBytes: config.historyCacheMaxBytes,
    upstreams,
    outage,
    ...(metrics ? { observer: metrics.observer } : {}),
  });
  const persistedQueries =
    redis && config.persistedQueries
      ? new RedisPersistedQueries(redis, config.redisKeyPrefix, config.persistedQueryTtlS, outage, (r) => metrics?.persistedQueryLookup(r))
      : null;
  return { history, persistedQueries };
}
