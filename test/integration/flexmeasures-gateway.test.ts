// FlexMeasures through the running gateway: connections, meter data and prognoses, writes, batching
// (proven by the simulator's request log) and a query across upstreams with one of them down.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionMeterDataDocument,
  ConnectionPrognosisDocument,
  ConnectionsDocument,
  WriteMeterDataDocument,
  WritePriceDataDocument,
  WritePrognosisDocument,
  WriteWeatherDataDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { FlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';
const conn = (n: number, style: 'fm1' | 'fm0' = 'fm1') => `flexmeasures:connection:${AUTHORITY}:${style === 'fm1' ? `fm1.${n}` : `3:${n}`}`;

interface Gen {
  app: TestApp;
  sim: FlexMeasuresSimulator;
}

async function start(env: Record<string, string>): Promise<Gen> {
  const app = await startTestApp(env);
  const sim = app.simulators.flexmeasures;
  sim?.setClock(() => NOW);
  return { app, sim: sim! };
}

let v3: Gen;
let v1: Gen;

beforeAll(async () => {
  [v3, v1] = await Promise.all([
    start({ FLEXMEASURES_CONCURRENCY: '4' }),
    // Forcing v1_1 makes the built-in simulator an older server (v0.12) that still speaks it.
    start({ FLEXMEASURES_API_VERSION: 'v1_1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([v3.app.stop(), v1.app.stop()]);
});
beforeEach(() => {
  for (const g of [v3, v1]) {
    g.sim.clearLog();
    g.sim.clearFaults();
    g.sim.latencyMs = 0;
  }
});

describe.each([
  ['v3_0', () => v3],
  ['v1_1', () => v1],
])('connections on %s', (generation, gen) => {
  it('lists the grid connections with their entity address, name and power sensor', async () => {
    const res = await gql(gen().app.url, ConnectionsDocument, { first: 100 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.connections.totalCount).toBe(31);
    const cs4 = res.data!.connections.nodes.find((c) => c.name === 'CS 4')!;
    expect(cs4).toMatchObject({ id: conn(4), entityAddress: `${AUTHORITY}:fm1.4`, sensor: { id: 'flexmeasures:sensor:4', unit: 'MW' } });
    expect(cs4.sensor.intervalMinutes).toBe(15);
  });

  it('both address styles (`:fm1.4` and `:3:4`) name the same connection', async () => {
    const res = await gql(
      gen().app.url,
      `{ a: connection(id: "${conn(4)}") { id name } b: connection(id: "${conn(4, 'fm0')}") { id name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a).toEqual({ id: conn(4), name: 'CS 4' });
    expect(res.data!.b).toEqual(res.data!.a);
  });

  it('meter data on a regular axis; the part of the window not measured yet is null', async () => {
    const res = await gql(gen().app.url, ConnectionMeterDataDocument, { first: 2, from: iso(NOW - 2 * HOUR), to: iso(NOW + HOUR) });
    expect(res.errors).toBeUndefined();
    // A charging station (v1_1 lists the solar park first: by id, descending).
    const series = res.data!.connections.nodes.find((n) => n.name.startsWith('CS'))!.meterData;
    expect(series.unit).toBe('MW');
    expect(series.timestamps).toHaveLength(12);
    expect(Date.parse(series.timestamps[1]!) - Date.parse(series.timestamps[0]!)).toBe(15 * 60_000);
    expect(series.values.slice(0, 8).every((v) => typeof v === 'number')).toBe(true);
    expect(series.values.slice(8)).toEqual([null, null, null, null]);
    // v1_1 speaks USEF (charging is positive); v3_0 keeps the stored sign (charging negative).
    const numbers = series.values.slice(0, 8) as number[];
    if (generation === 'v1_1') expect(numbers.every((v) => v >= 0)).toBe(true);
    else expect(numbers.every((v) => v <= 0)).toBe(true);
  });

  it('prognoses with a horizon reach into the future', async () => {
    const res = await gql(gen().app.url, ConnectionPrognosisDocument, {
      id: conn(31),
      from: iso(NOW + 24 * HOUR),
      to: iso(NOW + 26 * HOUR),
      horizon: 'PT6H',
    });
    expect(res.errors).toBeUndefined();
    const p = res.data!.connection.prognosis;
    expect(p.values).toHaveLength(8);
    expect(p.values.every((v) => typeof v === 'number')).toBe(true);
    const log = gen()
      .sim.requests(generation === 'v1_1' ? 'getPrognosis' : 'sensorData')
      .at(-1)!;
    expect(log.query.horizon).toBe('PT6H');
  });

  it('a malformed entity address or a resolution that is not a duration is BAD_USER_INPUT saying what to change', async () => {
    const bad = await gql(gen().app.url, `{ connection(id: "flexmeasures:connection:eb1.2021-01.x:4") { id } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain("starts with 'ea1'");
    const res = await gql(gen().app.url, ConnectionMeterDataDocument, {
      first: 1,
      from: iso(NOW - HOUR),
      to: iso(NOW),
      resolution: '15 minutes',
    });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain('resolution');
    expect(gen().sim.requests('sensorData').length + gen().sim.requests('getMeterData').length).toBe(0);
  });
});

describe('batching', () => {
  it('v1_1: 30 connections over one window make ONE getMeterData call', async () => {
    const res = await gql(v1.app.url, ConnectionMeterDataDocument, { first: 30, from: iso(NOW - 6 * HOUR), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.connections.nodes).toHaveLength(30);
    expect(res.data!.connections.nodes.every((n) => n.meterData.timestamps.length === 24)).toBe(true);
    const calls = v1.sim.requests('getMeterData');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query.connection).toHaveLength(30);
  });

  it('v3_0: the same query makes exactly 30 calls, at most FLEXMEASURES_CONCURRENCY (4) at once', async () => {
    v3.sim.latencyMs = 30;
    v3.sim.resetPeakConcurrency();
    const res = await gql(v3.app.url, ConnectionMeterDataDocument, { first: 30, from: iso(NOW - 6 * HOUR), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.connections.nodes.every((n) => n.meterData.timestamps.length === 24)).toBe(true);
    const calls = v3.sim.requests('sensorData');
    expect(calls).toHaveLength(30);
    expect(new Set(calls.map((c) => c.path)).size).toBe(30);
    expect(v3.sim.peakConcurrency).toBe(4);
  });

  it('v3_0: a window starting off the sensor grid is asked from the grid, so it has values (12:07 → 12:15)', async () => {
    // FlexMeasures answers only nulls for a start off the grid (as the real server does, and the simulator now).
    const from = NOW - 2 * HOUR + 7 * 60_000;
    const res = await gql(v3.app.url, ConnectionMeterDataDocument, { first: 1, from: iso(from), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    const series = res.data!.connections.nodes[0]!.meterData;
    expect(series.timestamps[0]).toBe(iso(NOW - 2 * HOUR + 15 * 60_000));
    expect(series.timestamps).toHaveLength(7);
    expect(series.values.every((v) => typeof v === 'number')).toBe(true);
    expect(v3.sim.requests('sensorData')[0]!.query.start).toBe(iso(NOW - 2 * HOUR + 15 * 60_000));
  });

  it('v3_0: the same series asked twice in one request is fetched once', async () => {
    const q = `query($from: DateTime!, $to: DateTime!) {
      a: connection(id: "${conn(4)}") { meterData(from: $from, to: $to) { count } }
      b: connection(id: "${conn(4, 'fm0')}") { meterData(from: $from, to: $to) { count } }
      c: sensor(id: "flexmeasures:sensor:4") { series(from: $from, to: $to) { count } }
    }`;
    const res = await gql(v3.app.url, q, { from: iso(NOW - HOUR), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.a.meterData.count).toBe(4);
    // meterData asks for measured data (type GetMeterDataRequest), series for any data: two distinct reads.
    expect(v3.sim.requests('sensorData')).toHaveLength(2);
  });
});

describe.each([
  ['v3_0', () => v3, 'postSensorData'],
  ['v1_1', () => v1, 'postMeterData'],
])('writes on %s', (generation, gen, meterRoute) => {
  it('meter data: processed, then already received, then a rejected replacement that keeps the upstream code', async () => {
    const input = { connectionId: conn(5), start: '2026-11-20T03:00:00Z', values: [0.011, 0.0074], resolution: 'PT30M' };
    const first = await gql(gen().app.url, WriteMeterDataDocument, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data!.writeMeterData).toMatchObject({
      status: 'PROCESSED',
      sensorId: 'flexmeasures:sensor:5',
      valuesSent: 4,
      upsampledBy: 2,
      apiVersion: generation,
    });
    const repeat = await gql(gen().app.url, WriteMeterDataDocument, { input });
    expect(repeat.data!.writeMeterData.status).toBe('ALREADY_RECEIVED');
    const changed = await gql(gen().app.url, WriteMeterDataDocument, { input: { ...input, values: [0.011, 0.022] } });
    expect(changed.data).toBeNull();
    expect(changed.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      upstream: 'flexmeasures',
      status: 403,
      upstreamCode: 'INVALID_REPLACEMENT',
    });
    expect(gen().sim.requests(meterRoute)).toHaveLength(3);
  });

  it('written values are read back', async () => {
    const value = generation === 'v1_1' ? 0.0055 : -0.0055; // each generation's own sign for charging
    const input = { connectionId: conn(6), start: '2026-11-20T01:00:00Z', values: [value] };
    const w = await gql(gen().app.url, WriteMeterDataDocument, { input });
    expect(w.errors).toBeUndefined();
    const res = await gql(
      gen().app.url,
      `{ connection(id: "${conn(6)}") { meterData(from: "2026-11-20T01:00:00Z", to: "2026-11-20T01:30:00Z") { values } } }`,
    );
    expect(res.data!.connection.meterData.values[0]).toBe(value);
  });

  it('prognoses with a horizon; without one the gateway refuses before sending', async () => {
    const input = { connectionId: conn(8), start: '2026-11-21T00:00:00Z', values: [0.01, 0.01, 0.012, 0.0], horizon: 'PT12H' };
    const ok = await gql(gen().app.url, WritePrognosisDocument, { input });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.writePrognosis).toMatchObject({ status: 'PROCESSED', valuesSent: 4, upsampledBy: 1 });
    const negative = await gql(gen().app.url, WritePrognosisDocument, { input: { ...input, horizon: '-PT1H' } });
    expect(negative.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'horizon' });
    expect(negative.errors![0]!.message).toContain('Prognoses must lie in the future');
  });

  it('prices for a market by name and weather data by kind and position (public: refused on v3_0)', async () => {
    const price = await gql(gen().app.url, WritePriceDataDocument, {
      input: { market: 'epex_da', start: '2026-11-22T00:00:00+01:00', values: [52.37, 51.14, 49.09], unit: 'EUR/MWh', horizon: 'PT35H' },
    });
    if (generation === 'v3_0') {
      // A public market belongs to no account: a current server lets only admins write it, and the
      // refusal is FlexMeasures' own, kept as such (found against FlexMeasures 1.0.1).
      expect(price.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'INVALID_SENDER', status: 403 });
      expect(price.errors![0]!.message).toContain('You cannot be authorized for this content or functionality.');
    } else {
      expect(price.errors).toBeUndefined();
      // v1_1 lists no markets or weather sensors: the server resolves them, and does not say which.
      expect(price.data!.writePriceData).toMatchObject({ status: 'PROCESSED', valuesSent: 3, sensorId: null });
    }
    const weather = await gql(gen().app.url, WriteWeatherDataDocument, {
      input: {
        kind: 'TEMPERATURE',
        latitude: 51.442,
        longitude: 3.596,
        start: '2026-11-21T00:00:00Z',
        values: [4.5, 4.2],
        unit: '°C',
        horizon: 'PT3H',
      },
    });
    if (generation === 'v3_0') {
      expect(weather.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'INVALID_SENDER' });
    } else {
      expect(weather.errors).toBeUndefined();
      expect(weather.data!.writeWeatherData).toMatchObject({ status: 'PROCESSED', valuesSent: 2, sensorId: null });
    }
  });

  it('invalid units, counts and resolutions are refused before anything is sent', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ connectionId: conn(5), start: '2026-11-20T03:00:00Z', values: [1], unit: 'MWh' }, 'unit', 'should be given in'],
      [
        { connectionId: conn(5), start: '2026-11-20T03:00:00Z', values: [1, 2, 3, 4, 5, 6, 7], duration: 'PT1H' },
        'duration',
        'do not divide',
      ],
      [{ connectionId: conn(5), start: '2026-11-20T03:00:00Z', values: [1, 2], resolution: 'PT5M' }, 'resolution', 'finer than'],
      [{ connectionId: conn(5), start: '2026-11-20T03:00:00Z', values: [1], horizon: 'PT1H' }, 'horizon', 'zero or negative'],
    ];
    for (const [input, argument, text] of cases) {
      const res = await gql(gen().app.url, WriteMeterDataDocument, { input: input as never });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(res.errors![0]!.message).toContain(text);
    }
    // One value a year long at 15 minutes would be 35 040 values; a thousand of them is too many for one write.
    const huge = await gql(gen().app.url, WriteMeterDataDocument, {
      input: {
        connectionId: conn(5),
        start: '2026-11-20T03:00:00Z',
        values: Array.from({ length: 1000 }, () => 0.01),
        resolution: 'P365D',
      },
    });
    expect(huge.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'resolution' });
    expect(huge.errors![0]!.message).toContain('split the write into shorter periods');
    const fine = await gql(gen().app.url, ConnectionMeterDataDocument, {
      first: 1,
      from: '2016-01-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
      resolution: 'PT1M',
    });
    expect(fine.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'resolution' });
    expect(fine.errors![0]!.message).toContain('ask for a coarser resolution');
    const weather = await gql(gen().app.url, WriteWeatherDataDocument, {
      input: { kind: 'WIND_SPEED', latitude: 51.442, longitude: 3.596, start: '2026-11-21T00:00:00Z', values: [4], unit: 'km/h' },
    });
    expect(weather.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'unit' });
    expect(gen().sim.requests(meterRoute)).toHaveLength(0);
    expect(gen().sim.requests(generation === 'v1_1' ? 'postWeatherData' : 'postSensorData')).toHaveLength(0);
  });
});

describe('upstream rejections of writes keep their code', () => {
  it('v1_1: a negative value for a pure consumer is POWER_VALUE_TOO_SMALL; an unknown market INVALID_DOMAIN', async () => {
    const res = await gql(v1.app.url, WriteMeterDataDocument, {
      input: { connectionId: conn(9), start: '2026-11-20T03:00:00Z', values: [-0.01] },
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', status: 400, upstreamCode: 'POWER_VALUE_TOO_SMALL' });
    expect(res.errors![0]!.message).toContain('registered as a pure consumer');
    const market = await gql(v1.app.url, WritePriceDataDocument, {
      input: { market: 'nordpool', start: '2026-11-22T00:00:00Z', values: [1], unit: 'EUR/MWh' },
    });
    expect(market.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', status: 422, upstreamCode: 'INVALID_DOMAIN' });
    expect(market.errors![0]!.message).toContain("market with entity address ea1.2021-01.io.flexmeasures.company:nordpool doesn't exist.");
  });

  it('v1_1: weather at a position without a sensor is UNRECOGNIZED_SENSOR naming the nearest one', async () => {
    const res = await gql(v1.app.url, WriteWeatherDataDocument, {
      input: { kind: 'IRRADIANCE', latitude: 50, longitude: 4, start: '2026-11-21T00:00:00Z', values: [0.2], unit: 'kW/m²' },
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: 'UNRECOGNIZED_SENSOR' });
    expect(res.errors![0]!.message).toContain('latitude 51.442 and longitude 3.596');
  });

  it('v3_0: a write to a sensor that is not a market is BAD_USER_INPUT; an upstream 500 is UPSTREAM_UNAVAILABLE', async () => {
    const res = await gql(v3.app.url, WritePriceDataDocument, {
      input: { sensorId: 'flexmeasures:sensor:4', start: '2026-11-22T00:00:00Z', values: [1], unit: 'EUR/MWh' },
    });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'sensorId' });
    v3.sim.addFault({ route: 'postSensorData', status: 500, body: '{"message": "boom", "status": 500}', times: 1 });
    const failed = await gql(v3.app.url, WriteMeterDataDocument, {
      input: { connectionId: conn(10), start: '2026-11-20T04:00:00Z', values: [-0.01] },
    });
    expect(failed.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'flexmeasures', status: 500 });
    expect(v3.sim.requests('postSensorData')).toHaveLength(1); // a write is never retried
  });
});

describe('across upstreams', () => {
  const q = `query($from: DateTime!, $to: DateTime!) {
    m: sensor(id: "meetnet:sensor:MP7WVC") { id series(from: $from, to: $to) { count } }
    f: sensor(id: "flexmeasures:sensor:4") { id series(from: $from, to: $to) { count } }
  }`;

  it('a Meetnet and a FlexMeasures sensor in one query', async () => {
    v3.app.simulators.meetnet!.setClock(() => NOW);
    const res = await gql(v3.app.url, q, { from: iso(NOW - 2 * HOUR), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.m.series.count).toBeGreaterThan(0);
    expect(res.data!.f.series.count).toBe(8);
  });

  it('with FlexMeasures down, Meetnet still answers and the error names the upstream', async () => {
    const g = await start({});
    try {
      g.app.simulators.meetnet!.setClock(() => NOW);
      g.sim.addFault({ status: 503, body: '<html>Service Unavailable</html>' });
      const res = await gql(g.app.url, q, { from: iso(NOW - 2 * HOUR), to: iso(NOW) });
      expect(res.status).toBe(200);
      expect(res.data!.m.series.count).toBeGreaterThan(0);
      expect(res.data!.f).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.path).toEqual(['f']);
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'flexmeasures' });
    } finally {
      await g.app.stop();
    }
  });

  it('with Meetnet down, FlexMeasures still answers', async () => {
    const g = await start({});
    try {
      g.app.simulators.meetnet!.addFault({ destroy: true });
      const res = await gql(g.app.url, q, { from: iso(NOW - 2 * HOUR), to: iso(NOW) });
      expect(res.data!.f.series.count).toBe(8);
      expect(res.data!.m).toBeNull();
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet' });
      const status = await gql(g.app.url, '{ upstreams { name reachable apiVersion serverVersion } }');
      expect(status.data!.upstreams).toEqual([
        expect.objectContaining({ name: 'MEETNET', reachable: false }),
        { name: 'FLEXMEASURES', reachable: true, apiVersion: 'v3_0', serverVersion: '0.31.0' },
        expect.objectContaining({ name: 'BEMSERVER', reachable: true }),
      ]);
    } finally {
      await g.app.stop();
    }
  });

  it('forcing v1_1 against a current server reports the sunset, not a crash', async () => {
    const g = await start({
      FLEXMEASURES_API_VERSION: 'v1_1',
      FLEXMEASURES_BASE_URL: v3.sim.url,
      FLEXMEASURES_EMAIL: v3.sim.email,
      FLEXMEASURES_PASSWORD: v3.sim.password,
    });
    try {
      const res = await gql(g.app.url, '{ connections(upstream: FLEXMEASURES) { totalCount } }');
      expect(res.errors![0]!.extensions).toMatchObject({
        code: 'UPSTREAM_REJECTED',
        upstream: 'flexmeasures',
        status: 410,
        reason: 'SUNSET',
      });
      expect(res.errors![0]!.message).toContain('sunset');
    } finally {
      await g.app.stop();
    }
  });

  it('the FlexMeasures password and tokens never reach a log line', async () => {
    const lines = v3.app.logLines.join('\n') + v1.app.logLines.join('\n');
    for (const g of [v3, v1]) {
      expect(lines).not.toContain(g.sim.password);
      for (const t of g.sim.issuedTokens()) expect(lines).not.toContain(t);
    }
  });
});
