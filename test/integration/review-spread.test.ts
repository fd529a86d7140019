// Review: a query whose batch has more than ~125k day entries: the MGET's argument spread throws
// (RangeError), which the cache reads as "Redis does not answer": the shared cache is off for the
// whole replica for a second, and the query's cached days are all read from the upstream again.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './../helpers/app.js';
import { gql } from './../helpers/graphql.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from './../helpers/redis.js';

const DAY = 86_400_000;
let redis: PrivateRedis;
let app: TestApp;
let inspect: Redis;
const prefix = uniquePrefix();
const N = Number(process.env.N ?? 40);
const DAYS = Number(process.env.DAYS ?? 3660);

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startTestApp({
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    REQUEST_DEADLINE_MS: '600000',
    MAX_QUERY_COST: '1000000000',
    MAX_POINTS_IN_FLIGHT: '1000000000',
    MAX_RESPONSE_POINTS: '100000000',
  });
  inspect = new Redis(redis.url);
}, 60_000);
afterAll(async () => {
  inspect.disconnect();
  await app.stop();
  await redis.stop();
});

const metric = async (re: RegExp) => Number(re.exec(await (await fetch(new URL('/metrics', app.url))).text())?.[1] ?? 0);

it(`${N} sensors × ${DAYS} days in one query`, async () => {
  const r = await gql(app.url, '{ sensors(first: 1000) { nodes { id intervalMinutes } } }');
  const ids = r
    .data!.sensors.nodes.filter((s: any) => s.id.startsWith('meetnet') && s.intervalMinutes === 30)
    .slice(0, N)
    .map((s: any) => s.id);
  const to = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
  const vars = { ids, from: new Date(to - DAYS * DAY).toISOString(), to: new Date(to).toISOString() };
  const query = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to, maxPoints: 100) { sensor { id } count } }`;
  for (let round = 0; round < 2; round++) {
    app.simulators.meetnet!.clearLog();
    const t0 = performance.now();
    const res = await gql(app.url, query, vars);
    const ms = performance.now() - t0;
    await new Promise((ok) => setTimeout(ok, 5000));
    console.log(
      JSON.stringify({
        round,
        keysPerQuery: ids.length * DAYS,
        ms: Math.round(ms),
        errors: res.errors?.map((e) => e.message.slice(0, 100)),
        getData: app.simulators.meetnet!.requests('getData').length,
        dbsize: await inspect.dbsize(),
        lookupError: await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="error"\} (\d+)/m),
        lookupHit: await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="hit"\} (\d+)/m),
        stored: await metric(/^gateway_history_cache_stores_total\{upstream="meetnet",result="stored"\} (\d+)/m),
        warnings: app.logLines.filter((l) => l.includes('Redis does not answer')).map((l) => l.slice(0, 200)),
      }),
    );
  }
  // Second round: the days are in Redis, so no getData call should be needed, and Redis never seemed down.
  expect(app.simulators.meetnet!.requests('getData').length).toBe(0);
  expect(app.logLines.filter((l) => l.includes('Redis does not answer'))).toEqual([]);
}, 900_000);
