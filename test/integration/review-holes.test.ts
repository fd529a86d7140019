// Review: holes of missing days cost an upstream call each; sensors whose missing days differ no
// longer share Meetnet's one call per window.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataCalls, startTestApp, type TestApp } from './../helpers/app.js';
import { gql } from './../helpers/graphql.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from './../helpers/redis.js';

const DAY = 86_400_000;
let redis: PrivateRedis;
let app: TestApp;
let uncut: TestApp;
const q = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values } }`;
const iso = (t: number) => new Date(t).toISOString();
const clear = (a: TestApp) => Object.values(a.simulators).forEach((s) => s?.clearLog());

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

it('alternate days cached: one read of 200 days makes 100 upstream calls (uncut: 1)', async () => {
  const last = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
  const first = last - 200 * DAY;
  for (const [name, id] of [
    ['meetnet', 'meetnet:sensor:MP7WVC'],
    ['flexmeasures', 'flexmeasures:sensor:4'],
    ['bemserver', 'bemserver:sensor:1'],
  ] as const) {
    for (let d = first; d < last; d += 2 * DAY) await gql(app.url, q, { ids: [id], from: iso(d), to: iso(d + DAY) });
    await new Promise((ok) => setTimeout(ok, 1000));
    clear(app);
    clear(uncut);
    const vars = { ids: [id], from: iso(first), to: iso(last) };
    const a = await gql(app.url, q, vars);
    const b = await gql(uncut.url, q, vars);
    expect(a.raw).toBe(b.raw);
    console.log(name, 'cut calls', dataCalls(app)[name], 'uncut calls', dataCalls(uncut)[name]);
  }
}, 300_000);

it('Meetnet: 10 sensors whose cached days differ: one call per distinct run (uncut: 1 for all)', async () => {
  const last = Math.floor(Date.now() / DAY) * DAY - 300 * DAY;
  const first = last - 30 * DAY;
  const all = await gql(app.url, '{ sensors(first: 1000) { nodes { id intervalMinutes } } }');
  const ids: string[] = all
    .data!.sensors.nodes.filter((s: any) => s.id.startsWith('meetnet') && s.intervalMinutes === 10)
    .slice(0, 10)
    .map((s: any) => s.id);
  // Each sensor has one other day cached (a client looked at that day).
  for (let i = 0; i < ids.length; i++)
    await gql(app.url, q, { ids: [ids[i]], from: iso(first + (2 * i + 1) * DAY), to: iso(first + (2 * i + 2) * DAY) });
  await new Promise((ok) => setTimeout(ok, 1000));
  clear(app);
  clear(uncut);
  const vars = { ids, from: iso(first), to: iso(last) };
  const a = await gql(app.url, q, vars);
  const b = await gql(uncut.url, q, vars);
  expect(a.errors).toBeUndefined();
  expect(a.raw).toBe(b.raw);
  console.log('meetnet batch: cut calls', dataCalls(app).meetnet, 'uncut calls', dataCalls(uncut).meetnet);
  expect(dataCalls(app).meetnet).toBeLessThanOrEqual(dataCalls(uncut).meetnet);
}, 300_000);
