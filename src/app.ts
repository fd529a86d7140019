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

export interface App {
  url: string;
  gateway: Gateway;
  meetnet: Meetnet;
  simulators: { meetnet: MeetnetSimulator | null };
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
    // Built-in simulator when no Meetnet URL is configured, with a throwaway service account.
    let meetnetSim: MeetnetSimulator | null = null;
    let meetnetConfig = config.meetnet;
    if (!meetnetConfig.baseUrl) {
      const password = randomBytes(12).toString('base64url');
      meetnetSim = createMeetnetSimulator({ username: 'gateway@simulator.local', password, latencyMs: config.simulatorLatencyMs });
      const simUrl = await meetnetSim.listen(0, '127.0.0.1');
      stops.push(() => meetnetSim!.close());
      meetnetConfig = { ...meetnetConfig, baseUrl: simUrl, username: 'gateway@simulator.local', password };
    }
    secrets.add(meetnetConfig.password);

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
    const registry = new UpstreamRegistry([meetnet.adapter]);
    const gateway = await createGateway({ config, registry, logger });
    const url = await gateway.listen(config.port, config.host);
    stops.unshift(() => gateway.stop());

    return {
      url,
      gateway,
      meetnet,
      simulators: { meetnet: meetnetSim },
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
