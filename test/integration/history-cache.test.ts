// The shared history cache in one gateway on a private Redis: old windows of every upstream are
// read once from the upstream and then from Redis (the simulators' request logs say so), one MGET
// per upstream's batch; recent windows and errors are never kept; and a Redis that is stopped or
// frozen mid-run fails no query (the reads go to the upstreams, one warning in the log).
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dataCalls, SENSORS_OF_EACH_UPSTREAM, startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
const ids = SENSORS_OF_EACH_UPSTREAM;
const query =
  'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values } }';
/** A day long past on every upstream (BEMServer's simulator has data from 2025). */
const oldDay = (n: number) => ({
  from: new Date(Date.UTC(2025, 2, n)).toISOString(),
  to: new Date(Date.UTC(2025, 2, n + 1)).toISOString(),
});

let redis: PrivateRedis;
let app: TestApp;
let inspect: Redis;
const prefix = uniquePrefix();

const clearLogs = () => Object.values(app.simulators).forEach((s) => s?.clearLog());
const historyKeys = async (): Promise<string[]> => (await inspect.keys(`${prefix}history:*`)).sort();
const commandCalls = async (command: string): Promise<number> => {
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await inspect.info('commandstats'));
  return m ? Number(m[1]) : 0;
};
const metric = async (line: RegExp): Promise<number> => {
  const text = await (await fetch(new URL('/metrics', app.url))).text();
  return Number(line.exec(text)?.[1] ?? 0);
};
const warnings = () => app.logLines.filter((l) => l.includes('shared cache: Redis does not answer'));

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, REDIS_TIMEOUT_MS: '200' });
  inspect = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  inspect.on('error', () => undefined);
  await inspect.connect();
  await gql(app.url, '{ sensors(first: 1000) { totalCount } }'); // catalogues and logins first
});
afterAll(async () => {
  inspect.disconnect();
  await app.stop();
  await redis.stop();
});
beforeEach(clearLogs);

describe('the shared history cache', () => {
  it('an old window of every upstream: read from the upstream once, then from Redis with no upstream call, the same answer', async () => {
    const first = await gql(app.url, query, { ids, ...oldDay(1) });
    expect(first.errors).toBeUndefined();
    expect(first.data!.timeSeries.every((t: { values: unknown[] }) => t.values.length > 0)).toBe(true);
    // FlexMeasures v3 reads one sensor per call.
    expect(dataCalls(app)).toEqual({ meetnet: 1, flexmeasures: 2, bemserver: 1 });
    // Stored without the answer waiting for it: here within moments.
    await until(async () => (await historyKeys()).length === 6);
    expect((await historyKeys()).map((k) => k.split(':').slice(2, 3).join())).toEqual([
      'bemserver',
      'bemserver',
      'flexmeasures',
      'flexmeasures',
      'meetnet',
      'meetnet',
    ]);

    clearLogs();
    const second = await gql(app.url, query, { ids, ...oldDay(1) });
    expect(dataCalls(app)).toEqual({ meetnet: 0, flexmeasures: 0, bemserver: 0 });
    expect(second.raw).toBe(first.raw);
    expect(await metric(/^gateway_history_cache_lookups_total\{upstream="flexmeasures",result="hit"\} (\d+)/m)).toBe(2);
  });

  it('a batch partly in Redis: only the missing sensors go to the upstream, in one call', async () => {
    const res = await gql(app.url, query, {
      ids: ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP7WRS', 'meetnet:sensor:MP0WC3'],
      ...oldDay(1),
    });
    expect(res.errors).toBeUndefined();
    const calls = app.simulators.meetnet!.requests('getData');
    expect(calls).toHaveLength(1);
    expect((calls[0]!.body as { IDs: string[] }).IDs).toEqual(['MP7WRS']);
    expect(res.data!.timeSeries.map((t: { sensor: { id: string } }) => t.sensor.id)).toEqual([
      'meetnet:sensor:MP7WVC',
      'meetnet:sensor:MP7WRS',
      'meetnet:sensor:MP0WC3',
    ]);
    expect(res.data!.timeSeries.every((t: { values: unknown[] }) => t.values.length > 100)).toBe(true);
    await until(async () => (await historyKeys()).length === 7);
  });

  it("looks up a batch's final windows in one MGET per upstream, and keeps them for HISTORY_CACHE_TTL_S", async () => {
    const mgets = await commandCalls('mget');
    const written = Date.now();
    const res = await gql(app.url, query, { ids, ...oldDay(3) });
    expect(res.errors).toBeUndefined();
    expect((await commandCalls('mget')) - mgets).toBe(3);
    await until(async () => (await historyKeys()).length === 13);
    const ttl = await inspect.ttl((await historyKeys()).find((k) => k.includes(`:${Date.parse(oldDay(3).from)}-`))!);
    expect(ttl).toBeLessThanOrEqual(86_400);
    expect(ttl).toBeGreaterThanOrEqual(86_400 - Math.ceil((Date.now() - written) / 1000) - 1);
  });

  it('a recent window is not cached: both reads go to the upstream, and nothing is written', async () => {
    const to = Math.floor(Date.now() / 600_000) * 600_000;
    const recent = { ids: ids.slice(0, 2), from: new Date(to - DAY).toISOString(), to: new Date(to).toISOString() };
    const before = await historyKeys();
    const a = await gql(app.url, query, recent);
    const b = await gql(app.url, query, recent);
    expect(a.errors ?? b.errors).toBeUndefined();
    expect(dataCalls(app).meetnet).toBe(2);
    expect(await historyKeys()).toEqual(before);
  });

  it('an error is never cached: the next read asks the upstream again', async () => {
    const sim = app.simulators.meetnet!;
    const vars = { ids: ['meetnet:sensor:MP7WVC'], ...oldDay(5) };
    sim.addFault({ route: 'getData', status: 500, times: 10 });
    const failed = await gql(app.url, query, vars);
    sim.clearFaults();
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const before = await historyKeys();
    expect(before.some((k) => k.includes(`:${Date.parse(vars.from)}-`))).toBe(false);

    clearLogs();
    const answered = await gql(app.url, query, vars);
    expect(answered.errors).toBeUndefined();
    expect(sim.requests('getData')).toHaveLength(1);
    await until(async () => (await historyKeys()).some((k) => k.includes(`:${Date.parse(vars.from)}-`)));
  });
});

describe('a long window ending now, kept as days', () => {
  const HOUR = 3_600_000;
  /**
   * About 20 days ending at the last whole minute, starting at 12:07 UTC: never final as a whole.
   * The start is tied to midnight, not to now: a start an hour from midnight would move to the
   * day before when shifted (a CI run at 18:53 started the shifted window a day earlier).
   */
  const to = Math.floor(Date.now() / 60_000) * 60_000;
  const start = Math.floor((to - 20 * DAY) / DAY) * DAY + 12 * HOUR + 7 * 60_000;
  const window = (shift = 0) => ({
    ids,
    from: new Date(start - shift).toISOString(),
    to: new Date(to - shift).toISOString(),
  });
  /** Where each upstream's series reads started (epoch ms), from the simulators' logs. */
  const readStarts = () => ({
    meetnet: app.simulators.meetnet!.requests('getData').map((r) => (r.body as { StartTime: string }).StartTime),
    flexmeasures: app.simulators.flexmeasures!.requests('sensorData').map((r) => String(r.query.start)),
    bemserver: app.simulators.bemserver!.requests('timeseries_data').map((r) => String(r.query.start_time)),
  });
  /** The first day each upstream may not change any more, by its <UPSTREAM>_HISTORY_FINAL_AFTER_MS default. */
  const firstOpenDay = (finalAfterDays: number) => Math.floor((Date.now() - finalAfterDays * DAY) / DAY) * DAY;
  let uncut: TestApp;
  beforeAll(async () => {
    uncut = await startTestApp({ HISTORY_CACHE_TTL_S: '0' });
  });
  afterAll(async () => {
    await uncut.stop();
  });

  it('on every upstream: read whole once, then its final days from Redis and only the recent days from the upstream; the answer is the uncut one', async () => {
    const expected = await gql(uncut.url, query, window());
    expect(expected.errors).toBeUndefined();
    expect(expected.data!.timeSeries.every((t: { values: unknown[] }) => t.values.length > 0)).toBe(true);

    const first = await gql(app.url, query, window());
    expect(first.raw).toBe(expected.raw);
    // Cold, one call per window as uncut (FlexMeasures v3 reads one sensor per call), from the start of the window's first day.
    expect(dataCalls(app)).toEqual({ meetnet: 1, flexmeasures: 2, bemserver: 1 });
    const firstDay = Math.floor(Date.parse(window().from) / DAY) * DAY;
    expect(
      new Set(
        Object.values(readStarts())
          .flat()
          .map((t) => Date.parse(t)),
      ),
    ).toEqual(new Set([firstDay]));
    // A key per sensor and final day, each a whole UTC day.
    await until(async () => (await historyKeys()).filter((k) => k.includes(`:${firstDay}-`)).length === 6);
    const days = (await historyKeys()).filter((k) => /:(\d+)-(\d+)$/.exec(k) && Number(/:(\d+)-(\d+)$/.exec(k)![1]) >= firstDay);
    expect(
      days.every((k) => {
        const [, a, b] = /:(\d+)-(\d+)$/.exec(k)!;
        return Number(b) - Number(a) === DAY && Number(a) % DAY === 0;
      }),
    ).toBe(true);

    clearLogs();
    const second = await gql(app.url, query, window());
    expect(second.raw).toBe(expected.raw);
    expect(dataCalls(app)).toEqual({ meetnet: 1, flexmeasures: 2, bemserver: 1 });
    const starts = readStarts();
    expect(starts.meetnet.map(Date.parse)).toEqual([firstOpenDay(2)]);
    expect(starts.flexmeasures.map(Date.parse)).toEqual([firstOpenDay(7), firstOpenDay(7)]);
    expect(starts.bemserver.map(Date.parse)).toEqual([firstOpenDay(3)]);
  });

  it('a window an hour earlier shares the days: the same upstream reads of the recent days, and again the uncut answer', async () => {
    await gql(app.url, query, window());
    clearLogs();
    const moved = await gql(app.url, query, window(HOUR));
    expect(moved.raw).toBe((await gql(uncut.url, query, window(HOUR))).raw);
    expect(readStarts().meetnet.map(Date.parse)).toEqual([firstOpenDay(2)]);
    expect(dataCalls(app)).toEqual({ meetnet: 1, flexmeasures: 2, bemserver: 1 });
  });

  it('buckets and resampling are never cut: a bucketed long window reads its whole window from the upstream', async () => {
    const bucketed =
      'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to, bucket: { unit: DAY }) { sensor { id } timestamps values } }';
    const vars = {
      ids: ['bemserver:sensor:1'],
      from: new Date(firstOpenDay(30)).toISOString(),
      to: new Date(firstOpenDay(0)).toISOString(),
    };
    const a = await gql(app.url, bucketed, vars);
    expect(a.errors).toBeUndefined();
    clearLogs();
    const b = await gql(app.url, bucketed, vars);
    expect(b.raw).toBe(a.raw);
    const aggregates = app.simulators.bemserver!.requests('timeseries_data/aggregate');
    expect(aggregates.map((r) => Date.parse(String(r.query.start_time)))).toEqual([firstOpenDay(30)]);
  });
});

describe('the shared history cache, capped by HISTORY_CACHE_MAX_BYTES', () => {
  it('a series larger than the cap is not stored: every read asks the upstream, and the metric says why', async () => {
    const capped = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: `${prefix}capped-`, HISTORY_CACHE_MAX_BYTES: '1024' });
    try {
      // 3 days, an entry each: 144 points, 1 192 bytes (its values as Float64 after a 40-byte header), over 1 KiB.
      const vars = { ids: ['meetnet:sensor:MP7WVC'], from: oldDay(1).from, to: oldDay(4).from };
      for (let i = 0; i < 2; i++) expect((await gql(capped.url, query, vars)).errors).toBeUndefined();
      expect(capped.simulators.meetnet!.requests('getData')).toHaveLength(2);
      expect(await inspect.keys(`${prefix}capped-history:*`)).toEqual([]);
      const text = await (await fetch(new URL('/metrics', capped.url))).text();
      expect(text).toMatch(/^gateway_history_cache_stores_total\{upstream="meetnet",result="too_large"\} 6$/m);
    } finally {
      await capped.stop();
    }
  });
});

describe('the shared history cache when Redis fails', () => {
  it('Redis stopped: every query answers from the upstreams, with one warning however many queries', async () => {
    const cached = await gql(app.url, query, { ids, ...oldDay(1) });
    expect(dataCalls(app)).toEqual({ meetnet: 0, flexmeasures: 0, bemserver: 0 });
    await redis.stop();
    const errorsBefore = await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="error"\} (\d+)/m);
    for (let i = 0; i < 5; i++) {
      const res = await gql(app.url, query, { ids, ...oldDay(1) });
      expect(res.errors).toBeUndefined();
      expect(res.raw).toBe(cached.raw);
    }
    expect(dataCalls(app)).toEqual({ meetnet: 5, flexmeasures: 10, bemserver: 5 });
    expect(warnings()).toHaveLength(1);
    expect(await metric(/^gateway_history_cache_lookups_total\{upstream="meetnet",result="error"\} (\d+)/m)).toBeGreaterThan(errorsBefore);
  });

  it('Redis back: the cache is used again, and the log says so', async () => {
    await redis.start();
    if (app.redis!.status !== 'ready') await once(app.redis!, 'ready');
    // Within a second of the outage's last try, a read tries Redis again and stores its answer.
    await until(async () => {
      await gql(app.url, query, { ids: ['meetnet:sensor:MP7WVC'], ...oldDay(7) });
      // The inspecting client reconnects on its own: until it has, it has no answer.
      return (await historyKeys().catch(() => [])).length === 1;
    });
    expect(app.logLines.some((l) => l.includes('shared cache: Redis answers again'))).toBe(true);
    clearLogs();
    await gql(app.url, query, { ids: ['meetnet:sensor:MP7WVC'], ...oldDay(7) });
    expect(dataCalls(app).meetnet).toBe(0);
  });

  it('Redis frozen: queries still answer, from the upstreams', async () => {
    const warned = warnings().length;
    redis.freeze();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await gql(app.url, query, { ids: ['meetnet:sensor:MP7WVC'], ...oldDay(7) });
        expect(res.errors).toBeUndefined();
        expect(res.data!.timeSeries[0].values.length).toBeGreaterThan(100);
      }
      expect(dataCalls(app).meetnet).toBe(3);
      expect(warnings()).toHaveLength(warned + 1);
    } finally {
      redis.thaw();
    }
  });
});
