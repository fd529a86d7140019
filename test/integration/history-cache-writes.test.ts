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
});
