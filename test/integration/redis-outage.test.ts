// Redis going away mid-run: tokens fall back to process memory and no query fails for it.
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';
import { expectTtl, startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers/redis.js';

const query = '{ sensor(id: "meetnet:sensor:MP7WVC") { id latest { value } } }';
let redis: PrivateRedis;
let app: TestApp;
let inspect: Redis;
const prefix = uniquePrefix();

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, REDIS_TIMEOUT_MS: '200' });
  inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  inspect.on('error', () => undefined);
});
afterAll(async () => {
  inspect.disconnect();
  await app.stop();
  await redis.stop();
});

describe('Redis outage', () => {
  it('keeps the token in Redis while it is up', async () => {
    const before = Date.now();
    const res = await gql(app.url, query);
    expect(res.errors).toBeUndefined();
    await inspect.connect();
    const stored = await inspect.get(`${prefix}token:meetnet`);
    expect(stored).toContain('"token"');
    await expectTtl(inspect, `${prefix}token:meetnet`, 3_539_000, before); // the simulator's 3599 s less a minute's margin
    inspect.disconnect();
  });

  it('answers every query while Redis is down, with one login for a burst of them', async () => {
    const sim = app.simulators.meetnet!;
    await redis.stop();
    sim.expireTokens(); // the next call gets a 401 and must log in again, with Redis gone
    sim.clearLog();
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(app.url, query)));
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.sensor.id).toBe('meetnet:sensor:MP7WVC');
    }
    expect(sim.requests('token')).toHaveLength(1);
    expect(app.logLines.some((l) => l.includes('Redis does not answer'))).toBe(true);
  });

  it('goes back to Redis when it returns', async () => {
    await redis.start();
    if (app.redis!.status !== 'ready') await once(app.redis!, 'ready'); // ioredis reconnects on its own
    expect(app.redis!.status).toBe('ready');
    // The store's probe finds it within a second.
    await until(() => app.logLines.some((l) => l.includes('Redis is back')));
    app.simulators.meetnet!.expireTokens();
    const res = await gql(app.url, query);
    expect(res.errors).toBeUndefined();
    await inspect.connect();
    expect(await inspect.get(`${prefix}token:meetnet`)).toContain('"token"');
  });
});
