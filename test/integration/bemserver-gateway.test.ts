// BEMServer through the running gateway: the building hierarchy, timeseries as sensors, batching
// (proven by the simulator's request log), buckets, stats, writes, the token refresh and re-login
// paths (also across two gateway processes sharing Redis), and one dashboard over all three upstreams.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, uniquePrefix, REDIS_URL, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { BemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import { createBemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

let app: TestApp;
let sim: BemServerSimulator;
let now = NOW;

beforeAll(async () => {
  app = await startTestApp();
  sim = app.simulators.bemserver!;
  sim.setClock(() => now);
});
afterAll(() => app.stop());
beforeEach(() => {
  sim.clearLog();
  sim.clearFaults();
});

interface SensorRow {
  id: string;
  name: string;
  unit: string | null;
  intervalMinutes: number | null;
  location: { id: string; kind: string } | null;
}

async function bemSensors(): Promise<SensorRow[]> {
  const res = await gql(
    app.url,
    '{ sensors(upstream: BEMSERVER, first: 1000) { totalCount nodes { id name unit intervalMinutes location { id kind } } } }',
  );
  expect(res.errors).toBeUndefined();
  return res.data!.sensors.nodes as SensorRow[];
}

describe('structure', () => {
  it('campaign, sites, buildings, storeys, spaces and zones are Locations with parent and children', async () => {
    const res = await gql(
      app.url,
      '{ locations(upstream: BEMSERVER, first: 500) { totalCount nodes { id kind name position { latitude longitude } parent { id kind } children { id kind } } } }',
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.locations.nodes as Array<{
      id: string;
      kind: string;
      name: string;
      position: unknown;
      parent: { id: string; kind: string } | null;
      children: Array<{ kind: string }>;
    }>;
    const kinds = new Set(nodes.map((n) => n.kind));
    expect(kinds).toEqual(new Set(['campaign', 'site', 'building', 'storey', 'space', 'zone']));
    const sites = nodes.filter((n) => n.kind === 'site');
    expect(sites).toHaveLength(2);
    for (const site of sites) {
      expect(site.parent!.kind).toBe('campaign');
      expect(site.position).toEqual({ latitude: expect.any(Number), longitude: expect.any(Number) });
      expect(site.children.length).toBeGreaterThan(0);
      expect(site.children.every((c) => c.kind === 'building')).toBe(true);
    }
    const bayonne = sites.find((s) => s.name === 'Siège Bayonne')!;
    expect(bayonne.position).toEqual({ latitude: 43.47394, longitude: -1.5094 });
    for (const b of nodes.filter((n) => n.kind === 'building')) {
      expect(b.parent!.kind).toBe('site');
      expect(b.position).toBeNull(); // only sites carry coordinates
      expect(b.children.every((c) => c.kind === 'storey')).toBe(true);
    }
    for (const z of nodes.filter((n) => n.kind === 'zone')) expect(z.parent!.kind).toBe('campaign');
  });

  it('timeseries are Sensors with unit, interval, campaign, attachment, properties and data states', async () => {
    const sensors = await bemSensors();
    expect(sensors.length).toBeGreaterThanOrEqual(60);
    const temp = sensors.find((s) => s.unit === '°C' && s.location?.kind === 'space')!;
    expect(temp.intervalMinutes).toBe(10);
    const res = await gql(
      app.url,
      `{ sensor(id: "${temp.id}") { id unit dataStates campaign { kind name } location { kind parent { kind } } properties { value parameter { code unit upstream } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const s = res.data!.sensor;
    expect(s.dataStates).toEqual(['Raw', 'Clean']);
    expect(s.campaign).toEqual({ kind: 'campaign', name: 'Smart buildings 2026' });
    expect(s.location.parent.kind).toBe('storey');
    expect(s.properties).toContainEqual({ value: '600', parameter: { code: 'Interval', unit: 's', upstream: 'BEMSERVER' } });
    const params = await gql(app.url, '{ parameters(upstream: BEMSERVER) { code unit category } }');
    expect(params.data!.parameters.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(['Min', 'Max', 'Interval']));
  });

  it('the paginated timeseries list is walked to the end: every timeseries once, 100 per page', async () => {
    const fresh = await startTestApp();
    try {
      const fsim = fresh.simulators.bemserver!;
      fsim.setClock(() => NOW);
      const res = await gql(fresh.url, '{ sensors(upstream: BEMSERVER, first: 1000) { totalCount nodes { id } } }');
      expect(res.errors).toBeUndefined();
      const total = fsim.timeseriesIds().length;
      expect(res.data!.sensors.totalCount).toBe(total);
      expect(new Set(res.data!.sensors.nodes.map((n: { id: string }) => n.id)).size).toBe(total);
      const pages = fsim.requests('timeseries');
      expect(pages).toHaveLength(Math.ceil(total / 100));
      expect(pages.every((p) => p.query.page_size === '100' && p.status === 200)).toBe(true);
      // Collections are asked with their trailing slash: no 308 detour (§1.1).
      expect(fsim.requests('redirect')).toHaveLength(0);
    } finally {
      await fresh.stop();
    }
  });
});

describe('batching', () => {
  it('50 timeseries over one window make ONE data call', async () => {
    const ids = (await bemSensors()).slice(0, 50).map((s) => s.id);
    sim.clearLog();
    const res = await gql(
      app.url,
      'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } count timestamps } }',
      {
        ids,
        from: iso(NOW - 6 * HOUR),
        to: iso(NOW),
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries).toHaveLength(50);
    const calls = sim.requests('timeseries_data');
    expect(calls).toHaveLength(1);
    const asked = calls[0]!.query.timeseries as string[];
    expect(new Set(asked)).toEqual(new Set(ids.map((id) => id.split(':')[2])));
    // Windows are [from, to), as BEMServer's are.
    expect(calls[0]!.query.end_time).toBe(iso(NOW));
    expect(calls[0]!.headers.accept).toBe('application/json');
    const withData = res.data!.timeSeries.filter((t: { count: number }) => t.count > 0);
    expect(withData.length).toBeGreaterThan(40);
    for (const t of withData) expect(Date.parse(t.timestamps.at(-1))).toBeLessThanOrEqual(NOW);
  });

  it('split only where the URL would be too long, with the limit a setting', async () => {
    const small = await startTestApp({ BEMSERVER_MAX_URL_LENGTH: '400' });
    try {
      const ssim = small.simulators.bemserver!;
      ssim.setClock(() => NOW);
      const ids = (await gql(small.url, '{ sensors(upstream: BEMSERVER, first: 50) { nodes { id } } }')).data!.sensors.nodes.map(
        (n: { id: string }) => n.id,
      );
      ssim.clearLog();
      const res = await gql(
        small.url,
        'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { count } }',
        {
          ids,
          from: iso(NOW - HOUR),
          to: iso(NOW),
        },
      );
      expect(res.errors).toBeUndefined();
      const calls = ssim.requests('timeseries_data');
      expect(calls.length).toBeGreaterThan(1);
      expect(calls.length).toBeLessThan(10);
      const asked = calls.flatMap((c) => (Array.isArray(c.query.timeseries) ? c.query.timeseries : [c.query.timeseries]));
      expect(asked).toHaveLength(50);
      expect(new Set(asked).size).toBe(50);
    } finally {
      await small.stop();
    }
  });

  it('series and latest values in one dashboard query: the latest values are read off the series, one call in all', async () => {
    const ids = (await bemSensors()).slice(0, 30).map((s) => s.id);
    sim.clearLog();
    const res = await gql(
      app.url,
      'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { latest { time value } } timestamps values } }',
      {
        ids,
        from: iso(NOW - 6 * HOUR),
        to: iso(NOW),
      },
    );
    expect(res.errors).toBeUndefined();
    expect(sim.requests('timeseries_data')).toHaveLength(1);
    for (const t of res.data!.timeSeries as Array<{
      sensor: { latest: { time: string; value: number } | null };
      timestamps: string[];
      values: Array<number | null>;
    }>) {
      const i = t.values.findLastIndex((v) => v !== null);
      if (i < 0) continue;
      expect(t.sensor.latest).toEqual({ time: t.timestamps[i], value: t.values[i] });
    }
  });

  it('latest values are shared between requests for LATEST_TTL_MS', async () => {
    const g = await startTestApp({ LATEST_TTL_MS: '60000' });
    try {
      g.simulators.bemserver!.setClock(() => NOW);
      const q = '{ a: sensor(id: "bemserver:sensor:1") { latest { value } } b: sensor(id: "bemserver:sensor:2") { latest { value } } }';
      const first = await gql(g.url, q);
      g.simulators.bemserver!.clearLog();
      const second = await gql(g.url, q);
      expect(second.data).toEqual(first.data);
      expect(g.simulators.bemserver!.requests('timeseries_data')).toHaveLength(0);
    } finally {
      await g.stop();
    }
  });

  it('latest values and statistics of many timeseries: one call each', async () => {
    const ids = (await bemSensors()).slice(0, 20).map((s) => s.id);
    sim.clearLog();
    const fields = ids
      .map((id, i) => `s${i}: sensor(id: "${id}") { latest { time value } stats { count min max firstTime lastTime } }`)
      .join('\n');
    const res = await gql(app.url, `{ ${fields} }`);
    expect(res.errors).toBeUndefined();
    expect(sim.requests('timeseries_data')).toHaveLength(1);
    expect(sim.requests('timeseries_data/stats')).toHaveLength(1);
    const withData = Object.values(res.data!).filter((s: any) => s.stats && s.stats.count > 0) as any[];
    expect(withData.length).toBeGreaterThan(10);
    for (const s of withData) {
      expect(s.stats.min).toBeLessThanOrEqual(s.stats.max);
      expect(Date.parse(s.latest.time)).toBeLessThanOrEqual(Date.parse(s.stats.lastTime));
    }
  });
});

describe('buckets and data states', () => {
  it('daily means over a week: one aggregate call, one value per day, labelled by the day', async () => {
    const [temp] = (await bemSensors()).filter((s) => s.unit === '°C');
    const from = Date.parse('2026-11-09T00:00:00Z');
    const to = Date.parse('2026-11-16T00:00:00Z');
    const res = await gql(
      app.url,
      `{ sensor(id: "${temp!.id}") {
      daily: series(from: "${iso(from)}", to: "${iso(to)}", bucket: { unit: DAY, aggregation: AVG }) { timestamps values min max }
      counts: series(from: "${iso(from)}", to: "${iso(to)}", bucket: { unit: DAY, aggregation: COUNT }) { values }
      raw: series(from: "${iso(from)}", to: "${iso(to - 1)}") { count min max }
    } }`,
    );
    expect(res.errors).toBeUndefined();
    const s = res.data!.sensor;
    expect(s.daily.timestamps).toHaveLength(7);
    expect(s.daily.timestamps[0]).toBe(iso(from));
    expect(Date.parse(s.daily.timestamps[1]) - Date.parse(s.daily.timestamps[0])).toBe(DAY);
    expect(s.daily.values.every((v: number | null) => v === null || (v > 10 && v < 30))).toBe(true);
    expect(s.daily.min).toBeGreaterThanOrEqual(s.raw.min);
    expect(s.daily.max).toBeLessThanOrEqual(s.raw.max);
    const counts = s.counts.values as number[];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(s.raw.count);
    expect(counts.every((c) => Number.isInteger(c) && c <= 144)).toBe(true);
    const aggregate = sim.requests('timeseries_data/aggregate');
    expect(aggregate).toHaveLength(2);
    expect(aggregate[0]!.query).toMatchObject({ bucket_width_value: '1', bucket_width_unit: 'day', timezone: 'UTC' });
  });

  it('the Clean data state of an energy meter has no gaps; an unknown state is BAD_USER_INPUT naming the known ones', async () => {
    const meter = (await bemSensors()).find((s) => s.unit === 'kWh' && s.location?.kind === 'building')!;
    const q = (state: string) =>
      gql(
        app.url,
        `{ sensor(id: "${meter.id}") { series(from: "${iso(NOW - DAY)}", to: "${iso(NOW)}", dataState: "${state}") { count } } }`,
      );
    const clean = await q('Clean');
    expect(clean.errors).toBeUndefined();
    expect(clean.data!.sensor.series.count).toBe(144);
    expect(sim.requests('timeseries_data').at(-1)!.query.data_state).toBe('2');
    const bad = await q('Polished');
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'dataState' });
    expect(bad.errors![0]!.message).toContain('Raw, Clean');
  });

  it('an invalid bucket width is refused before any call', async () => {
    const [s] = await bemSensors();
    const wide = await gql(
      app.url,
      `{ sensor(id: "${s!.id}") { series(from: "${iso(NOW - DAY)}", to: "${iso(NOW)}", bucket: { width: 2, unit: WEEK }) { count } } }`,
    );
    expect(wide.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'bucket' });
    expect(wide.errors![0]!.message).toContain('only second, minute and hour buckets take a width above 1');
    expect(sim.requests('timeseries_data/aggregate')).toHaveLength(0);
  });
});

describe('writes', () => {
  async function manualMeter(): Promise<string> {
    // Sensor names are "<location>: <own name>".
    const s = (await bemSensors()).find((x) => x.name.endsWith('Compteur manuel'))!;
    return s.id;
  }

  it('writes points, reads them back; a repeated write keeps the first values (BEMServer never overwrites)', async () => {
    const id = await manualMeter();
    const t0 = Date.parse('2026-11-19T00:00:00Z');
    const points = [0, 1, 2].map((i) => ({ time: iso(t0 + i * HOUR), value: 10 + i }));
    const m = `mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status message sensorId valuesSent apiVersion } }`;
    const w = await gql(app.url, m, { input: { sensorId: id, points } });
    expect(w.errors).toBeUndefined();
    expect(w.data!.writeTimeseriesData).toMatchObject({ status: 'PROCESSED', sensorId: id, valuesSent: 3 });
    const post = sim.requests('timeseries_data/post').at(-1)!;
    expect(post.query.data_state).toBe('1');
    expect(post.body).toEqual({
      [id.split(':')[2]!]: { '2026-11-19T00:00:00+00:00': 10, '2026-11-19T01:00:00+00:00': 11, '2026-11-19T02:00:00+00:00': 12 },
    });
    await gql(app.url, m, { input: { sensorId: id, points: points.map((p) => ({ ...p, value: 99 })) } });
    const read = await gql(app.url, `{ sensor(id: "${id}") { series(from: "${iso(t0)}", to: "${iso(t0 + 3 * HOUR)}") { values } } }`);
    expect(read.data!.sensor.series.values).toEqual([10, 11, 12]);
  });

  it('upstream validation errors come back typed, naming the fields; conflicts keep their message', async () => {
    const id = await manualMeter();
    const n = id.split(':')[2];
    sim.addFault({
      route: 'timeseries_data/post',
      status: 422,
      times: 1,
      body: JSON.stringify({
        code: 422,
        status: 'Unprocessable Entity',
        errors: { json: { [n!]: { '2026-11-19T00:00:00+00:00': ['Not a valid number.'] } } },
      }),
    });
    const input = { sensorId: id, points: [{ time: '2026-11-19T00:00:00Z', value: 1 }] };
    const m = `mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status } }`;
    const invalid = await gql(app.url, m, { input });
    expect(invalid.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstream: 'bemserver', status: 422 });
    expect(invalid.errors![0]!.extensions!.fields).toEqual([`json.${n}.2026-11-19T00:00:00+00:00`]);
    sim.addFault({
      route: 'timeseries_data/post',
      status: 409,
      times: 1,
      body: '{"code":409,"status":"Conflict","message":"Unique constraint violation"}',
    });
    const conflict = await gql(app.url, m, { input });
    expect(conflict.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      status: 409,
      upstreamMessage: 'Unique constraint violation',
    });
    const wrongUpstream = await gql(app.url, m, { input: { sensorId: 'flexmeasures:sensor:4', points: input.points } });
    expect(wrongUpstream.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(sim.requests('timeseries_data/post')).toHaveLength(2); // a write is never retried
  });
});

describe('tokens', () => {
  const query = '{ sensors(upstream: BEMSERVER, first: 1) { nodes { latest { value } } } }';

  it('an expired access token is refreshed with the refresh token: no new login', async () => {
    await gql(app.url, query);
    sim.clearLog();
    now = NOW + 16 * MINUTE; // past the 15-minute access token, on the server's clock
    try {
      const res = await gql(app.url, query);
      expect(res.errors).toBeUndefined();
      expect(sim.requests('refresh')).toHaveLength(1);
      expect(sim.requests('token')).toHaveLength(0);
      const data = sim.requests('timeseries_data');
      expect(data.map((e) => e.status)).toEqual([401, 200]);
      expect(app.upstreams.bemserver.tokens.refreshes).toBeGreaterThanOrEqual(1);
    } finally {
      now = NOW;
    }
  });

  it('an expired refresh token means a new login', async () => {
    await gql(app.url, query);
    sim.clearLog();
    now = NOW + 61 * DAY;
    try {
      const res = await gql(app.url, query);
      expect(res.errors).toBeUndefined();
      expect(sim.requests('refresh').map((e) => e.status)).toEqual([401]);
      expect(sim.requests('token')).toHaveLength(1);
    } finally {
      now = NOW;
    }
  });

  it('wrong credentials (HTTP 200 {"status":"failure"}) are UPSTREAM_AUTH_FAILED, never a token', async () => {
    const other = createBemServerSimulator({ email: 'svc@example.org', password: 'right-password' });
    const url = await other.listen();
    const g = await startTestApp({ BEMSERVER_BASE_URL: url, BEMSERVER_EMAIL: 'svc@example.org', BEMSERVER_PASSWORD: 'wrong-password' });
    try {
      const res = await gql(g.url, '{ sensors(upstream: BEMSERVER) { totalCount } }');
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'bemserver' });
      expect(res.errors![0]!.message).toContain('BEMSERVER_PASSWORD');
      expect(res.raw).not.toContain('wrong-password');
      expect(g.logLines.join('\n')).not.toContain('wrong-password');
    } finally {
      await g.stop();
      await other.close();
    }
  });

  it('two gateway processes sharing Redis: one login, and one refresh when the access token expires', async () => {
    const shared = createBemServerSimulator({ email: 'svc@example.org', password: 'shared-secret-pw', clock: () => now });
    const url = await shared.listen();
    const env = {
      BEMSERVER_BASE_URL: url,
      BEMSERVER_EMAIL: 'svc@example.org',
      BEMSERVER_PASSWORD: 'shared-secret-pw',
      REDIS_URL,
      REDIS_KEY_PREFIX: uniquePrefix(),
    };
    const [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    try {
      await Promise.all([gql(a.url, query), gql(b.url, query), gql(a.url, query), gql(b.url, query)]);
      expect(shared.requests('token')).toHaveLength(1);
      now = NOW + 16 * MINUTE;
      shared.clearLog();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => gql((i % 2 ? a : b).url, query)));
      for (const r of results) expect(r.errors).toBeUndefined();
      expect(shared.requests('refresh')).toHaveLength(1);
      expect(shared.requests('token')).toHaveLength(0);
      const secrets = [...shared.issuedTokens(), 'shared-secret-pw'];
      const logs = a.logLines.join('\n') + b.logLines.join('\n');
      for (const s of secrets) expect(logs).not.toContain(s);
    } finally {
      now = NOW;
      await Promise.all([a.stop(), b.stop()]);
      await shared.close();
    }
  });
});

describe('across the three upstreams', () => {
  it('one dashboard query: one series call per upstream', async () => {
    app.simulators.meetnet!.setClock(() => NOW);
    app.simulators.flexmeasures!.setClock(() => NOW);
    const bem = (await bemSensors()).slice(0, 5).map((s) => s.id);
    const ids = ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP7WRS', 'flexmeasures:sensor:31', 'flexmeasures:sensor:32', ...bem];
    for (const s of Object.values(app.simulators)) s!.clearLog();
    const res = await gql(
      app.url,
      'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id upstream unit } count } }',
      {
        ids,
        from: iso(NOW - 3 * HOUR),
        to: iso(NOW),
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries.map((t: { sensor: { id: string } }) => t.sensor.id)).toEqual(ids);
    expect(res.data!.timeSeries.every((t: { count: number }) => t.count > 0)).toBe(true);
    expect(app.simulators.meetnet!.requests('getData')).toHaveLength(1);
    expect(app.simulators.flexmeasures!.requests('sensorData')).toHaveLength(2); // v3_0: one per sensor
    expect(sim.requests('timeseries_data')).toHaveLength(1);
  });

  it('with BEMServer down the other upstreams answer and the error names bemserver', async () => {
    const g = await startTestApp();
    try {
      g.simulators.meetnet!.setClock(() => NOW);
      g.simulators.bemserver!.addFault({ destroy: true });
      const res = await gql(
        g.url,
        `query($from: DateTime!, $to: DateTime!) {
        m: sensor(id: "meetnet:sensor:MP7WVC") { series(from: $from, to: $to) { count } }
        b: sensor(id: "bemserver:sensor:1") { series(from: $from, to: $to) { count } }
        upstreams { name reachable }
      }`,
        { from: iso(NOW - HOUR), to: iso(NOW) },
      );
      expect(res.data!.m.series.count).toBeGreaterThan(0);
      expect(res.data!.b).toBeNull();
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'bemserver' });
      expect(res.data!.upstreams).toContainEqual({ name: 'BEMSERVER', reachable: false });
    } finally {
      await g.stop();
    }
  });
});
