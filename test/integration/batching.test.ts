// Batching and caching, proven by the simulator's request log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardDocument, SensorsDocument } from '../generated/graphql.js';
import { dataCalls, SENSORS_OF_EACH_UPSTREAM, startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';
import type { MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let app: TestApp;
let sim: MeetnetSimulator;
let liveIds: string[];

beforeAll(async () => {
  app = await startTestApp();
  sim = app.simulators.meetnet!;
  sim.setClock(() => NOW);
  const res = await gql(app.url, SensorsDocument, { first: 1000 });
  liveIds = res.data!.sensors.nodes.filter((s) => s.intervalMinutes !== null).map((s) => s.id);
});
afterAll(() => app.stop());
beforeEach(() => sim.clearLog());

const idsOf = (body: unknown): string[] => (body as { IDs: string[] }).IDs;

describe('batching', () => {
  it('40 series and their latest values over one window: 1 getData call and 1 currentData call', async () => {
    const ids = liveIds.slice(0, 40);
    expect(ids).toHaveLength(40);
    const res = await gql(app.url, DashboardDocument, { ids, from: iso(NOW - DAY), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries).toHaveLength(40);
    expect(res.data!.timeSeries.every((t) => t!.count > 0 && t!.sensor.latest !== null)).toBe(true);

    const getData = sim.requests('getData');
    expect(getData).toHaveLength(1);
    expect(new Set(idsOf(getData[0]!.body))).toEqual(new Set(ids.map((id) => id.split(':')[2])));
    const current = sim.requests('currentData');
    expect(current).toHaveLength(1);
    expect(idsOf(current[0]!.body)).toHaveLength(40);
    expect(sim.requests('catalog').length).toBeLessThanOrEqual(1);
  });

  it('a window longer than 365 days: one getData per 365-day chunk, joined without duplicated boundary points', async () => {
    const ids = liveIds.filter((id) => /(WVC|WRS)$/.test(id)).slice(0, 6);
    // Exactly 730 days: two chunks whose shared boundary instant lies on every series' grid.
    const from = Date.parse('2024-11-20T12:00:00Z');
    const to = from + 730 * DAY;
    const res = await gql(app.url, DashboardDocument, { ids, from: iso(from), to: iso(to) });
    expect(res.errors).toBeUndefined();

    const calls = sim.requests('getData');
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(idsOf(c.body)).toHaveLength(ids.length);
    const starts = calls.map((c) => Date.parse((c.body as { StartTime: string }).StartTime)).sort();
    expect(starts).toEqual([from, from + 365 * DAY]);

    const boundary = iso(from + 365 * DAY);
    for (const series of res.data!.timeSeries) {
      const ts = series!.timestamps;
      expect(new Set(ts).size).toBe(ts.length);
      for (let i = 1; i < ts.length; i++) expect(Date.parse(ts[i]!)).toBeGreaterThan(Date.parse(ts[i - 1]!));
      expect(ts.filter((t) => t === boundary).length).toBeLessThanOrEqual(1);
      expect(ts.length).toBeGreaterThan(730 * 144 * 0.95); // 10-minute data over two years, few gaps
    }
  });

  it('two windows in one query: one getData per window', async () => {
    const q = `query($a: DateTime!, $b: DateTime!, $c: DateTime!) {
      w1: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC", "meetnet:sensor:MP7WRS"], from: $a, to: $b) { count }
      w2: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC", "meetnet:sensor:MP7WRS"], from: $b, to: $c) { count }
      again: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC"], from: $a, to: $b) { count }
    }`;
    const res = await gql(app.url, q, { a: iso(NOW - 2 * DAY), b: iso(NOW - DAY), c: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(sim.requests('getData')).toHaveLength(2);
    expect(res.data!.again[0].count).toBe(res.data!.w1[0].count);
  });
});

describe('catalog cache', () => {
  it('concurrent first requests share one catalog fetch, later ones use the cache', async () => {
    const fresh = await startTestApp();
    try {
      const fsim = fresh.simulators.meetnet!;
      fsim.latencyMs = 100; // keep the first fetch in flight while the others arrive
      const results = await Promise.all(
        Array.from({ length: 10 }, () => gql(fresh.url, '{ locations(upstream: MEETNET, first: 1) { totalCount } }')),
      );
      for (const r of results) expect(r.data!.locations.totalCount).toBe(35);
      expect(fsim.requests('catalog')).toHaveLength(1);
      expect(fsim.requests('token')).toHaveLength(1);
      await gql(fresh.url, '{ sensors(upstream: MEETNET, first: 1) { totalCount } parameters(upstream: MEETNET) { id } }');
      expect(fsim.requests('catalog')).toHaveLength(1);
    } finally {
      await fresh.stop();
    }
  });

  it('refetches after CATALOG_TTL_MS, and serves the stale catalog if the refresh fails', async () => {
    let now = NOW; // the catalogue's TTL runs on this clock (lru-cache takes a start of 0 for "no TTL")
    const fresh = await startTestApp({ CATALOG_TTL_MS: '60000', MEETNET_RETRIES: '0' }, { catalogClock: () => now });
    try {
      const fsim = fresh.simulators.meetnet!;
      const parameters = '{ parameters(upstream: MEETNET) { id } }';
      await gql(fresh.url, parameters);
      now += 60_000; // at the TTL: still fresh
      await gql(fresh.url, parameters);
      expect(fsim.requests('catalog')).toHaveLength(1);
      now += 1; // past it
      await gql(fresh.url, parameters);
      expect(fsim.requests('catalog')).toHaveLength(2);
      now += 60_001;
      fsim.addFault({ route: 'catalog', status: 503, times: 1 });
      const stale = await gql(fresh.url, parameters);
      expect(stale.errors).toBeUndefined();
      expect(stale.data!.parameters).toHaveLength(22);
      // The request's cost check reads the catalogue first (its refresh fails: served stale), then
      // the resolver's read refreshes it again.
      expect(fsim.requests('catalog')).toHaveLength(4);
    } finally {
      await fresh.stop();
    }
  });
});

describe('deduplication of identical upstream reads in flight (across client requests)', () => {
  const ids = SENSORS_OF_EACH_UPSTREAM;
  const query =
    'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values } }';
  const vars = { ids, from: iso(NOW - DAY), to: iso(NOW) };

  async function withApp(env: Record<string, string>, run: (a: TestApp) => Promise<void>): Promise<void> {
    // Simulator latency keeps the eight requests' upstream calls in flight together.
    const a = await startTestApp({ SIMULATOR_LATENCY_MS: '150', ...env });
    try {
      for (const s of Object.values(a.simulators)) s?.setClock(() => NOW);
      await gql(a.url, '{ sensors(first: 1000) { totalCount } }'); // catalogues and logins first
      for (const s of Object.values(a.simulators)) s?.clearLog();
      await run(a);
    } finally {
      await a.stop();
    }
  }

  it('eight identical dashboards at once: one call per upstream read, eight identical answers', async () => {
    await withApp({}, async (a) => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => gql(a.url, query, vars)));
      for (const r of answers) expect(r.errors).toBeUndefined();
      expect(new Set(answers.map((r) => r.raw)).size).toBe(1);
      expect(answers[0]!.data!.timeSeries.every((t: { values: unknown[] }) => t.values.length > 0)).toBe(true);
      expect(dataCalls(a)).toEqual({ meetnet: 1, flexmeasures: 2, bemserver: 1 });
      // Nothing is kept once the calls are answered: the next refresh asks again.
      await gql(a.url, query, vars);
      expect(dataCalls(a)).toEqual({ meetnet: 2, flexmeasures: 4, bemserver: 2 });
    });
  });

  it('a failure is shared by the requests that waited on it, and not kept for the next one', async () => {
    await withApp({ MEETNET_RETRIES: '0' }, async (a) => {
      a.simulators.meetnet!.addFault({ route: 'getData', status: 503, times: 1 });
      const answers = await Promise.all(Array.from({ length: 4 }, () => gql(a.url, query, vars)));
      for (const r of answers) {
        expect(r.errors!.map((e) => e.extensions!.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
        expect(r.data!.timeSeries.filter((t: unknown) => t !== null)).toHaveLength(4); // the other upstreams answered
      }
      expect(dataCalls(a).meetnet).toBe(1);
      const next = await gql(a.url, query, vars);
      expect(next.errors).toBeUndefined();
      expect(dataCalls(a).meetnet).toBe(2);
    });
  });

  it('different windows are not shared; with both deduplications off every request makes its own calls', async () => {
    await withApp({ UPSTREAM_DEDUPLICATION: 'off', OPERATION_DEDUPLICATION: 'off' }, async (a) => {
      await Promise.all(Array.from({ length: 4 }, () => gql(a.url, query, vars)));
      expect(dataCalls(a)).toEqual({ meetnet: 4, flexmeasures: 8, bemserver: 4 });
    });
    await withApp({}, async (a) => {
      await Promise.all([gql(a.url, query, vars), gql(a.url, query, { ...vars, from: iso(NOW - 2 * DAY) })]);
      expect(dataCalls(a)).toEqual({ meetnet: 2, flexmeasures: 4, bemserver: 2 });
    });
  });
});

describe('identical queries in flight share one execution (OPERATION_DEDUPLICATION)', () => {
  const ids = SENSORS_OF_EACH_UPSTREAM;
  const query =
    'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id latest { time value } } timestamps values } }';
  const vars = { ids, from: iso(NOW - DAY), to: iso(NOW) };
  // Upstream deduplication off: only sharing the execution can keep the calls to one set.
  const env = { SIMULATOR_LATENCY_MS: '150', UPSTREAM_DEDUPLICATION: 'off' };

  async function withApp(extra: Record<string, string>, run: (a: TestApp) => Promise<void>): Promise<void> {
    const a = await startTestApp({ ...env, ...extra });
    try {
      for (const s of Object.values(a.simulators)) s?.setClock(() => NOW);
      await gql(a.url, '{ sensors(first: 1000) { totalCount } }');
      for (const s of Object.values(a.simulators)) s?.clearLog();
      await run(a);
    } finally {
      await a.stop();
    }
  }
  const calls = (a: TestApp) =>
    Object.values(a.simulators).reduce(
      (n, s) => n + (s?.requests().filter((r) => r.route !== 'token' && r.route !== 'login').length ?? 0),
      0,
    );

  it('eight identical queries at once: the upstream calls of one, eight identical answers, each with its own request id', async () => {
    await withApp({}, async (a) => {
      const alone = await withOwnCalls(a, () => gql(a.url, query, { ...vars, from: iso(NOW - DAY - 60_000) }));
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => gqlWithId(a.url, query, vars, `req-${i}`)));
      for (const r of answers) expect(r.body.errors).toBeUndefined();
      expect(new Set(answers.map((r) => r.text)).size).toBe(1);
      expect(answers.map((r) => r.requestId)).toEqual(Array.from({ length: 8 }, (_, i) => `req-${i}`));
      expect(JSON.parse(answers[0]!.text).data.timeSeries.every((t: { values: unknown[] }) => t.values.length > 0)).toBe(true);
      expect(alone).toBeGreaterThan(2);
      expect(calls(a)).toBe(alone * 2); // the query alone, then the eight together
    });
  });

  it('different variables are not shared, and OPERATION_DEDUPLICATION=off executes each', async () => {
    await withApp({}, async (a) => {
      const one = await withOwnCalls(a, () => gql(a.url, query, vars));
      a.simulators.meetnet!.clearLog();
      a.simulators.flexmeasures!.clearLog();
      a.simulators.bemserver!.clearLog();
      await Promise.all([gql(a.url, query, vars), gql(a.url, query, { ...vars, ids: [...ids].reverse() })]);
      expect(calls(a)).toBe(2 * one);
    });
    await withApp({ OPERATION_DEDUPLICATION: 'off' }, async (a) => {
      const one = await withOwnCalls(a, () => gql(a.url, query, vars));
      for (const s of Object.values(a.simulators)) s?.clearLog();
      await Promise.all(Array.from({ length: 3 }, () => gql(a.url, query, vars)));
      expect(calls(a)).toBe(3 * one);
    });
  });

  it('a mutation is never shared: two identical writes at once are two writes', async () => {
    await withApp({}, async (a) => {
      const sensors = (await gql(a.url, '{ sensors(first: 1000) { nodes { id name upstream } } }')).data!.sensors.nodes as Array<{
        id: string;
        name: string;
        upstream: string;
      }>;
      const id = sensors.find((x) => x.upstream === 'BEMSERVER' && x.name.endsWith('Compteur manuel'))!.id;
      const m = 'mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status valuesSent } }';
      const input = { sensorId: id, points: [{ time: '2026-11-19T00:00:00Z', value: 1 }] };
      const [w1, w2] = await Promise.all([gql(a.url, m, { input }), gql(a.url, m, { input })]);
      expect(w1.errors).toBeUndefined();
      expect(w2.errors).toBeUndefined();
      expect(a.simulators.bemserver!.requests('timeseries_data/post')).toHaveLength(2);
    });
  });

  it('an answer with errors is handed on whole, and the next query executes again', async () => {
    await withApp({ MEETNET_RETRIES: '0' }, async (a) => {
      a.simulators.meetnet!.addFault({ route: 'getData', status: 503, times: 1 });
      const answers = await Promise.all(Array.from({ length: 4 }, () => gql(a.url, query, vars)));
      expect(a.simulators.meetnet!.requests('getData')).toHaveLength(1);
      for (const r of answers) {
        expect(r.errors!.map((e) => e.extensions!.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
        expect(r.data!.timeSeries.filter((t: unknown) => t !== null)).toHaveLength(4);
      }
      const next = await gql(a.url, query, vars);
      expect(next.errors).toBeUndefined();
      expect(a.simulators.meetnet!.requests('getData')).toHaveLength(2);
    });
  });

  it('variables JSON cannot tell apart (Infinity and null) are never shared: each gets its own answer', async () => {
    await withApp({}, async (a) => {
      const q =
        'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!, $first: Int) { timeSeries(sensorIds: $ids, from: $from, to: $to) { count } sensors(first: $first) { totalCount } }';
      const send = (first: string) =>
        fetch(a.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: `{"query":${JSON.stringify(q)},"variables":{"ids":${JSON.stringify(ids)},"from":"${vars.from}","to":"${vars.to}","first":${first}}}`,
        });
      const leader = send('null');
      // The first is executing: its upstream calls are in, held by the simulators' latency.
      await until(() => a.simulators.meetnet!.requests('getData').length > 0);
      const odd = await send('1e400'); // JSON.parse reads Infinity; JSON.stringify writes it as null
      expect(odd.status).toBe(400);
      expect(((await odd.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/\$first.*Infinity/);
      expect((await leader).status).toBe(200);
    });
  });

  /** Upstream calls (logins aside) made while `run` runs. */
  async function withOwnCalls(a: TestApp, run: () => Promise<unknown>): Promise<number> {
    const before = calls(a);
    await run();
    return calls(a) - before;
  }

  async function gqlWithId(
    url: string,
    q: string,
    variables: unknown,
    requestId: string,
  ): Promise<{ text: string; body: { errors?: unknown }; requestId: string | null }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: q, variables }),
    });
    const text = await res.text();
    return { text, body: JSON.parse(text), requestId: res.headers.get('x-request-id') };
  }
});
