// Holes in the days kept in Redis cost no extra upstream calls: a window is read from its first
// missing day in one call (days found after it are read again), as many calls as uncut. Each run
// of missing days was once a call of its own: alternate days kept made a read of 200 days 100
// calls, and 10 Meetnet sensors each with another day kept 20 calls instead of one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataCalls, startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
let redis: PrivateRedis;
let app: TestApp;
let uncut: TestApp;
const q = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values } }`;
const iso = (t: number) => new Date(t).toISOString();
const clear = (a: TestApp) => Object.values(a.simulators).forEach((s) => s?.clearLog());
/** Entries stored so far, by upstream (the metric). */
const stored = async (upstream: string) =>
  Number(
    new RegExp(`^gateway_history_cache_stores_total\\{upstream="${upstream}",result="stored"\\} (\\d+)$`, 'm').exec(
      await (await fetch(new URL('/metrics', app.url))).text(),
    )?.[1] ?? 0,
  );

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() });
  uncut = await startTestApp({ HISTORY_CACHE_TTL_S: '0' });
}, 60_000);
afterAll(async () => {
  await app.stop();
  await uncut.stop();
  await redis.stop();
});

it('alternate days kept, on every upstream: a read of 200 days is one upstream call, as uncut, and the same answer', async () => {
  const last = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
  const first = last - 200 * DAY;
  for (const [name, id] of [
    ['meetnet', 'meetnet:sensor:MP7WVC'],
    ['flexmeasures', 'flexmeasures:sensor:4'],
    ['bemserver', 'bemserver:sensor:1'],
  ] as const) {
    const before = await stored(name);
    for (let d = first; d < last; d += 2 * DAY) await gql(app.url, q, { ids: [id], from: iso(d), to: iso(d + DAY) });
    await until(async () => (await stored(name)) === before + 100);
    clear(app);
    clear(uncut);
    const vars = { ids: [id], from: iso(first), to: iso(last) };
    const a = await gql(app.url, q, vars);
    const b = await gql(uncut.url, q, vars);
    expect(a.raw).toBe(b.raw);
    expect([dataCalls(app)[name], dataCalls(uncut)[name]]).toEqual([1, 1]);
  }
}, 300_000);

it('Meetnet: 10 sensors, each with another day kept, in one call as uncut, and the same answer', async () => {
  const last = Math.floor(Date.now() / DAY) * DAY - 300 * DAY;
  const first = last - 30 * DAY;
  const all = await gql(app.url, '{ sensors(first: 1000) { nodes { id intervalMinutes } } }');
  const ids: string[] = all
    .data!.sensors.nodes.filter(
      (s: { id: string; intervalMinutes: number | null }) => s.id.startsWith('meetnet') && s.intervalMinutes === 10,
    )
    .slice(0, 10)
    .map((s: { id: string }) => s.id);
  // Each sensor has one other day cached (a client looked at that day).
  const before = await stored('meetnet');
  for (let i = 0; i < ids.length; i++)
    await gql(app.url, q, { ids: [ids[i]], from: iso(first + (2 * i + 1) * DAY), to: iso(first + (2 * i + 2) * DAY) });
  await until(async () => (await stored('meetnet')) === before + 10);
  clear(app);
  clear(uncut);
  const vars = { ids, from: iso(first), to: iso(last) };
  const a = await gql(app.url, q, vars);
  const b = await gql(uncut.url, q, vars);
  expect(a.errors).toBeUndefined();
  expect(a.raw).toBe(b.raw);
  expect([dataCalls(app).meetnet, dataCalls(uncut).meetnet]).toEqual([1, 1]);
}, 300_000);
