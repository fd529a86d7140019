// Assembles a running gateway from a config: the built-in simulators where no upstream URL is
// given, the token store (Redis or memory), the upstream adapters and the HTTP server.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { redactUrl } from './config.js';
import { createRedis, createTokenStore, type TokenStore } from './auth/token-store.js';
import { createLogger, SecretRegistry, type Logger } from './logger.js';
import { createGateway, type Gateway } from './server.js';
import { UpstreamRegistry } from './upstreams/registry.js';
import { createMeetnet, type Meetnet } from './upstreams/meetnet/index.js';
import { createMeetnetSimulator, type MeetnetSimulator } from './upstreams/meetnet/simulator/index.js';
import { createFlexMeasures, type FlexMeasures } from './upstreams/flexmeasures/index.js';
import { createFlexMeasuresSimulator, type FlexMeasuresSimulator } from './upstreams/flexmeasures/simulator/index.js';
import { createBemServer, type BemServer } from './upstreams/bemserver/index.js';
import { createBemServerSimulator, type BemServerSimulator } from './upstreams/bemserver/simulator/index.js';

interface SimulatorLike {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export interface App {
  url: string;
  gateway: Gateway;
  meetnet: Meetnet;
  flexmeasures: FlexMeasures;
  bemserver: BemServer;
  simulators: { meetnet: MeetnetSimulator | null; flexmeasures: FlexMeasuresSimulator | null; bemserver: BemServerSimulator | null };
  store: TokenStore;
  redis: Redis | null;
  logger: Logger;
  secrets: SecretRegistry;
  stop(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  secrets?: SecretRegistry;
}

export async function startApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const secrets = options.secrets ?? new SecretRegistry();
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets });
  const stops: Array<() => Promise<void>> = [];
  try {
    /**
     * An upstream's configuration, pointed at its built-in simulator (with a throwaway service
     * account) when no base URL is configured. Its password is registered as a secret either way.
     */
    const upstream = async <C extends { baseUrl: string | null; password: string | null }, S extends SimulatorLike>(
      config: C,
      login: 'username' | 'email',
      make: (account: { user: string; password: string }) => S,
    ): Promise<{ config: C; sim: S | null }> => {
      if (config.baseUrl) {
        secrets.add(config.password);
        return { config: { ...config, deduplicate }, sim: null };
      }
      const account = { user: 'gateway@simulator.local', password: randomBytes(12).toString('base64url') };
      const sim = make(account);
      const url = await sim.listen(0, '127.0.0.1');
      stops.push(() => sim.close());
      secrets.add(account.password);
      return { sim, config: { ...config, deduplicate, baseUrl: url, [login]: account.user, password: account.password } };
    };
    const latencyMs = config.simulatorLatencyMs;
    const deduplicate = config.upstreamDeduplication;
    const mn = await upstream(config.meetnet, 'username', (a) =>
      createMeetnetSimulator({ username: a.user, password: a.password, latencyMs }),
    );
    const fm = await upstream(config.flexmeasures, 'email', (a) =>
      createFlexMeasuresSimulator({
        email: a.user,
        password: a.password,
        latencyMs,
        // Forcing v1_1 on the built-in simulator makes it an older server (v0.12) that still speaks it.
        generation: config.flexmeasures.apiVersion === 'v1_1' ? 'v1_1' : 'v3_0',
      }),
    );
    const bem = await upstream(config.bemserver, 'email', (a) =>
      createBemServerSimulator({ email: a.user, password: a.password, latencyMs }),
    );

    let redis: Redis | null = null;
    if (config.redisUrl) {
      redis = createRedis({ url: config.redisUrl, timeoutMs: config.redisTimeoutMs, logger });
      const r = redis;
      stops.push(async () => {
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

    const meetnet = createMeetnet({
      config: mn.config as Parameters<typeof createMeetnet>[0]['config'],
      simulated: mn.sim !== null,
      catalogTtlMs: config.catalogTtlMs,
      store,
      logger,
      secrets,
    });
    const flexmeasures = createFlexMeasures({
      config: fm.config as Parameters<typeof createFlexMeasures>[0]['config'],
      simulated: fm.sim !== null,
      catalogTtlMs: config.catalogTtlMs,
      store,
      logger,
      secrets,
    });
    const bemserver = createBemServer({
      config: bem.config as Parameters<typeof createBemServer>[0]['config'],
      simulated: bem.sim !== null,
      catalogTtlMs: config.catalogTtlMs,
      store,
      logger,
      secrets,
    });
    const registry = new UpstreamRegistry([meetnet.adapter, flexmeasures.adapter, bemserver.adapter], { latestTtlMs: config.latestTtlMs });
    const gateway = await createGateway({ config, registry, logger });
    const url = await gateway.listen(config.port, config.host);
    stops.unshift(() => gateway.stop());

    return {
      url,
      gateway,
      meetnet,
      flexmeasures,
      bemserver,
      simulators: { meetnet: mn.sim, flexmeasures: fm.sim, bemserver: bem.sim },
      store,
      redis,
      logger,
      secrets,
      async stop() {
        for (const stop of stops) await stop().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw err;
  }
}
