// A write through the gateway into a day the shared history cache keeps as final is read back at
// once: the write makes the cache forget the sensor's entries from the written instant on (and only
// those), on BEMServer (writeTimeseriesData) and FlexMeasures v3_0 (writeMeterData). Before, "the
// last ten days" answered from Redis without the written point until the day's entry expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppOnPrivateRedis, type AppOnRedis } from '../helpers/app-on-redis.js';
import type { TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
let on: AppOnRedis;
let app: TestApp;
const SERIES = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { timestamps values } }`;
/** The last ten days, and the UTC midnight `days` days back. */
const now = Date.now();
const lastTenDays = (id: string) => ({ ids: [id], from: new Date(now - 10 * DAY).toISOString(), to: new Date(now).toISOString() });
const midnight = (days: number) => Math.floor((now - days * DAY) / DAY) * DAY;
const dayKeys = async (sensor: string) =>
  (await on.inspect.keys(`${on.prefix}history:*:${sensor}:*`)).map((k) => Number(/:(\d+)-\d+$/.exec(k)![1])).sort();

beforeAll(async () => {
  on = await startAppOnPrivateRedis();
  app = on.app;
}, 60_000);
afterAll(() => on.stop());

describe('writes and the days kept in Redis', () => {
  it('BEMServer: a point written 5 days back shows in the last ten days at once; the days before it stay in Redis', async () => {
    const before = await gql(app.url, SERIES, lastTenDays('bemserver:sensor:1'));
    expect(before.errors).toBeUndefined();
    // BEMServer's days are final after 3 days: 7 or 8 of them are kept.
    await until(async () => (await dayKeys('1')).length >= 7);
    const kept = await dayKeys('1');
    const at = new Date(midnight(5) + 12 * HOUR + 3 * 60_000 + 7_000).toISOString();
    expect(before.data!.timeSeries[0].timestamps).not.toContain(at);

    const w = await gql(
      app.url,
      `mutation($at: DateTime!) { writeTimeseriesData(input: { sensorId: "bemserver:sensor:1", points: [{ time: $at, value: 12345 }] }) { status } }`,
      { at },
    );
    expect(w.errors).toBeUndefined();
    // Forgotten before the mutation answers: the days from the written one on, not those before.
    expect(await dayKeys('1')).toEqual(kept.filter((d) => d + DAY <= Date.parse(at)));
    const after = await gql(app.url, SERIES, lastTenDays('bemserver:sensor:1'));
    const series = after.data!.timeSeries[0];
    expect(series.values[series.timestamps.indexOf(at)]).toBe(12345);
    const text = await (await fetch(new URL('/metrics', app.url))).text();
    expect(Number(/^gateway_history_cache_stores_total\{upstream="bemserver",result="forgotten"\} (\d+)$/m.exec(text)?.[1])).toBe(
      kept.length - kept.filter((d) => d + DAY <= Date.parse(at)).length,
    );
  });

  it('FlexMeasures v3_0: meter data written 9 days back replaces the kept value in the last ten days', async () => {
    const connection = 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.6';
    const sensor = 'flexmeasures:sensor:6';
    const start = midnight(9) + 6 * HOUR;
    const before = await gql(app.url, SERIES, lastTenDays(sensor));
    expect(before.errors).toBeUndefined();
    await until(async () => (await dayKeys('6')).length >= 2);
    const kept = before.data!.timeSeries[0];
    const at = new Date(start).toISOString();
    const old = kept.values[kept.timestamps.indexOf(at)];
    const value = -0.0042;
    expect(old).not.toBe(value);

    const w = await gql(app.url, `mutation($input: MeterDataInput!) { writeMeterData(input: $input) { status sensorId } }`, {
      input: { connectionId: connection, start: at, values: [value] },
    });
    expect(w.errors).toBeUndefined();
    expect(w.data!.writeMeterData.sensorId).toBe(sensor);
    const after = (await gql(app.url, SERIES, lastTenDays(sensor))).data!.timeSeries[0];
    expect(after.values[after.timestamps.indexOf(at)]).toBe(value);
  });

  it('a write into a window that starts before 1970 is forgotten too (its key reads -86400000-…)', async () => {
    const COUNT = `query { sensor(id: "bemserver:sensor:2") { series(from: "1969-12-31T00:00:00Z", to: "1970-03-01T00:00:00Z", bucket: { unit: DAY, aggregation: COUNT }) { timestamps values } } }`;
    const before = (await gql(app.url, COUNT)).data!.sensor.series;
    await until(async () => (await on.inspect.keys(`${on.prefix}history:*:2:-86400000-*`)).length === 1);
    const day = before.timestamps.indexOf('1970-01-15T00:00:00.000Z');
    const w = await gql(
      app.url,
      `mutation { writeTimeseriesData(input: { sensorId: "bemserver:sensor:2", points: [{ time: "1970-01-15T12:00:00Z", value: 5 }] }) { status } }`,
    );
    expect(w.errors).toBeUndefined();
    const after = (await gql(app.url, COUNT)).data!.sensor.series;
    expect(after.values[day]).toBe(before.values[day] + 1);
  });
});

describe("the index of a sensor's entries", () => {
  it('holds only live entries: one stored a TTL ago leaves it at the next store, while the index lives on', async () => {
    const short = await startAppOnPrivateRedis({ HISTORY_CACHE_TTL_S: '2' });
    try {
      const r = short.inspect;
      const read = (day: number) =>
        gql(
          short.app.url,
          `query { sensor(id: "bemserver:sensor:1") { series(from: "2026-10-0${day}T00:00:00Z", to: "2026-10-0${day}T01:00:00Z") { values } } }`,
        );
      const entryOf = async (day: number) => (await r.keys(`${short.prefix}history:*:1:${Date.parse(`2026-10-0${day}T00:00:00Z`)}-*`))[0];
      const dayOf = (key: string) => new Date(Number(/:(\d+)-\d+/.exec(key)![1])).getUTCDate();
      await read(1);
      await until(async () => (await entryOf(1)) !== undefined);
      const first = (await entryOf(1))!;
      // Day 2 half way through day 1's life keeps the index alive past it; day 3 once day 1 expired.
      await until(async () => (await r.pttl(first)) < 1000);
      await read(2);
      await until(async () => (await entryOf(2)) !== undefined);
      await until(async () => (await r.exists(first)) === 0);
      await read(3);
      await until(async () => (await entryOf(3)) !== undefined);
      const index = (await r.keys(`${short.prefix}history-index:*`))[0]!;
      expect((await r.zrange(index, 0, -1)).map(dayOf).sort()).toEqual([2, 3]);
    } finally {
      await short.stop();
    }
  });
});
