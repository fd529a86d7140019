// Per-request context: who is asking (the client, and the upstreams it may reach), the request's
// lifetime (abandoned when its client leaves, its deadline passes or the gateway shuts down), the
// loaders of this request (created on first use, per upstream), the points its answer may still
// carry, its request id and logger, and errors of partial answers (one upstream down in a list).
import type { GraphQLError } from 'graphql';
import type { Client } from './access/identity.js';
import type { Config } from './config.js';
import type { RequestLifetime } from './http/lifetime.js';
import type { Logger } from './logger.js';
import { ResponseBudget, type Estimate } from './schema/limits.js';
import type { Abandonment } from './shared/abandoned.js';
import type { UpstreamName } from './shared/domain.js';
import type { UpstreamRegistry, Upstreams } from './upstreams/registry.js';
import type { UpstreamObserver } from './upstreams/observer.js';
import type { UpstreamLoaders } from './upstreams/upstream.js';

export interface GatewayContext {
  requestId: string;
  logger: Logger;
  config: Readonly<Config>;
  client: Client;
  /** The upstreams this client may reach. */
  registry: Upstreams;
  /** Abandoned when nobody waits for the answer any more. */
  lifetime: Abandonment;
  /** Keeps the work going for other requests that wait for its answer; the function returned lets go. */
  hold(): () => void;
  /** The points the answer may still carry (MAX_RESPONSE_POINTS). */
  budget: ResponseBudget;
  /** What the operation is expected to cost, once its limits are checked. */
  estimate: Estimate | null;
  loaders(upstream: UpstreamName): UpstreamLoaders;
  /** One value per request and key, made on first use (the loaders a capability brings). */
  perRequest<T>(key: string, make: () => T): T;
  /** Errors to add to the response beside the data that could be answered. */
  partialErrors: GraphQLError[];
  /** Upstreams whose catalogue this answer used while stale (they are failing), since when (epoch ms). */
  staleCatalogues: Map<UpstreamName, number>;
}

export interface RequestFacts {
  requestId: string;
  client: Client;
  lifetime: RequestLifetime;
}

export function createContext(
  base: { config: Readonly<Config>; registry: UpstreamRegistry; logger: Logger; observer?: UpstreamObserver },
  request: RequestFacts,
): GatewayContext {
  const made = new Map<string, unknown>();
  const perRequest = <T>(key: string, make: () => T): T => {
    if (!made.has(key)) made.set(key, make());
    // Each key is made by one caller with one type (keys are namespaced by what they hold).
    return made.get(key) as T;
  };
  const staleCatalogues = new Map<UpstreamName, number>();
  let logger: Logger | undefined;
  const requestLogger = (): Logger => (logger ??= base.logger.child({ requestId: request.requestId, client: request.client.name }));
  const registry = base.registry.forRequest(request.client.upstreams, request.lifetime, (u, since) => staleCatalogues.set(u, since));
  const batch = base.config.upstreamBatching;
  return {
    requestId: request.requestId,
    config: base.config,
    client: request.client,
    registry,
    lifetime: request.lifetime,
    hold: () => request.lifetime.hold(),
    budget: new ResponseBudget(base.config.maxResponsePoints),
    estimate: null,
    // Made when first used: most requests log nothing, and a pino child costs several µs. Not a
    // getter: Apollo copies the context for each operation, which would call it.
    logger: {
      debug: (m, f) => requestLogger().debug(m, f),
      info: (m, f) => requestLogger().info(m, f),
      warn: (m, f) => requestLogger().warn(m, f),
      error: (m, f) => requestLogger().error(m, f),
      child: (f) => requestLogger().child(f),
    },
    partialErrors: [],
    staleCatalogues,
    perRequest,
    loaders(upstream) {
      return perRequest(`loaders:${upstream}`, () => {
        const observer = base.observer;
        const own = registry.get(upstream).createLoaders({
          batch,
          ...(observer ? { onBatch: (loader: string, size: number) => observer.batch(upstream, loader, size) } : {}),
          // Read when a batch calls its upstream: a request answered from the caches makes no AbortSignal.
          get signal() {
            return request.lifetime.signal;
          },
        });
        return {
          ...own,
          latest: registry.latest.wrap(upstream, own.latest, batch),
          // Final windows from Redis first (shared by every replica); the misses through `own.series`.
          series: registry.history.wrap(upstream, own.series, batch, own.seriesCuts),
        };
      });
    },
  };
}
