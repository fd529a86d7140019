// Per-request context: the loaders of this request (created on first use, per upstream), its
// request id and logger, and errors of partial answers (one upstream down in a list over all).
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { UpstreamName } from './shared/domain.js';
import type { UpstreamRegistry } from './upstreams/registry.js';
import type { UpstreamLoaders } from './upstreams/upstream.js';

export interface GatewayContext {
  requestId: string;
  logger: Logger;
  config: Readonly<Config>;
  registry: UpstreamRegistry;
  loaders(upstream: UpstreamName): UpstreamLoaders;
  /** One value per request and key, made on first use (the loaders a capability brings). */
  perRequest<T>(key: string, make: () => T): T;
  /** Errors to add to the response beside the data that could be answered. */
  partialErrors: GraphQLError[];
}

export function createContext(
  base: { config: Readonly<Config>; registry: UpstreamRegistry; logger: Logger },
  requestId: string,
): GatewayContext {
  const made = new Map<string, unknown>();
  const perRequest = <T>(key: string, make: () => T): T => {
    if (!made.has(key)) made.set(key, make());
    // Each key is made by one caller with one type (keys are namespaced by what they hold).
    return made.get(key) as T;
  };
  return {
    requestId,
    config: base.config,
    registry: base.registry,
    logger: base.logger.child({ requestId }),
    partialErrors: [],
    perRequest,
    loaders(upstream) {
      return perRequest(`loaders:${upstream}`, () => {
        const batch = base.config.upstreamBatching;
        const own = base.registry.get(upstream).createLoaders({ batch });
        return { ...own, latest: base.registry.latest.wrap(upstream, own.latest, batch) };
      });
    },
  };
}
