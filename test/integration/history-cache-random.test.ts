// The history cache kept as days against an uncut gateway (HISTORY_CACHE_TTL_S=0), on random windows
// (1 ms to 50 days, ends at odd instants: a millisecond before midnight, noon, now) and random holes
// of days kept, on all three upstreams, BEMServer's data states and FlexMeasures' meter data and
// prognoses with horizons; a fixed seed, so a failure repeats.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers/redis.js';

const DAY = 86_400_000;
const q = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!, $ds: String) { timeSeries(sensorIds: $ids, from: $from, to: $to, dataState: $ds) { sensor { id } count min max timestamps values } }`;
const qc = `query($from: DateTime!, $to: DateTime!, $h: String) { connections(first: 3) { nodes { id meterData(from: $from, to: $to) { count min max timestamps values } prognosis(from: $from, to: $to, horizon: $h) { count min max timestamps values } } } }`;
let redis: PrivateRedis;
let cut: TestApp;
let uncut: TestApp;
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;

beforeAll(async () => {
  redis = await startPrivateRedis();
  cut = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() });
  uncut = await startTestApp({ HISTORY_CACHE_TTL_S: '0' });
}, 60_000);
afterAll(async () => {
  await cut.stop();
  await uncut.stop();
  await redis.stop();
});

const sets = [
  ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP0WC3', 'meetnet:sensor:MP7WRS'],
  ['flexmeasures:sensor:4', 'flexmeasures:sensor:32'],
  ['bemserver:sensor:1', 'bemserver:sensor:2', 'bemserver:sensor:62'],
];
const iso = (t: number) => new Date(t).toISOString();
const odd = (t: number) =>
  pick([t, t - 1, t + 1, Math.floor(t / DAY) * DAY, Math.floor(t / DAY) * DAY - 1, Math.floor(t / 60_000) * 60_000, t + 0.5 * DAY]);

it('75 random windows, read twice (the second from what the first kept): every answer is the uncut one', async () => {
  const now = Date.now();
  const mismatches: string[] = [];
  const stats = { errors: 0, points: 0, answers: 0, errs: new Set<string>() };
  const note = (r: { raw: string; errors?: Array<{ message: string }> }) => {
    stats.answers++;
    if (r.errors) {
      stats.errors++;
      r.errors.forEach((e) => stats.errs.add(e.message.slice(0, 120)));
    }
    stats.points += (r.raw.match(/Z"/g) ?? []).length;
  };
  for (let round = 0; round < 60; round++) {
    const ids = pick(sets);
    const sub = ids.filter(() => rnd() < 0.7);
    const use = sub.length ? sub : ids;
    // Holes: a few short reads on the cut gateway, for some sensors only.
    for (let h = 0; h < Math.floor(rnd() * 4); h++) {
      const s = now - Math.floor(rnd() * 60) * DAY - Math.floor(rnd() * DAY);
      await gql(cut.url, q, { ids: [pick(use)], from: iso(s), to: iso(s + Math.floor(rnd() * 3 * DAY) + 1) });
    }
    const len = pick([1, 1000, 3_600_000, DAY - 1, DAY, DAY + 1, 3 * DAY, 20 * DAY + 7, 50 * DAY]);
    const end = pick([now, now - 1, odd(now - Math.floor(rnd() * 30) * DAY), odd(now - 8 * DAY)]);
    const from = odd(end - len);
    const to = Math.max(from + 1, end);
    const ds = ids[0]!.startsWith('bemserver') ? pick([null, 'Raw', 'Clean']) : null;
    const vars = { ids: use, from: iso(from), to: iso(Math.min(to, now)), ds };
    const [a, b] = [await gql(cut.url, q, vars), await gql(uncut.url, q, vars)];
    note(b);
    if (a.raw !== b.raw) mismatches.push(`${JSON.stringify(vars)}\n cut:   ${a.raw.slice(0, 300)}\n uncut: ${b.raw.slice(0, 300)}`);
    const c = await gql(cut.url, q, vars);
    if (c.raw !== b.raw)
      mismatches.push(`(second) ${JSON.stringify(vars)}\n cut:   ${c.raw.slice(0, 300)}\n uncut: ${b.raw.slice(0, 300)}`);
  }
  for (let round = 0; round < 15; round++) {
    const len = pick([DAY, 20 * DAY + 7, 10 * DAY]);
    const end = pick([now - 1, odd(now - Math.floor(rnd() * 30) * DAY)]);
    const from = odd(end - len);
    const vars = { from: iso(from), to: iso(Math.min(end, now)), h: pick([null, 'PT6H', 'PT1H', 'P1D', '-PT1H']) };
    const [a, b] = [await gql(cut.url, qc, vars), await gql(uncut.url, qc, vars)];
    note(b);
    if (a.raw !== b.raw) mismatches.push(`conn ${JSON.stringify(vars)}\n cut:   ${a.raw.slice(0, 300)}\n uncut: ${b.raw.slice(0, 300)}`);
    const c = await gql(cut.url, qc, vars);
    if (c.raw !== b.raw)
      mismatches.push(`conn (second) ${JSON.stringify(vars)}\n cut:   ${c.raw.slice(0, 300)}\n uncut: ${b.raw.slice(0, 300)}`);
  }
  expect(mismatches).toEqual([]);
  // Enough was compared for the comparison to mean something (about 146 000 points when written).
  expect(stats.points).toBeGreaterThan(50_000);
  expect(stats.answers).toBe(75);
}, 600_000);
