// The shared history cache's days against the real FlexMeasures and BEMServer: two weeks ending now
// of a 5-minute FlexMeasures sensor and a BEMServer timeseries, read twice through a gateway that
// keeps final days in Redis, answer exactly what a gateway without the cache answers, and the
// second read asks each server only for the days since its HISTORY_FINAL_AFTER_MS (counted at a
// recording proxy in front of each).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { RecordingProxy } from '../helpers/recording-proxy.js';
import { proxiedRealUpstreams, type ProxiedRealUpstreams } from './targets.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let real: ProxiedRealUpstreams;
let fm: RecordingProxy;
let bem: RecordingProxy;
let cached: TestApp;
let uncut: TestApp;

beforeAll(async () => {
  real = await proxiedRealUpstreams();
  ({ fm, bem } = real);
  const env = { ...real.gatewayEnv, REDIS_URL };
  [cached, uncut] = await Promise.all([
    startTestApp({ ...env, REDIS_KEY_PREFIX: uniquePrefix() }),
    startTestApp({ ...env, REDIS_KEY_PREFIX: uniquePrefix(), HISTORY_CACHE_TTL_S: '0' }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([cached?.stop(), uncut?.stop()]);
  await real?.close();
});

const QUERY = `query ($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values } }`;
/** The first UTC day a server's data may still change on, by its HISTORY_FINAL_AFTER_MS default. */
const firstOpenDay = (finalAfterDays: number) => Math.floor((Date.now() - finalAfterDays * DAY) / DAY) * DAY;

describe('a long window ending now, kept as days, on the real servers', () => {
  it('answers as an uncut read, and the second read asks only for the recent days', async () => {
    const ids = [real.fmSensor('CS 2'), real.bemSensor('Air temperature 0.01')];
    // Two weeks ending at the last whole minute, starting at 05:07: never final as a whole.
    const to = Math.floor(Date.now() / 60_000) * 60_000;
    const vars = { ids, from: iso(to - 14 * DAY + 5 * 3_600_000 + 7 * 60_000), to: iso(to) };
    const expected = await gql(uncut.url, QUERY, vars);
    expect(expected.errors).toBeUndefined();
    const lengths = expected.data!.timeSeries.map((t: { values: unknown[] }) => t.values.length);
    expect(lengths[0]).toBeGreaterThan(13 * 288); // 5-minute data over 13 days and more
    expect(lengths[1]).toBeGreaterThan(100);

    const first = await gql(cached.url, QUERY, vars);
    expect(first.raw).toBe(expected.raw);
    fm.clear();
    bem.clear();
    const second = await gql(cached.url, QUERY, vars);
    expect(second.raw).toBe(expected.raw);
    const fmReads = fm.calls(/\/api\/v3_0\/sensors\/\d+\/data$/);
    expect(fmReads.map((c) => Date.parse(c.query.get('start')!))).toEqual([firstOpenDay(7)]);
    const bemReads = bem.calls('/timeseries_data/');
    expect(bemReads.map((c) => Date.parse(c.query.get('start_time')!))).toEqual([firstOpenDay(3)]);
  });
});
