// A query whose batch has more day entries than one Redis command should carry: 40 Meetnet sensors
// over ten years are 146 400 days. Spread into one MGET they overflowed the JavaScript stack
// (RangeError), which the cache took for "Redis does not answer" (the shared cache off for the
// replica, every day read from Meetnet again), and their SETs in one pipeline outlasted
// REDIS_TIMEOUT_MS. In commands of at most 2048 keys, all are stored and then all are found.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppOnPrivateRedis, type AppOnRedis } from '../helpers/app-on-redis.js';
import type { TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
let on: AppOnRedis;
let app: TestApp;
const N = 40;
const DAYS = 3660;

beforeAll(async () => {
  on = await startAppOnPrivateRedis({
    REQUEST_DEADLINE_MS: '600000',
    MAX_QUERY_COST: '1000000000',
    MAX_POINTS_IN_FLIGHT: '1000000000',
    MAX_RESPONSE_POINTS: '100000000',
  });
  app = on.app;
}, 60_000);
afterAll(() => on.stop());

const metric = async (re: RegExp) => Number(re.exec(await (await fetch(new URL('/metrics', app.url))).text())?.[1] ?? 0);

it(`${N} sensors × ${DAYS} days in one query: stored, then all found in Redis, with no upstream call and no outage`, async () => {
  const r = await gql(app.url, '{ sensors(first: 1000) { nodes { id intervalMinutes } } }');
  const ids = r
    .data!.sensors.nodes.filter(
      (s: { id: string; intervalMinutes: number | null }) => s.id.startsWith('meetnet') && s.intervalMinutes === 30,
    )
    .slice(0, N)
    .map((s: { id: string }) => s.id);
  expect(ids).toHaveLength(N);
  const to = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
  const vars = { ids, from: new Date(to - DAYS * DAY).toISOString(), to: new Date(to).toISOString() };
  const query = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to, maxPoints: 100) { sensor { id } count } }`;
  const stored = /^gateway_history_cache_stores_total\{upstream="meetnet",result="stored"\} (\d+)/m;
  const first = await gql(app.url, query, vars);
  expect(first.errors).toBeUndefined();
  await until(async () => (await metric(stored)) === N * DAYS);

  app.simulators.meetnet!.clearLog();
  const second = await gql(app.url, query, vars);
  expect(second.errors).toBeUndefined();
  expect(second.data).toEqual(first.data);
  expect(app.simulators.meetnet!.requests('getData')).toHaveLength(0);
  expect(await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="hit"\} (\d+)/m)).toBe(N * DAYS);
  expect(await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="error"\} (\d+)/m)).toBe(0);
  expect(app.logLines.filter((l) => l.includes('Redis does not answer'))).toEqual([]);
}, 300_000);
