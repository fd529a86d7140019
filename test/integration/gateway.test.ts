// End to end over real HTTP: the gateway on its built-in Meetnet simulator, queried as a client would.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DashboardDocument,
  LocationDocument,
  LocationsDocument,
  type LocationsQuery,
  ParametersDocument,
  SensorDetailDocument,
  SensorsDocument,
  UpstreamsDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

let app: TestApp;
let sim: MeetnetSimulator;

beforeAll(async () => {
  app = await startTestApp({ MEETNET_RETRIES: '0', MAX_WINDOW_DAYS: '800' });
  sim = app.simulators.meetnet!;
  sim.setClock(() => NOW);
});
afterAll(() => app.stop());
beforeEach(() => {
  sim.clearFaults();
  sim.clearLog();
});

describe('catalogue queries', () => {
  it('reports the upstream as reachable, V2, simulated', async () => {
    const res = await gql(app.url, UpstreamsDocument);
    expect(res.errors).toBeUndefined();
    expect(res.data!.upstreams).toEqual([
      { name: 'MEETNET', reachable: true, apiVersion: 'V2', latencyMs: expect.any(Number), simulated: true, message: null },
      { name: 'FLEXMEASURES', reachable: true, apiVersion: 'v3_0', latencyMs: expect.any(Number), simulated: true, message: null },
      { name: 'BEMSERVER', reachable: true, apiVersion: expect.any(String), latencyMs: expect.any(Number), simulated: true, message: null },
    ]);
  });

  it('pages through all 35 locations with first/after, without repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: Awaited<ReturnType<typeof gql<LocationsQuery>>> = await gql(app.url, LocationsDocument, {
        upstream: 'MEETNET',
        first: 10,
        after,
      });
      expect(res.errors).toBeUndefined();
      const page = res.data!.locations;
      expect(page.totalCount).toBe(35);
      seen.push(...page.nodes.map((n) => n.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(seen).toHaveLength(35);
    expect(new Set(seen).size).toBe(35);
    expect(seen).toContain('meetnet:location:MP7');
  });

  it('sorts by distance with near, filters with withinKm', async () => {
    const res = await gql(app.url, LocationsDocument, {
      upstream: 'MEETNET',
      near: { latitude: 51.3886, longitude: 2.4378 },
      withinKm: 25,
    });
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.locations.nodes;
    expect(nodes[0]!.id).toBe('meetnet:location:MP7');
    // The distance is on the page's edge: it belongs to this query, not to the shared Location.
    const edges = res.data!.locations.edges;
    expect(edges.map((e) => e.node.id)).toEqual(nodes.map((n) => n.id));
    expect(edges[0]!.distanceKm!).toBeLessThan(0.1);
    const distances = edges.map((e) => e.distanceKm!);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    expect(Math.max(...distances)).toBeLessThanOrEqual(25);
    expect(nodes.length).toBeLessThan(35);
  });

  it('searches names in any language, ignoring case and accents', async () => {
    const en = await gql(app.url, LocationsDocument, { search: 'WESTHINDER' });
    expect(en.data!.locations.nodes.map((n) => n.id)).toContain('meetnet:location:MP7');
    const fr = await gql(app.url, LocationsDocument, { search: 'mat de mesure', language: 'FR' });
    expect(fr.data!.locations.totalCount).toBeGreaterThan(0);
    for (const n of fr.data!.locations.nodes) expect(n.name.toLowerCase()).toMatch(/m[aâ]t de mesure/);
  });

  it('answers a location in the asked language, with plain-text description and position', async () => {
    const nl = await gql(app.url, LocationDocument, { id: 'meetnet:location:MP7', language: 'NL' });
    expect(nl.errors).toBeUndefined();
    const loc = nl.data!.location;
    expect(loc.name).toBe('Westhinder - Meetpaal');
    expect(loc.position).toEqual({ latitude: 51.3886111111111, longitude: 2.43777777777778 });
    expect(loc.description).toContain('<br />');
    expect(loc.descriptionText).not.toMatch(/<[^>]+>/);
    expect(loc.descriptionText).toContain('Radac');
    expect(loc.sensors.map((s) => s.id)).toContain('meetnet:sensor:MP7WVC');
    const fr = await gql(app.url, LocationDocument, { id: 'meetnet:location:MP7', language: 'FR' });
    expect(fr.data!.location.name).toBe('Westhinder - Mât de mesure');
  });

  it('lists the 22 parameters with unit and category', async () => {
    const res = await gql(app.url, ParametersDocument, { upstream: 'MEETNET' });
    expect(res.data!.parameters).toHaveLength(22);
    expect(res.data!.parameters.find((p) => p.code === 'WVC')).toEqual({
      id: 'meetnet:parameter:WVC',
      code: 'WVC',
      name: 'Average wind speed at 10 m',
      unit: 'm/s',
      category: 'Wind',
    });
  });

  it('filters sensors by location and parameter', async () => {
    const byLoc = await gql(app.url, SensorsDocument, { locationId: 'meetnet:location:MP7' });
    expect(byLoc.errors).toBeUndefined();
    expect(byLoc.data!.sensors.totalCount).toBeGreaterThan(3);
    for (const s of byLoc.data!.sensors.nodes) expect(s.nativeId.startsWith('MP7')).toBe(true);
    const byParam = await gql(app.url, SensorsDocument, { parameterId: 'meetnet:parameter:WVC', first: 500 });
    for (const s of byParam.data!.sensors.nodes) expect(s.nativeId.endsWith('WVC')).toBe(true);
    const all = await gql(app.url, SensorsDocument, { upstream: 'MEETNET', first: 1000 });
    expect(all.data!.sensors.totalCount).toBe(165);
  });
});

describe('sensor data', () => {
  it('answers a sensor with names, latest value and a day of points on its grid', async () => {
    const res = await gql(app.url, SensorDetailDocument, {
      id: 'meetnet:sensor:MP7WVC',
      from: iso(NOW - 24 * HOUR),
      to: iso(NOW),
    });
    expect(res.errors).toBeUndefined();
    const s = res.data!.sensor;
    expect(s).toMatchObject({
      upstream: 'MEETNET',
      nativeId: 'MP7WVC',
      unit: 'm/s',
      intervalMinutes: 10,
      location: { id: 'meetnet:location:MP7', name: 'Westhinder - Measuring pile' },
      parameter: { code: 'WVC', category: 'Wind' },
    });
    expect(s.name).toBe('Westhinder - Measuring pile: Average wind speed at 10 m');
    const latest = Date.parse(s.latest!.time);
    expect(latest).toBeLessThanOrEqual(NOW);
    expect(latest % (10 * 60_000)).toBe(0);
    const points = s.series!.points;
    expect(points.length).toBeGreaterThan(120); // 145 slots, a few gaps at most
    expect(points.length).toBeLessThanOrEqual(145);
    const times = points.map((p) => Date.parse(p.time));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    const values = points.map((p) => p.value!);
    expect(s.series!.min).toBe(Math.min(...values));
    expect(s.series!.max).toBe(Math.max(...values));
    expect(s.series!.count).toBe(points.length);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('returns one TimeSeries per id in the order asked, columnar', async () => {
    const ids = ['meetnet:sensor:MP7WRS', 'meetnet:sensor:MP7WVC', 'meetnet:sensor:A2BGHA'];
    const res = await gql(app.url, DashboardDocument, { ids, from: iso(NOW - 6 * HOUR), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries.map((t) => t!.sensor.id)).toEqual(ids);
    for (const t of res.data!.timeSeries) {
      expect(t!.timestamps.length).toBe(t!.values.length);
      expect(t!.count).toBe(t!.values.filter((v) => v !== null).length);
    }
    const wrs = res.data!.timeSeries[0]!;
    for (const v of wrs.values) expect(v!).toBeGreaterThanOrEqual(0);
    for (const v of wrs.values) expect(v!).toBeLessThan(360);
  });
});

describe('bad arguments get BAD_USER_INPUT with what to change', () => {
  const dash = (ids: string[], from: string, to: string) => gql(app.url, DashboardDocument, { ids, from, to });

  it('end before start', async () => {
    const res = await dash(['meetnet:sensor:MP7WVC'], iso(NOW), iso(NOW - HOUR));
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/before from.*swap/);
    expect(sim.requests('getData')).toHaveLength(0);
  });

  it('a window over the configured maximum', async () => {
    const res = await dash(['meetnet:sensor:MP7WVC'], iso(NOW - 900 * 24 * HOUR), iso(NOW));
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/at most 800 days.*MAX_WINDOW_DAYS/);
  });

  it('a DateTime without offset', async () => {
    const res = await dash(['meetnet:sensor:MP7WVC'], '2026-11-20T10:00:00', iso(NOW));
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/offset/);
  });

  it('a malformed id fails the field; an unknown one only its own item', async () => {
    const malformed = await dash(['MP7WVC'], iso(NOW - HOUR), iso(NOW));
    expect(malformed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0]!.message).toContain('meetnet:sensor:MP7WVC');

    const badShape = await dash(['meetnet:sensor:mp7'], iso(NOW - HOUR), iso(NOW));
    expect(badShape.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(badShape.errors![0]!.message).toMatch(/six capitals/);

    const unknown = await dash(['meetnet:sensor:MP7WVC', 'meetnet:sensor:XXXWVC'], iso(NOW - HOUR), iso(NOW));
    expect(unknown.data!.timeSeries[0]!.sensor.id).toBe('meetnet:sensor:MP7WVC');
    expect(unknown.data!.timeSeries[1]).toBeNull();
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors![0]!.path).toEqual(['timeSeries', 1]);
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('XXXWVC');
  });

  it('an id of another kind or upstream', async () => {
    const res = await gql(app.url, LocationDocument, { id: 'meetnet:sensor:MP7WVC' });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/names a sensor, not a location/);
    const other = await gql(app.url, LocationDocument, { id: 'bemserver:location:site:999' });
    expect(other.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(other.errors![0]!.message).toContain('bemserver:location:site:999');
  });

  it('page size and cursors', async () => {
    const big = await gql(app.url, LocationsDocument, { first: 5000 });
    expect(big.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const cursor = await gql(app.url, LocationsDocument, { after: 'bm9wZQ' });
    expect(cursor.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const within = await gql(app.url, LocationsDocument, { withinKm: 5 });
    expect(within.errors![0]!.message).toMatch(/needs a `near` point/);
  });

  it('a malformed query', async () => {
    const res = await gql(app.url, '{ locations { nodes { id } ');
    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownField = await gql(app.url, '{ nope }');
    expect(unknownField.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('upstream failures are typed errors and the rest of the response is answered', () => {
  const query = `query($from: DateTime!, $to: DateTime!) {
    upstreams { name reachable }
    sensor(id: "meetnet:sensor:MP7WVC") { id series(from: $from, to: $to) { count } }
  }`;
  const vars = { from: iso(NOW - HOUR), to: iso(NOW) };

  type Fault = Parameters<MeetnetSimulator['addFault']>[0];
  const cases: Array<[string, Fault, string, RegExp]> = [
    ['5xx', { route: 'getData', status: 503, body: '{"Message":"down for maintenance"}' }, 'UPSTREAM_UNAVAILABLE', /HTTP 503/],
    ['dropped connection', { route: 'getData', destroy: true }, 'UPSTREAM_UNAVAILABLE', /could not be reached/],
    ['unparseable body', { route: 'getData', status: 200, body: '<html>oops</html>' }, 'UPSTREAM_BAD_RESPONSE', /not JSON/],
    [
      'hostile shape',
      { route: 'getData', status: 200, body: '{"Values":[{"ID":"MP7WVC","Values":[{"Timestamp":"yesterday","Value":"drop table"}]}]}' },
      'UPSTREAM_BAD_RESPONSE',
      /unexpected shape/,
    ],
    [
      'rejection',
      { route: 'getData', status: 400, body: '{"Message":"The request is invalid."}' },
      'UPSTREAM_REJECTED',
      /The request is invalid/,
    ],
  ];

  /** The fault fails the series field alone, with this code and message, and the gateway goes on answering. */
  async function failsTheSeries(a: TestApp, s: MeetnetSimulator, fault: Fault, code: string, message: RegExp): Promise<void> {
    s.addFault({ ...fault, times: 1 });
    const res = await gql(a.url, query, vars);
    expect(res.status).toBe(200);
    expect(res.data!.upstreams[0]).toEqual({ name: 'MEETNET', reachable: true });
    expect(res.data!.sensor.id).toBe('meetnet:sensor:MP7WVC');
    expect(res.data!.sensor.series).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code, upstream: 'meetnet' });
    expect(res.errors![0]!.message).toMatch(message);
    expect(res.errors![0]!.path).toEqual(['sensor', 'series']);
    const again = await gql(a.url, query, vars);
    expect(again.errors).toBeUndefined();
    expect(again.data!.sensor.series.count).toBeGreaterThan(0);
  }

  for (const [name, fault, code, message] of cases) it(name, () => failsTheSeries(app, sim, fault, code, message));

  it('timeout', async () => {
    // On a gateway of its own: a short Meetnet timeout there, and none but the default for the other tests' calls.
    const own = await startTestApp({ MEETNET_TIMEOUT_MS: '1000', MEETNET_RETRIES: '0' });
    try {
      const s = own.simulators.meetnet!;
      s.setClock(() => NOW);
      await failsTheSeries(own, s, { route: 'getData', hang: true }, 'UPSTREAM_UNAVAILABLE', /within 1000 ms/);
    } finally {
      await own.stop();
    }
  });

  it('upstream down: upstreams says so, data fields fail with UPSTREAM_UNAVAILABLE', async () => {
    sim.addFault({ route: 'ping', destroy: true, times: 1 });
    sim.addFault({ route: 'getData', destroy: true, times: 1 });
    const res = await gql(app.url, query, vars);
    expect(res.data!.upstreams).toEqual([
      { name: 'MEETNET', reachable: false },
      { name: 'FLEXMEASURES', reachable: true },
      { name: 'BEMSERVER', reachable: true },
    ]);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet' });
  });

  it('a 401 invalidates the token, logs in again and retries once', async () => {
    await gql(app.url, query, vars); // a token is held
    sim.clearLog();
    sim.expireTokens();
    const res = await gql(app.url, query, vars);
    expect(res.errors).toBeUndefined();
    expect(sim.requests('token')).toHaveLength(1);
    const getData = sim.requests('getData');
    expect(getData).toHaveLength(2);
    expect(getData[0]!.status).toBe(401);
    expect(getData[1]!.status).toBe(200);
  });
});

describe('secrets', () => {
  it('never shows the password or a token in a response or a log line', async () => {
    sim.expireTokens();
    await gql(app.url, '{ sensor(id: "meetnet:sensor:MP7WVC") { latest { value } } }');
    sim.addFault({ route: 'currentData', status: 500, body: `{"Message":"boom ${sim.password}"}`, times: 1 });
    const res = await gql(app.url, '{ sensor(id: "meetnet:sensor:MP7WVC") { latest { value } } }');
    expect(res.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [sim.password, ...tokens]) {
      expect(res.raw).not.toContain(secret);
      for (const line of app.logLines) expect(line).not.toContain(secret);
    }
    expect(app.logLines.some((l) => l.includes('[REDACTED]'))).toBe(true);
  });
});
