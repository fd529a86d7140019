// The gateway against the real FlexMeasures and BEMServer (issue 14): reads, writes, batching
// counted at a recording proxy in front of each server, token renewal and errors. Meetnet stays on
// its simulator. The data set is the start script's (scripts/real-upstreams/seed.ts).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { RecordingProxy } from '../helpers/recording-proxy.js';
import { proxiedRealUpstreams, type ProxiedRealUpstreams } from './targets.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let real: ProxiedRealUpstreams;
let fm: RecordingProxy;
let bem: RecordingProxy;
let app: TestApp;
let redis: Redis;
const prefix = uniquePrefix();

const fmSensor = (name: string) => real.fmSensor(name);
const bemSensor = (name: string) => real.bemSensor(name);

/** A second gateway on the same Redis prefix and proxies: another replica. */
const gatewayEnv = (): Record<string, string> => ({
  REDIS_URL,
  REDIS_KEY_PREFIX: prefix,
  // The tests count calls: none is answered from the shared history cache.
  HISTORY_CACHE_TTL_S: '0',
  ...real.gatewayEnv,
});
const startReplica = () => startTestApp(gatewayEnv());

beforeAll(async () => {
  real = await proxiedRealUpstreams();
  ({ fm, bem } = real);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  app = await startTestApp(gatewayEnv());
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await real?.close();
  redis?.disconnect();
});
beforeEach(() => {
  fm.clear();
  bem.clear();
});

describe('both real servers', () => {
  it('are reachable with their versions, not simulated', async () => {
    const res = await gql(app.url, '{ upstreams { name reachable apiVersion simulated message } }');
    expect(res.errors).toBeUndefined();
    const by = Object.fromEntries((res.data!.upstreams as Array<{ name: string }>).map((u) => [u.name.toLowerCase(), u]));
    expect(by.flexmeasures).toMatchObject({ reachable: true, apiVersion: 'v3_0', simulated: false });
    expect(by.bemserver).toMatchObject({ reachable: true, apiVersion: '0.27.0', simulated: false });
    // /api/ with the slash: /api is Werkzeug's 308 with an absolute http:// Location.
    expect(fm.calls('/api')).toHaveLength(0);
    expect(fm.calls('/api/').length).toBeGreaterThan(0);
    expect(fm.calls('/api/').every((c) => c.status === 200)).toBe(true);
  });
});

describe('FlexMeasures 1.0.1', () => {
  it("lists every sensor the account may read over two pages, none twice, none of another account's", async () => {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: { data?: any; errors?: unknown } = await gql(
        app.url,
        `query($after: String) { sensors(upstream: FLEXMEASURES, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id unit intervalMinutes } } }`,
        { after },
      );
      expect(page.errors).toBeUndefined();
      ids.push(...(page.data.sensors.nodes as Array<{ id: string }>).map((n) => n.id));
      after = page.data.sensors.pageInfo.hasNextPage ? page.data.sensors.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(ids).size).toBe(ids.length);
    // The account's 7 with data and 100 sub-meters; public: the market, 2 weather sensors and the 6
    // template sensors FlexMeasures 1.0.1's migrations make.
    expect(ids).toHaveLength(116);
    for (const name of ['CS 1', 'CS 2', 'heat pump', 'battery power', 'epex_da', 'wind speed']) expect(ids).toContain(fmSensor(name));
    expect(ids).not.toContain(fmSensor('plant meter'));
    // The upstream list was read in pages of 100.
    expect(fm.calls('/api/v3_0/sensors').map((c) => c.query.get('page'))).toEqual(['1', '2']);
  });

  it('reads 5-, 10-, 15-minute and hourly sensors over one window: full series, one call per sensor', async () => {
    const to = Math.floor((Date.now() - DAY) / HOUR) * HOUR;
    const from = to - 2 * HOUR;
    const names = ['CS 2', 'heat pump', 'CS 1', 'battery power'];
    const res = await gql(
      app.url,
      `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } unit timestamps values count } }`,
      { ids: names.map(fmSensor), from: iso(from), to: iso(to) },
    );
    expect(res.errors).toBeUndefined();
    const series = res.data!.timeSeries as Array<{ unit: string; timestamps: string[]; values: Array<number | null>; count: number }>;
    expect(series.map((s) => s.timestamps.length)).toEqual([24, 12, 8, 2]);
    expect(series.map((s) => s.unit)).toEqual(['MW', 'kW', 'MW', 'MW']);
    expect(series.every((s) => s.values.every((v) => typeof v === 'number'))).toBe(true);
    expect(series[0]!.timestamps[0]).toBe(iso(from));
    // FlexMeasures v3_0 reads one sensor per call: four calls, each asking from the window start.
    const calls = fm.calls(/\/api\/v3_0\/sensors\/\d+\/data$/);
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.query.get('start')))).toEqual(new Set([iso(from)]));
  });

  it('a window starting off the grid (xx:07) is asked from the grid and has values', async () => {
    const base = Math.floor((Date.now() - DAY) / HOUR) * HOUR;
    const res = await gql(
      app.url,
      `{ sensor(id: "${fmSensor('CS 1')}") { series(from: "${iso(base + 7 * MIN)}", to: "${iso(base + HOUR)}") { timestamps values } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.sensor.series.timestamps).toEqual([iso(base + 15 * MIN), iso(base + 30 * MIN), iso(base + 45 * MIN)]);
    expect(res.data!.sensor.series.values.every((v: unknown) => typeof v === 'number')).toBe(true);
    expect(fm.calls(/\/data$/)[0]!.query.get('start')).toBe(iso(base + 15 * MIN));
  });

  it('the same series twice in one request is one call; the day-ahead prices reach into tomorrow', async () => {
    const from = Math.floor(Date.now() / HOUR) * HOUR + HOUR;
    const id = fmSensor('epex_da');
    const q = `{ a: sensor(id: "${id}") { series(from: "${iso(from)}", to: "${iso(from + 3 * HOUR)}") { values } } b: sensor(id: "${id}") { series(from: "${iso(from)}", to: "${iso(from + 3 * HOUR)}") { values } } }`;
    const res = await gql(app.url, q);
    expect(res.errors).toBeUndefined();
    expect(res.data!.a.series.values.every((v: unknown) => typeof v === 'number')).toBe(true);
    expect(res.data!.b.series.values).toEqual(res.data!.a.series.values);
    expect(fm.calls(/\/data$/)).toHaveLength(1);
  });

  it('writes meter data to its own sensor, reads it back; a second write is "already received"', async () => {
    const connection = (await gql(app.url, `{ sensor(id: "${fmSensor('main meter')}") { entityAddress } }`)).data!.sensor
      .entityAddress as string;
    // An hour of its own in 2021, new each run.
    const start = Date.UTC(2021, 0, 1) + (Math.floor(Date.now() / 1000) % 50_000) * HOUR;
    const m = `mutation($input: MeterDataInput!) { writeMeterData(input: $input) { status message valuesSent sensorId } }`;
    const input = {
      connectionId: `flexmeasures:connection:${connection}`,
      start: iso(start),
      values: [0.04, 0.05, 0.06, 0.07],
      unit: 'MW',
      resolution: 'PT15M',
    };
    const first = await gql(app.url, m, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.writeMeterData).toMatchObject({ status: 'PROCESSED', valuesSent: 4, sensorId: fmSensor('main meter') });
    const again = await gql(app.url, m, { input });
    expect(again.data!.writeMeterData.status).toBe('ALREADY_RECEIVED');
    const back = await gql(
      app.url,
      `{ sensor(id: "${fmSensor('main meter')}") { series(from: "${iso(start)}", to: "${iso(start + HOUR)}") { values } } }`,
    );
    // main meter is in kW: 0.04 MW is 40 kW.
    expect(back.data!.sensor.series.values.slice(0, 4)).toEqual([40, 50, 60, 70]);
  });

  it("another account's sensor is not found; a write to the public market is FlexMeasures' own refusal", async () => {
    const other = await gql(app.url, `{ sensor(id: "${fmSensor('plant meter')}") { id } }`);
    expect(other.data?.sensor ?? null).toBeNull();
    const price = await gql(
      app.url,
      `mutation { writePriceData(input: { market: "epex_da", start: "2021-01-01T00:00:00Z", values: [1, 2], unit: "EUR/MWh", horizon: "PT35H" }) { status } }`,
    );
    expect(price.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'INVALID_SENDER', status: 403 });
  });

  it('a token FlexMeasures refuses (401) is replaced by one new login, and the read succeeds', async () => {
    // A replica starting on a shared store whose token the server no longer accepts.
    const stored = JSON.parse((await redis.get(`${prefix}token:flexmeasures`))!) as { token: string };
    await redis.set(`${prefix}token:flexmeasures`, JSON.stringify({ ...stored, token: 'revoked-token' }), 'PX', 60_000);
    const replica = await startReplica();
    try {
      fm.clear();
      const res = await gql(
        replica.url,
        `{ sensor(id: "${fmSensor('CS 1')}") { series(from: "${iso(Date.now() - 3 * HOUR)}", to: "${iso(Date.now() - 2 * HOUR)}") { count } } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.sensor.series.count).toBe(4);
      // The calls in flight with the refused token (the catalogue reads them together) each see the 401; one login follows.
      expect(fm.log.filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(1);
      expect(fm.calls('/api/requestAuthToken')).toHaveLength(1);
      expect(JSON.parse((await redis.get(`${prefix}token:flexmeasures`))!).token).not.toBe('revoked-token');
    } finally {
      await replica.stop();
    }
  });
});

describe('BEMServer 0.27.0', () => {
  it('the campaign hierarchy as locations, and every timeseries as a sensor over two pages of 100', async () => {
    const res = await gql(
      app.url,
      `{ locations(upstream: BEMSERVER, first: 100) { nodes { id name } } sensors(upstream: BEMSERVER, first: 200) { totalCount nodes { id unit intervalMinutes } } }`,
    );
    expect(res.errors).toBeUndefined();
    const names = (res.data!.locations.nodes as Array<{ name: string }>).map((n) => n.name);
    for (const n of ['Gateway demo', 'Campus Gent', 'Building A', 'Ground floor', 'Room 0.01', 'North facade', 'Bâtiment B'])
      expect(names.join('|')).toContain(n);
    expect(res.data!.sensors.totalCount).toBe(120); // 10 with data, 110 without
    expect(bem.calls('/timeseries/').map((c) => c.query.get('page'))).toEqual(['1', '2']);
    const hourly = (res.data!.sensors.nodes as Array<{ id: string; intervalMinutes: number | null }>).find(
      (s) => s.id === bemSensor('Outdoor temperature'),
    );
    expect(hourly!.intervalMinutes).toBe(60);
  });

  it('ten timeseries over one window: one upstream data call', async () => {
    const ids = real.dataset.bemserver.filter((s) => s.id > 0).map((s) => `bemserver:sensor:${s.id}`);
    const to = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const res = await gql(
      app.url,
      `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { count values } }`,
      { ids, from: iso(to - 6 * HOUR), to: iso(to) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries).toHaveLength(10);
    expect((res.data!.timeSeries as Array<{ count: number }>).every((s) => s.count > 0)).toBe(true);
    const calls = bem.calls('/timeseries_data/');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query.getAll('timeseries')).toHaveLength(10);
  });

  it('Raw and Clean data states; hourly buckets are the server aggregate', async () => {
    const id = bemSensor('Air temperature 0.01');
    const to = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const q = (state: string) =>
      `{ sensor(id: "${id}") { series(from: "${iso(to - 3 * HOUR)}", to: "${iso(to)}", dataState: "${state}") { count } } }`;
    const raw = await gql(app.url, q('Raw'));
    const clean = await gql(app.url, q('Clean'));
    expect(raw.data!.sensor.series.count).toBeGreaterThan(0);
    // The seed's Clean data stops a day before now.
    expect(clean.data!.sensor.series.count).toBe(0);
    const bucketed = await gql(
      app.url,
      `query($ids: [ID!]!) { timeSeries(sensorIds: $ids, from: "${iso(to - 6 * HOUR)}", to: "${iso(to)}", bucket: { width: 1, unit: HOUR, aggregation: AVG }) { timestamps values } }`,
      { ids: [id] },
    );
    expect(bucketed.errors).toBeUndefined();
    expect(bucketed.data!.timeSeries[0].timestamps.length).toBeGreaterThanOrEqual(6);
    expect(bem.calls('/timeseries_data/aggregate')).toHaveLength(1);
  });

  it('writes points, reads them back; the first write wins', async () => {
    const id = bemSensor('Heating power');
    const t0 = Date.UTC(2020, 0, 1) + (Math.floor(Date.now() / 1000) % 50_000) * HOUR;
    const m = `mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status valuesSent } }`;
    const points = [0, 1, 2].map((i) => ({ time: iso(t0 + i * 10 * MIN), value: 10 + i }));
    const w = await gql(app.url, m, { input: { sensorId: id, points } });
    expect(w.errors).toBeUndefined();
    expect(w.data!.writeTimeseriesData).toMatchObject({ status: 'PROCESSED', valuesSent: 3 });
    await gql(app.url, m, { input: { sensorId: id, points: points.map((p) => ({ ...p, value: 99 })) } });
    const read = await gql(app.url, `{ sensor(id: "${id}") { series(from: "${iso(t0)}", to: "${iso(t0 + 30 * MIN)}") { values } } }`);
    expect(read.data!.sensor.series.values).toEqual([10, 11, 12]);
  });

  it('an expired access token is renewed with the refresh token, without a new login', async () => {
    await gql(app.url, `{ sensor(id: "${bemSensor('CO2 0.01')}") { latest { value } } }`);
    // A replica starting on a shared store whose access token has expired (its refresh token has not).
    const stored = JSON.parse((await redis.get(`${prefix}token:bemserver`))!) as { expiresAt: number };
    await redis.set(`${prefix}token:bemserver`, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }), 'PX', 60_000);
    const replica = await startReplica();
    try {
      bem.clear();
      const res = await gql(
        replica.url,
        `{ sensor(id: "${bemSensor('CO2 0.01')}") { series(from: "${iso(Date.now() - 3 * HOUR)}", to: "${iso(Date.now() - HOUR)}") { count } } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.sensor.series.count).toBeGreaterThan(0);
      expect(bem.calls('/auth/token/refresh')).toHaveLength(1);
      expect(bem.calls('/auth/token')).toHaveLength(0);
    } finally {
      await replica.stop();
    }
  });

  it('an unknown data state is BAD_USER_INPUT listing the real ones', async () => {
    const res = await gql(
      app.url,
      `{ sensor(id: "${bemSensor('CO2 0.01')}") { series(from: "${iso(Date.now() - 3 * HOUR)}", to: "${iso(Date.now() - HOUR)}", dataState: "Cooked") { count } } }`,
    );
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(res.errors![0]!.message).toContain('Raw');
    expect(res.errors![0]!.message).toContain('Clean');
  });
});
