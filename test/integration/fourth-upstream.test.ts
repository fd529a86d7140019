// A fourth upstream is one module and one more entry in the list: this test defines a small
// read-only one here (its settings, its client, its simulator), hands the gateway the three
// upstreams and this one, and finds it everywhere the list reaches: configuration, start-up with
// its simulator, the `Upstream` enum, the schema, lists, look-ups, series, errors and batching.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import DataLoader from 'dataloader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDocs, loadConfig } from '../../src/config.js';
import { setting } from '../../src/settings.js';
import { Language, type LatestValue, type Location, type Parameter, type Sensor } from '../../src/shared/domain.js';
import { Capabilities } from '../../src/upstreams/capabilities.js';
import { CatalogLookups, type CatalogIndex } from '../../src/upstreams/catalog-cache.js';
import type { RouteCall, UpstreamHttp } from '../../src/upstreams/http-client.js';
import { upstreamBasics, type UpstreamModule } from '../../src/upstreams/module.js';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { loadByWindow, seriesCacheKey, type SeriesKey, type SeriesResult } from '../../src/upstreams/series.js';
import { serviceAccount } from '../../src/upstreams/service-account.js';
import { unreachableStatus, type Upstream, type UpstreamLoaders, type UpstreamStatus } from '../../src/upstreams/upstream.js';
import { startGateway } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

// ---- the upstream: "Pier", a few harbour weather stations with hourly readings

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const STATIONS = [
  { id: 'OST', name: 'Ostend pier', lat: 51.2335, lon: 2.9116 },
  { id: 'ZEE', name: 'Zeebrugge mole', lat: 51.3441, lon: 3.1938 },
];
const QUANTITIES = [{ id: 'temp', name: 'Air temperature', unit: '°C' }];
const reading = (station: string, t: number) => Math.round((10 + (station === 'OST' ? 1 : 2) * Math.sin(t / HOUR / 4)) * 10) / 10;

/** Its simulator: a token login, the station list, and readings of many stations over one window in one call. */
function pierSimulator(account: { login: string; password: string }): { server: Server; requests: string[] } {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://pier');
    requests.push(url.pathname);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (url.pathname === '/login') {
        const creds = JSON.parse(body || '{}') as { user?: string; password?: string };
        return creds.user === account.login && creds.password === account.password
          ? json(200, { token: 'pier-token' })
          : json(403, { error: 'bad login' });
      }
      if (req.headers.authorization !== 'Token pier-token') return json(401, { error: 'no token' });
      if (url.pathname === '/stations') return json(200, { stations: STATIONS, quantities: QUANTITIES });
      if (url.pathname === '/readings') {
        const from = Number(url.searchParams.get('from'));
        const to = Number(url.searchParams.get('to'));
        const out: Record<string, Array<[number, number]>> = {};
        for (const id of url.searchParams.getAll('station')) {
          const known = STATIONS.some((s) => s.id === id);
          out[id] = [];
          for (let t = Math.ceil(from / HOUR) * HOUR; known && t <= Math.min(to, NOW); t += HOUR) out[id].push([t, reading(id, t)]);
        }
        return json(200, out);
      }
      json(404, { error: 'no such route' });
    });
  });
  return { server, requests };
}

type PierCatalog = CatalogIndex;

const pierId = (kind: string, id: string) => `pier:${kind}:${id}`;

/** Its upstream: the catalogue from /stations, series of one window for many stations from one /readings call. */
class PierUpstream extends CatalogLookups<PierCatalog> implements Upstream {
  readonly name = 'pier';
  readonly label = 'Pier';
  readonly capabilities = new Capabilities(); // read-only, no capability beyond the common ones

  constructor(
    private readonly http: UpstreamHttp,
    private readonly call: (route: string, path: string, searchParams?: URLSearchParams) => RouteCall,
    readonly simulated: boolean,
  ) {
    super(60_000);
  }

  protected loadCatalog(): Promise<PierCatalog> {
    return this.http.json(this.call('stations', '/stations'), (body) => {
      const { stations, quantities } = body as { stations: typeof STATIONS; quantities: typeof QUANTITIES };
      const locations: Location[] = stations.map((s) => ({
        id: pierId('location', s.id),
        upstream: 'pier',
        nativeId: s.id,
        name: { [Language.EN]: s.name },
        description: {},
        position: { latitude: s.lat, longitude: s.lon },
        parentId: null,
      }));
      const parameters: Parameter[] = quantities.map((q) => ({
        id: pierId('parameter', q.id),
        upstream: 'pier',
        nativeId: q.id,
        code: q.id,
        name: { [Language.EN]: q.name },
        unit: q.unit,
        category: {},
      }));
      const sensors: Sensor[] = stations.flatMap((s) =>
        quantities.map((q) => ({
          id: pierId('sensor', `${s.id}.${q.id}`),
          upstream: 'pier',
          nativeId: `${s.id}.${q.id}`,
          locationId: pierId('location', s.id),
          parameterId: pierId('parameter', q.id),
          unit: q.unit,
          intervalMinutes: 60,
        })),
      );
      return {
        locations,
        parameters,
        sensors,
        locationById: new Map(locations.map((l) => [l.id, l])),
        parameterById: new Map(parameters.map((p) => [p.id, p])),
        sensorById: new Map(sensors.map((x) => [x.id, x])),
      };
    });
  }

  async status(): Promise<UpstreamStatus> {
    try {
      await this.catalog();
      return { name: this.name, reachable: true, apiVersion: '1', latencyMs: 0, simulated: this.simulated, message: null };
    } catch (err) {
      return unreachableStatus(this, err);
    }
  }

  validateSensorId(nativeId: string): string | null {
    return /^[A-Z]{3}\.[a-z]+$/.test(nativeId)
      ? null
      : `a Pier sensor ID is STATION.quantity, e.g. pier:sensor:OST.temp; got "${nativeId}"`;
  }

  createLoaders(): UpstreamLoaders {
    const series = new DataLoader<SeriesKey, SeriesResult, string>(
      (keys) =>
        loadByWindow(keys, async (w, ids) => {
          const search = new URLSearchParams({ from: String(w.from), to: String(w.to) });
          for (const id of ids) search.append('station', id.split('.')[0]!);
          const byStation = await this.http.json(
            this.call('readings', '/readings', search),
            (b) => b as Record<string, Array<[number, number]>>,
          );
          return new Map(
            ids.map((id) => {
              const points = byStation[id.split('.')[0]!] ?? [];
              const values = points.map((p) => p[1]);
              return [id, { times: points.map((p) => p[0]), values, min: Math.min(...values), max: Math.max(...values) }];
            }),
          );
        }),
      { cacheKeyFn: seriesCacheKey },
    );
    const latest = new DataLoader<string, LatestValue | null>(async (ids) => {
      const read = await series.loadMany(ids.map((sensor) => ({ sensor, from: NOW - 6 * HOUR, to: NOW })));
      return read.map((r) => (r instanceof Error ? r : r.times.length ? { time: r.times.at(-1)!, value: r.values.at(-1)! } : null));
    });
    return { series, latest };
  }
}

const settings = upstreamBasics({
  prefix: 'PIER',
  label: 'Pier',
  login: 'USERNAME',
  baseUrl: setting.url({ protocols: ['http:', 'https:'], doc: 'the Pier API. Unset: the built-in simulator.' }),
  historyFinalAfter: { ms: 86_400_000, why: 'Default a day: a pier sends its values as it measures them.' },
});

let simulator: ReturnType<typeof pierSimulator> | null = null;

/** The module: everything the gateway needs to know of Pier. */
const pier: UpstreamModule<typeof settings, PierUpstream> = {
  name: 'pier',
  label: 'Pier',
  description: 'Pier: harbour weather stations (a test upstream).',
  envPrefix: 'PIER',
  settings,
  realApiHint: 'PIER_BASE_URL=https://pier.example.org PIER_USERNAME=<user> PIER_PASSWORD=<password>',
  idExamples: { sensor: 'pier:sensor:OST.temp' },
  create(context) {
    const { http, auth } = serviceAccount(context, {
      name: 'pier',
      label: 'Pier',
      login: async (h, account) => {
        const res = await h.send({
          route: 'login',
          method: 'POST',
          path: '/login',
          json: { user: account.login, password: account.password },
          idempotent: false,
          auth: null,
        });
        if (res.status !== 200) throw h.statusError({ route: 'login', method: 'POST', path: '/login', idempotent: false, auth: null }, res);
        return { token: (JSON.parse(res.body) as { token: string }).token, expiresInMs: HOUR };
      },
      header: (t) => `Token ${t}`,
    });
    const call = (route: string, path: string, searchParams?: URLSearchParams): RouteCall => ({
      route,
      method: 'GET',
      path,
      searchParams,
      idempotent: true,
      auth,
    });
    return new PierUpstream(http, call, context.simulated);
  },
  async simulator() {
    return {
      async start({ account }) {
        simulator = pierSimulator(account);
        const server = simulator.server;
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        return {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          instance: simulator,
          close: () => new Promise<void>((r) => server.close(() => r())),
        };
      },
    };
  },
};

// ---- the gateway with four upstreams: the list, and nothing else

const modules = [...upstreamModules, pier];
let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const { app } = await startGateway({ PIER_TIMEOUT_MS: '4000' }, modules);
  url = app.url;
  stop = app.stop;
});
afterAll(() => stop());

describe('a fourth upstream, added by its module and one entry in the list', () => {
  it('has its settings read and documented like the others', () => {
    expect(loadConfig({ PIER_TIMEOUT_MS: '4000' }, modules).upstreams.pier).toMatchObject({ baseUrl: null, timeoutMs: 4000, retries: 2 });
    expect(() => loadConfig({ PIER_BASE_URL: 'https://pier.example.org' }, modules)).toThrow(
      'PIER_USERNAME is required when PIER_BASE_URL is set',
    );
    const docs = configDocs(modules).at(-1)!;
    expect(docs.rows.map((r) => r.variable)).toEqual([
      'PIER_BASE_URL',
      'PIER_USERNAME',
      'PIER_PASSWORD',
      'PIER_TIMEOUT_MS',
      'PIER_RETRIES',
      'PIER_MAX_CONCURRENT',
      'PIER_RATE_PER_MINUTE',
      'PIER_BREAKER_ERROR_PERCENT',
      'PIER_BREAKER_MIN_CALLS',
      'PIER_BREAKER_OPEN_MS',
      'PIER_HISTORY_FINAL_AFTER_MS',
    ]);
  });

  it('runs on its own simulator with no configuration, and is in the Upstream enum', async () => {
    const res = await gql(url, '{ upstreams { name reachable simulated } __type(name: "Upstream") { enumValues { name description } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.upstreams.map((u: { name: string }) => u.name)).toEqual(['MEETNET', 'FLEXMEASURES', 'BEMSERVER', 'PIER']);
    expect(res.data!.upstreams.at(-1)).toEqual({ name: 'PIER', reachable: true, simulated: true });
    expect(res.data!.__type.enumValues.at(-1)).toEqual({ name: 'PIER', description: 'Pier: harbour weather stations (a test upstream).' });
  });

  it('serves its locations, sensors and parameters through the common queries, and filters by its enum value', async () => {
    const res = await gql(
      url,
      `{ locations(upstream: PIER) { totalCount nodes { id name position { latitude } sensors { id name unit parameter { code unit } } } }
         near: locations(near: { latitude: 51.2335, longitude: 2.9116 }, first: 1) { nodes { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.locations.totalCount).toBe(2);
    expect(res.data!.locations.nodes[0]).toEqual({
      id: 'pier:location:OST',
      name: 'Ostend pier',
      position: { latitude: 51.2335 },
      sensors: [{ id: 'pier:sensor:OST.temp', name: 'Ostend pier: Air temperature', unit: '°C', parameter: { code: 'temp', unit: '°C' } }],
    });
    // Nearest to the Ostend pier over all four upstreams: the pier itself.
    expect(res.data!.near.nodes).toEqual([{ id: 'pier:location:OST' }]);
  });

  it('answers a dashboard across all four upstreams: its series of one window in one call, beside the others', async () => {
    const from = new Date(NOW - 12 * HOUR).toISOString();
    const to = new Date(NOW).toISOString();
    const before = simulator!.requests.filter((p) => p === '/readings').length;
    const res = await gql(
      url,
      `{ timeSeries(sensorIds: ["pier:sensor:OST.temp", "pier:sensor:ZEE.temp", "meetnet:sensor:MP7WVC", "pier:sensor:XYZ.temp"], from: "${from}", to: "${to}") {
         sensor { id upstream } count } }`,
    );
    expect(res.data!.timeSeries[0]).toEqual({ sensor: { id: 'pier:sensor:OST.temp', upstream: 'PIER' }, count: 13 });
    expect(res.data!.timeSeries[1]).toEqual({ sensor: { id: 'pier:sensor:ZEE.temp', upstream: 'PIER' }, count: 13 });
    expect(res.data!.timeSeries[2].sensor.upstream).toBe('MEETNET');
    // An unknown sensor of the fourth upstream is its own item's error, as anywhere else.
    expect(res.data!.timeSeries[3]).toBeNull();
    expect(res.errors![0]).toMatchObject({ path: ['timeSeries', 3], extensions: { code: 'BAD_USER_INPUT' } });
    expect(res.errors![0]!.message).toContain('there is no sensor "pier:sensor:XYZ.temp"');
    expect(simulator!.requests.filter((p) => p === '/readings').length - before).toBe(1);
  });

  it('gives its own shape check and its latest values through the common fields', async () => {
    const bad = await gql(url, '{ sensor(id: "pier:sensor:ostend") { id } }');
    expect(bad.errors![0]!.message).toContain('a Pier sensor ID is STATION.quantity');
    const res = await gql(
      url,
      '{ sensor(id: "pier:sensor:ZEE.temp") { latest { time value } publications entityAddress properties { value } stats { count } } }',
    );
    expect(res.errors).toBeUndefined();
    // Fields of the other upstreams' modules answer their "not mine" value for a Pier sensor.
    expect(res.data!.sensor).toEqual({
      latest: { time: new Date(NOW).toISOString(), value: reading('ZEE', NOW) },
      publications: [],
      entityAddress: null,
      properties: [],
      stats: null,
    });
  });

  it('refuses what it has no capability for, naming the capability', async () => {
    const from = new Date(NOW - 12 * HOUR).toISOString();
    const to = new Date(NOW).toISOString();
    const res = await gql(
      url,
      `{ sensor(id: "pier:sensor:OST.temp") { series(from: "${from}", to: "${to}", dataState: "Clean") { count } } }`,
    );
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'dataState' } });
    // Buckets need no capability: the gateway makes those an upstream does not.
    const hourly = await gql(
      url,
      `{ sensor(id: "pier:sensor:OST.temp") { series(from: "${from}", to: "${to}", bucket: { unit: HOUR, aggregation: MAX }) { timestamps } } }`,
    );
    expect(hourly.errors).toBeUndefined();
    expect(hourly.data!.sensor.series.timestamps).toHaveLength(12);
    const write = await gql(
      url,
      'mutation { writeTimeseriesData(input: { sensorId: "pier:sensor:OST.temp", points: [{ time: "2026-11-20T00:00:00Z", value: 1 }] }) { status } }',
    );
    expect(write.errors![0]!.message).toBe('sensorId: pier has no timeseries writes (bemserver has)');
  });
});
