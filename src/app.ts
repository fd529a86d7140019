// Assembles a running gateway from a config and the list of upstream modules: the token store
// (Redis or memory), one upstream per module, and the HTTP server. Every upstream must have a base
// URL by now (src/simulation.ts points the unconfigured ones at their simulators).
import type { Redis } from 'ioredis';
import { createRedis, createTokenStore, ResilientTokenStore, type TokenStore } from './auth/token-store.js';
import type { Config } from './config.js';
import { authenticatorFor } from './access/index.js';
import { createLiveHub, type LiveHub } from './live/hub.js';
import { createLogger, SecretRegistry, type Logger } from './logger.js';
import http from 'node:http';
import { readinessCheck } from './health.js';
import { GatewayMetrics } from './metrics.js';
import { startTelemetry } from './telemetry.js';
import { noObserver } from './upstreams/observer.js';
import { createGateway, type Gateway } from './server.js';
import { sharedCaches } from './shared-cache.js';
import { redactUrl } from './settings.js';
import type { UpstreamName } from './shared/domain.js';
import type { UpstreamModule } from './upstreams/module.js';
import { UpstreamPolicy } from './upstreams/policy.js';
import { UpstreamRegistry } from './upstreams/registry.js';

export interface App {
  url: string;
  gateway: Gateway;
  registry: UpstreamRegistry;
  store: TokenStore;
  redis: Redis | null;
  /** Live values of the subscriptions. */
  live: LiveHub;
  logger: Logger;
  secrets: SecretRegistry;
  /** How clients are told apart (for the start banner). */
  access: string;
  /** Stops the gateway (requests in flight get `graceMs`, SHUTDOWN_GRACE_MS by default), then Redis. */
  stop(graceMs?: number): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  secrets?: SecretRegistry;
  /** The upstreams that run on their built-in simulator (their status says so). */
  simulated?: ReadonlySet<UpstreamName>;
  /** What the catalogue TTL is measured on: tests inject a clock instead of waiting; performance.now when absent. */
  catalogClock?: () => number;
}

export async function startApp(config: Readonly<Config>, modules: readonly UpstreamModule[], options: AppOptions = {}): Promise<App> {
  const secrets = options.secrets ?? new SecretRegistry();
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets });
  const stops: Array<() => Promise<void>> = [];
  try {
    let redis: Redis | null = null;
    if (config.redisUrl) {
      redis = createRedis({ url: config.redisUrl, timeoutMs: config.redisTimeoutMs, logger });
      const r = redis;
      stops.push(async () => {
        // QUIT lets the commands already sent finish; a Redis that does not answer is dropped.
        if (r.status !== 'ready') return r.disconnect();
        await Promise.race([r.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => undefined);
        r.disconnect();
      });
      // Start without Redis if it is not there yet: tokens live in memory until it answers.
      await redis.connect().catch((err: Error) =>
        logger.warn('redis not reachable at start; tokens stay in memory until it is', {
          redis: redactUrl(config.redisUrl!),
          error: err.message,
        }),
      );
    }
    const store = createTokenStore(redis, config.redisKeyPrefix, logger);
    stops.push(async () => store.close?.());

    const configured = Object.keys(config.upstreams).sort().join(', ');
    if (
      configured !==
      modules
        .map((m) => m.name)
        .sort()
        .join(', ')
    ) {
      // Each module is handed the settings its own declaration read: the two lists must be the same.
      throw new Error(`the configuration was read for the upstreams ${configured}, not for ${modules.map((m) => m.name).join(', ')}`);
    }
    if (config.metricsToken) secrets.add(config.metricsToken);
    if (config.otelExporterOtlpEndpoint) {
      const telemetry = startTelemetry({
        endpoint: config.otelExporterOtlpEndpoint,
        serviceName: config.otelServiceName ?? 'monitoring-graphql-gateway',
        logger,
      });
      // Last of all: the spans of the requests that finish during shutdown go out too.
      stops.push(() => telemetry.shutdown());
    }
    const policies = new Map<string, UpstreamPolicy>();
    const metrics = config.metrics ? new GatewayMetrics(policies) : null;
    const upstreams = modules.map((m) => {
      const settings = config.upstreams[m.name];
      for (const [key, s] of Object.entries(m.settings)) if (s.secret && typeof settings?.[key] === 'string') secrets.add(settings[key]);
      if (!settings?.baseUrl || settings.login === null || settings.password === null) {
        throw new Error(
          `${m.label} has no base URL and service account: run it on its simulator (simulateUnconfigured) or configure ${m.envPrefix}_BASE_URL`,
        );
      }
      const policy = new UpstreamPolicy({ name: m.name, label: m.label }, settings, logger);
      policies.set(m.name, policy);
      return m.create({
        policy,
        observer: metrics?.observer ?? noObserver,
        settings,
        account: { baseUrl: settings.baseUrl, login: settings.login, password: settings.password },
        simulated: options.simulated?.has(m.name) ?? false,
        catalogTtlMs: config.catalogTtlMs,
        catalogClock: options.catalogClock,
        deduplicate: config.upstreamDeduplication,
        store,
        logger,
        secrets,
      });
    });
    const caches = sharedCaches(redis, config, logger, metrics);
    const registry = new UpstreamRegistry(upstreams, modules, {
      latestTtlMs: config.latestTtlMs,
      history: caches.history,
      ...(metrics ? { observer: metrics.observer } : {}),
    });
    if (metrics && store instanceof ResilientTokenStore) metrics.watchRedis(() => store.redisAvailable);
    metrics?.watchCatalogues(() =>
      registry.all().map((u) => ({ upstream: u.name, staleSince: u.catalogueStaleSince(), ...u.catalogueCounts() })),
    );
    const authenticator = authenticatorFor(
      config,
      modules.map((m) => m.name),
    );
    const live = createLiveHub({
      registry,
      redis,
      redisKeyPrefix: config.redisKeyPrefix,
      logger,
      pollIntervalMs: config.livePollIntervalMs,
      ...(metrics ? { observer: metrics.observer } : {}),
    });
    metrics?.watchLive(() => ({ ...live.size, delivered: live.delivered }));
    const pinged = redis;
    const readiness = readinessCheck({ registry, policies, pingRedis: pinged ? () => pinged.ping() : null });
    const gateway = await createGateway({
      config,
      registry,
      modules,
      authenticator,
      logger,
      secrets,
      readiness,
      metrics,
      ...(metrics ? { observer: metrics.observer } : {}),
      ...(caches.persistedQueries ? { persistedQueryCache: caches.persistedQueries } : {}),
      live,
    });
    if (metrics && config.metricsPort > 0) {
      // Scrapes on a port of their own (an internal network, say): the GraphQL port has no /metrics.
      const scrape = http.createServer((req, res) => {
        if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') return void res.writeHead(404).end();
        metrics.serve(req, res, config.metricsToken).catch(() => res.destroy());
      });
      await new Promise<void>((resolve, reject) => scrape.once('error', reject).listen(config.metricsPort, config.host, resolve));
      stops.push(() => new Promise<void>((resolve) => scrape.close(() => resolve())));
    }
    const url = await gateway.listen(config.port, config.host);
    let grace: number | undefined;
    // The gateway ends its subscriptions; then the hub gives its Redis locks up, before Redis closes.
    stops.unshift(() => gateway.stop(grace).finally(() => live.stop()));

    return {
      url,
      gateway,
      registry,
      store,
      redis,
      live,
      logger,
      secrets,
      access: authenticator.describe,
      async stop(graceMs) {
        grace = graceMs;
        for (const stop of stops) await stop().catch((err: unknown) => logger.warn('error while stopping', { error: err }));
      },
    };
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw err;
  }
}
