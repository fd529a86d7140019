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
import { createMeetnetSimulator, type MeetnetSimulator } from './upstreams/meetnet/simulator.js';
import { createFlexMeasures, type FlexMeasures } from './upstreams/flexmeasures/index.js';
import { createFlexMeasuresSimulator, type FlexMeasuresSimulator } from './upstreams/flexmeasures/simulator.js';
import { createBemServer, type BemServer } from './upstreams/bemserver/index.js';
import { createBemServerSimulator, type BemServerSimulator } from './upstreams/bemserver/simulator.js';

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
    // Built-in simulators where no upstream URL is configured, each with a throwaway service account.
    const simulated = async <S extends { listen(port: number, host: string): Promise<string>; close(): Promise<void> }>(
      make: (account: { user: string; password: string }) => S,
    ) => {
      const account = { user: 'gateway@simulator.local', password: randomBytes(12).toString('base64url') };
      const sim = make(account);
      const url = await sim.listen(0, '127.0.0.1');
      stops.push(() => sim.close());
      return { sim, url, ...account };
    };

    let meetnetSim: MeetnetSimulator | null = null;
    let meetnetConfig = config.meetnet;
    if (!meetnetConfig.baseUrl) {
      const s = await simulated((a) =>
        createMeetnetSimulator({ username: a.user, password: a.password, latencyMs: config.simulatorLatencyMs }),
      );
      meetnetSim = s.sim;
      meetnetConfig = { ...meetnetConfig, baseUrl: s.url, username: s.user, password: s.password };
    }
    secrets.add(meetnetConfig.password);

    let fmSim: FlexMeasuresSimulator | null = null;
    let fmConfig = config.flexmeasures;
    if (!fmConfig.baseUrl) {
      const s = await simulated((a) =>
        createFlexMeasuresSimulator({
          email: a.user,
          password: a.password,
          latencyMs: config.simulatorLatencyMs,
          // Forcing v1_1 on the built-in simulator makes it an older server (v0.12) that still speaks it.
          generation: config.flexmeasures.apiVersion === 'v1_1' ? 'v1_1' : 'v3_0',
        }),
      );
      fmSim = s.sim;
      fmConfig = { ...fmConfig, baseUrl: s.url, email: s.user, password: s.password };
    }
    secrets.add(fmConfig.password);

    let bemSim: BemServerSimulator | null = null;
    let bemConfig = config.bemserver;
    if (!bemConfig.baseUrl) {
      const s = await simulated((a) => createBemServerSimulator({ email: a.user, password: a.password, latencyMs: config.simulatorLatencyMs }));
      bemSim = s.sim;
      bemConfig = { ...bemConfig, baseUrl: s.url, email: s.user, password: s.password };
    }
    secrets.add(bemConfig.password);

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
      config: meetnetConfig as Parameters<typeof createMeetnet>[0]["config"],
      simulated: meetnetSim !== null,
      catalogTtlMs: config.catalogTtlMs,
      store,
      logger,
      secrets,
    });
    const flexmeasures = createFlexMeasures({
      config: fmConfig as Parameters<typeof createFlexMeasures>[0]['config'],
      simulated: fmSim !== null,
      catalogTtlMs: config.catalogTtlMs,
      store,
      logger,
      secrets,
    });
    const bemserver = createBemServer({
      config: bemConfig as Parameters<typeof createBemServer>[0]['config'],
      simulated: bemSim !== null,
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
      simulators: { meetnet: meetnetSim, flexmeasures: fmSim, bemserver: bemSim },
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
