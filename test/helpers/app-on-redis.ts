// A gateway on a Redis of its own, with a client to look into that Redis: for the tests of what the
// gateway keeps there.
import { Redis } from 'ioredis';
import { startTestApp, type TestApp } from './app.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from './redis.js';

export interface AppOnRedis {
  app: TestApp;
  redis: PrivateRedis;
  /** A plain client of the same Redis. */
  inspect: Redis;
  /** REDIS_KEY_PREFIX of the gateway. */
  prefix: string;
  stop(): Promise<void>;
}

export async function startAppOnPrivateRedis(env: Record<string, string> = {}): Promise<AppOnRedis> {
  const redis = await startPrivateRedis();
  const prefix = uniquePrefix();
  const app = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ...env });
  const inspect = new Redis(redis.url);
  return {
    app,
    redis,
    inspect,
    prefix,
    stop: async () => {
      inspect.disconnect();
      await app.stop();
      await redis.stop();
    },
  };
}
