// Per-request context: the loaders of this request (created on first use, per upstream), its
// request id and logger, and errors of partial answers (one upstream down in a list over all).
import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { UpstreamName } from './shared/domain.js';
import type { Logger } from './logger.js';
import type { UpstreamRegistry } from './upstreams/registry.js';
import type { UpstreamLoaders } from './upstreams/types.js';

export interface GatewayContext {
  requestId: string;
  logger: Logger;
  config: Readonly<Config>;
  registry: UpstreamRegistry;
  loaders(upstream: UpstreamName): UpstreamLoaders;
  /** Errors to add to the response beside the data that could be answered. */
  partialErrors: GraphQLError[];
}

export function createContext(
  base: { config: Readonly<Config>; registry: UpstreamRegistry; logger: Logger },
  requestId: string,
): GatewayContext {
  const loaders = new Map<UpstreamName, UpstreamLoaders>();
  return {
    requestId,
    config: base.config,
    registry: base.registry,
    logger: base.logger.child({ requestId }),
    partialErrors: [],
    loaders(upstream) {
      let l = loaders.get(upstream);
      if (!l) {
        const batch = base.config.upstreamBatching;
        const own = base.registry.get(upstream).createLoaders({ batch });
        l = { ...own, latest: base.registry.latest.wrap(upstream, own.latest, batch) };
        loaders.set(upstream, l);
      }
      return l;
    },
  };
}
