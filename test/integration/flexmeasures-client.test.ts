// The FlexMeasures client against the simulator over real HTTP, for both API generations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../src/auth/token-store.js';
import { TokenProvider } from '../../src/auth/token-provider.js';
import { extensions, rejection } from '../helpers/errors.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { UpstreamHttp, type AuthScheme } from '../../src/upstreams/http-client.js';
import { FlexMeasuresClient } from '../../src/upstreams/flexmeasures/client.js';
import { pickGeneration } from '../../src/upstreams/flexmeasures/catalog.js';
import { createFlexMeasuresSimulator, type FlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const EMAIL = 'client@example.org';
const PASSWORD = 'fm-client-test-pw';
const AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';
const secrets = new SecretRegistry();
// Kept, so that tests can read what the operator is told (an upstream's reason for refusing a login).
const logLines: string[] = [];
const logger = createLogger({ level: 'warn', secrets, write: (line) => logLines.push(line) });

interface Rig {
  sim: FlexMeasuresSimulator;
  http: UpstreamHttp;
  client: FlexMeasuresClient;
  tokens: TokenProvider;
}

async function rig(generation: 'v3_0' | 'v1_1', extra: Parameters<typeof createFlexMeasuresSimulator>[0] = {}): Promise<Rig> {
  const sim = createFlexMeasuresSimulator({ email: EMAIL, password: PASSWORD, generation, clock: () => NOW, gapRate: 0, ...extra });
  const url = await sim.listen();
  const http = new UpstreamHttp({
    upstream: 'flexmeasures',
    label: 'FlexMeasures',
    baseUrl: url,
    timeoutMs: 2000,
    retries: 1,
    logger,
  });
  const login = new FlexMeasuresClient(http, null);
  const tokens = new TokenProvider({
    key: `fm-${generation}`,
    store: new MemoryTokenStore(),
    login: () => login.login(EMAIL, PASSWORD),
    secrets,
    logger,
  });
  const auth: AuthScheme = { getToken: () => tokens.getToken(), invalidate: (t) => tokens.invalidate(t), header: (t) => t };
  return { sim, http, client: new FlexMeasuresClient(http, auth), tokens };
}

let v3: Rig;
let v1: Rig;

beforeAll(async () => {
  [v3, v1] = await Promise.all([rig('v3_0'), rig('v1_1')]);
});
afterAll(async () => {
  await Promise.all([v3.sim.close(), v1.sim.close()]);
});

describe('choosing the API generation', () => {
  it('a current server offers v3_0 only; v0.12 offers both and gets v1_1 (its v3_0 has no /sensors/<id>/data)', async () => {
    const head = await v3.client.versions();
    expect(head.versions).toEqual(['v3_0']);
    expect(pickGeneration(head.versions, head.flexmeasures_version ?? null)).toBe('v3_0');
    const old = await v1.client.versions();
    expect(old.versions).toContain('v1_1');
    expect(old.versions).toContain('v3_0');
    expect(pickGeneration(old.versions, old.flexmeasures_version ?? null)).toBe('v1_1');
  });

  it('pickGeneration: v3_0 when offered by a server ≥ 0.28 or of unknown version, v1_1 otherwise, null when neither', () => {
    expect(pickGeneration(['v3_0'], null)).toBe('v3_0');
    expect(pickGeneration(['v1_1', 'v3_0'], '0.28.0')).toBe('v3_0');
    expect(pickGeneration(['v1_1', 'v3_0'], '0.27.9')).toBe('v1_1');
    expect(pickGeneration(['v1', 'v1_1', 'v2_0'], '0.8.0')).toBe('v1_1');
    expect(pickGeneration(['v1', 'v2_0'], '0.4.0')).toBeNull();
    expect(pickGeneration(['v1_1', 'v3_0'], '1.0.0')).toBe('v3_0');
  });
});

describe('login', () => {
  it('POST /api/requestAuthToken with email and password; the token goes bare in Authorization (no Bearer)', async () => {
    v3.sim.clearLog();
    const r = await new FlexMeasuresClient(v3.http, null).login(EMAIL, PASSWORD);
    expect(r.token.length).toBeGreaterThan(20);
    expect(r.expiresInMs).toBe(6 * HOUR);
    const call = v3.sim.requests('token').at(-1)!;
    expect(call.path).toBe('/api/requestAuthToken');
    expect(call.body).toEqual({ email: EMAIL, password: PASSWORD });

    await v3.client.sensor('4');
    const data = v3.sim.requests('sensor').at(-1)!;
    expect(data.authorized).toBe(true);
    expect(data.headers.authorization).not.toMatch(/^Bearer /i);
  });

  it('a wrong password, an unknown email and the v0.12 "200 with errors" are UPSTREAM_AUTH_FAILED without the password', async () => {
    const cases: Array<[Rig, string, string, string]> = [
      [v3, EMAIL, 'wrong-password-123', 'User password does not match.'],
      [v3, 'nobody@example.org', PASSWORD, "User with email 'nobody@example.org' does not exist"],
      [v1, EMAIL, '', "Please provide the 'password' parameter."],
    ];
    for (const [r, email, password, reason] of cases) {
      r.sim.clearLog();
      const err = await rejection(new FlexMeasuresClient(r.http, null).login(email, password));
      expect(err.code).toBe('UPSTREAM_AUTH_FAILED');
      // The upstream's reason is the operator's (in the log): a login answer may quote what was sent.
      expect(err.message).toMatch(
        /^FlexMeasures refused the service account's login \(HTTP \d+\); check FLEXMEASURES_EMAIL and FLEXMEASURES_PASSWORD$/,
      );
      expect(logLines.at(-1)).toContain(JSON.stringify(reason).slice(1, -1));
      expect(r.sim.requests('token')).toHaveLength(1); // a login is never retried
    }
  });

  it('a token the server no longer accepts is refreshed once: one new login, the call succeeds', async () => {
    await v3.client.sensor('1');
    v3.sim.expireTokens();
    v3.sim.clearLog();
    const s = await v3.client.sensor('2');
    expect(s.sensor.id).toBe('flexmeasures:sensor:2');
    expect(v3.sim.requests('token')).toHaveLength(1);
    expect(v3.sim.requests('sensor').map((e) => e.status)).toEqual([401, 200]);
  });
});

describe('v3_0', () => {
  it('walks every page of /sensors and /assets (public ones included)', async () => {
    v3.sim.clearLog();
    const sensors = await v3.client.sensors();
    expect(sensors).toHaveLength(35);
    expect(new Set(sensors.map((s) => s.sensor.id)).size).toBe(35);
    const calls = v3.sim.requests('sensors');
    expect(calls[0]!.query).toMatchObject({ page: '1', 'per-page': '100', include_public_assets: 'true' });
    const assets = await v3.client.assets();
    expect(assets.map((a) => a.id)).toContain('flexmeasures:location:asset:400'); // the public weather station
  });

  it('a server without pagination (v0.12) answers a bare list: resolutions in minutes, ids from the fm1 address', async () => {
    v1.sim.clearLog();
    const sensors = await v1.client.sensors();
    expect(v1.sim.requests('sensors')).toHaveLength(1); // no page count: nothing more to walk
    expect(sensors.length).toBeGreaterThanOrEqual(31);
    const cs4 = sensors.find((s) => s.sensor.nativeId === '4')!;
    expect(cs4).toMatchObject({ name: 'CS 4', unit: 'MW', resolutionMs: 15 * 60_000 });
    expect(cs4.sensor.entityAddress).toBe(`${AUTHORITY}:fm1.4`);
  });

  it('walks several pages when the server has more sensors than a page', async () => {
    const big = await rig('v3_0', { chargers: 230 });
    try {
      const sensors = await big.client.sensors();
      expect(sensors).toHaveLength(235);
      expect(new Set(sensors.map((s) => s.sensor.nativeId)).size).toBe(235);
      expect(big.sim.requests('sensors').map((e) => e.query.page)).toEqual(['1', '2', '3']);
    } finally {
      await big.sim.close();
    }
  });

  it('pages without an order that repeat a row: read again, every sensor once (FlexMeasures 1.0.1 has no ORDER BY)', async () => {
    const big = await rig('v3_0', { chargers: 130 });
    try {
      const token = await big.tokens.getToken();
      const page = (n: number) =>
        fetch(`${big.http.options.baseUrl}/api/v3_0/sensors?include_public_assets=true&page=${n}&per-page=100`, {
          headers: { authorization: token },
        }).then((r) => r.json() as Promise<{ data: Array<{ id: number }> }>);
      const [one, two] = await Promise.all([page(1), page(2)]);
      // The first read of page 1 (the fault hits the first call) answers rows of page 2, one of them
      // repeated from page 1: that read misses most of page 1 and repeats rows.
      const shifted = { ...two, data: [one.data[99]!, ...two.data.slice(1)] };
      big.sim.addFault({ route: 'sensors', times: 1, status: 200, body: JSON.stringify(shifted) });
      big.sim.clearLog();
      const sensors = await big.client.sensors();
      expect(new Set(sensors.map((s) => s.sensor.nativeId)).size).toBe(sensors.length);
      expect(sensors).toHaveLength(135);
      expect(big.sim.requests('sensors').length).toBe(4);
      expect(logLines.some((l) => l.includes('pages did not add up'))).toBe(true);
    } finally {
      await big.sim.close();
    }
  });

  it('one sensor: unit, resolution, timezone, quantity and the decoded attributes', async () => {
    const solar = await v3.client.sensor('31');
    expect(solar).toMatchObject({ unit: 'MW', resolutionMs: 15 * 60_000, quantity: 'power', name: 'Solar park Oostende' });
    expect(solar.sensor.timezone).toBe('Europe/Amsterdam');
    expect(solar.sensor.consumptionIsPositive).toBe(false);
    expect(solar.sensor.entityAddress).toBe(`${AUTHORITY}:fm1.31`);
  });

  it('sensor data: start, duration, unit and resolution in the query; a regular axis with nulls where nothing is known', async () => {
    const start = NOW - 2 * HOUR;
    const res = await v3.client.sensorData('4', { start: new Date(start).toISOString(), duration: 'PT4H', unit: 'MW' }, start);
    expect(res.resolutionMs).toBe(15 * 60_000);
    expect(res.values).toHaveLength(16);
    expect(res.times[1]! - res.times[0]!).toBe(15 * 60_000);
    expect(res.times[0]).toBe(start);
    // The future half has forecasts (no filter) but no measurement with the meter-data type.
    const meter = await v3.client.sensorData(
      '4',
      { start: new Date(start).toISOString(), duration: 'PT4H', unit: 'MW', type: 'GetMeterDataRequest' },
      start,
    );
    expect(meter.values.slice(0, 8).every((v) => typeof v === 'number')).toBe(true);
    expect(meter.values.slice(8).every((v) => v === null)).toBe(true);
    const q = v3.sim.requests('sensorData').at(-1)!.query;
    expect(q).toMatchObject({ duration: 'PT4H', unit: 'MW', type: 'GetMeterDataRequest' });
  });

  it('asks for a coarser resolution and another unit; the server averages and converts', async () => {
    const start = NOW - 4 * HOUR;
    const fine = await v3.client.sensorData('31', { start: new Date(start).toISOString(), duration: 'PT1H', unit: 'MW' }, start);
    const coarse = await v3.client.sensorData(
      '31',
      { start: new Date(start).toISOString(), duration: 'PT1H', unit: 'kW', resolution: 'PT1H' },
      start,
    );
    expect(coarse.values).toHaveLength(1);
    const mean = (fine.values as number[]).reduce((a, b) => a + b, 0) / 4;
    expect(coarse.values[0]).toBeCloseTo(mean * 1000, 2);
  });

  it('an unknown sensor is a 404 error naming the upstream; an incompatible unit keeps the upstream message', async () => {
    const missing = await rejection(v3.client.sensorData('999', { start: new Date(NOW).toISOString(), duration: 'PT1H', unit: 'MW' }, NOW));
    expect(extensions(missing).upstream).toBe('flexmeasures');
    expect(missing.message).toContain('404');
    const unit = await rejection(v3.client.sensorData('4', { start: new Date(NOW).toISOString(), duration: 'PT1H', unit: '°C' }, NOW));
    expect(unit.code).toBe('UPSTREAM_REJECTED');
    expect(extensions(unit)).toMatchObject({
      status: 422,
      upstreamCode: 'UNPROCESSABLE_ENTITY',
      fields: ['combined_sensor_data_description._schema'],
    });
    expect(unit.message).toContain('Required unit for this sensor is MW, got incompatible unit: °C');
  });

  it('POST /sensors/<id>/data: processed, then already received, then an INVALID_REPLACEMENT rejection', async () => {
    const body = {
      values: [0.5, 0.25],
      start: '2026-11-20T08:00:00Z',
      duration: 'PT30M',
      unit: 'MW',
      horizon: 'PT0H',
      type: 'PostMeterDataRequest' as const,
    };
    const first = await v3.client.postSensorData('31', body);
    expect(first).toEqual({ alreadyReceived: false, message: 'Request has been processed.' });
    const again = await v3.client.postSensorData('31', body);
    expect(again.alreadyReceived).toBe(true);
    const changed = await rejection(v3.client.postSensorData('31', { ...body, values: [0.5, 0.3] }));
    expect(changed.code).toBe('UPSTREAM_REJECTED');
    expect(extensions(changed)).toMatchObject({ upstream: 'flexmeasures', status: 403, upstreamCode: 'INVALID_REPLACEMENT' });
    expect(String(extensions(changed).upstreamMessage)).toContain('existing values would be changed');
    expect(v3.sim.stored(31).get(Date.parse('2026-11-20T08:15:00Z'))).toEqual([{ horizonMs: 0, value: 0.25 }]);
  });

  it('a 422 validation answer becomes UPSTREAM_REJECTED with the fields it names', async () => {
    const err = await rejection(
      v3.client.postSensorData('31', { values: [1, 2, 3], start: '2026-11-20T08:00:00Z', duration: 'PT50M', unit: 'MW' }),
    );
    expect(extensions(err)).toMatchObject({ status: 422, upstreamCode: 'UNPROCESSABLE_ENTITY' });
    expect(extensions(err).fields).toEqual(['combined_sensor_data_description._schema']);
    expect(String(extensions(err).upstreamMessage)).toContain(
      "Resolution of 0:16:40 is incompatible with the sensor's required resolution of 0:15:00.",
    );
  });

  it('v1_1 on a current server is reported as sunset (410), not as a crash', async () => {
    const err = await rejection(v3.client.getConnection());
    expect(err.code).toBe('UPSTREAM_REJECTED');
    expect(extensions(err)).toMatchObject({ upstream: 'flexmeasures', status: 410, reason: 'SUNSET' });
    expect(err.message).toContain('sunset');
    expect(err.message).toContain('FLEXMEASURES_API_VERSION');
  });

  it('429 with Retry-After is RATE_LIMITED with the delay, not retried past it', async () => {
    const limited = await rig('v3_0', { rateLimit: { limit: 2, windowSeconds: 60 } });
    try {
      // Counted per token: the login does not count against the two data calls.
      await limited.client.sensor('1');
      await limited.client.sensor('2');
      const err = await rejection(limited.client.sensor('3'));
      expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(extensions(err)).toMatchObject({ status: 429, reason: 'RATE_LIMITED', retryAfterSeconds: 60 });
      expect(limited.sim.requests('rateLimited')).toHaveLength(1);
    } finally {
      await limited.sim.close();
    }
  });
});

describe('v1_1', () => {
  it('getService without a token; getConnection lists fm1 addresses with names', async () => {
    const service = (await v1.client.getService()) as { services: Array<{ name: string }> };
    expect(service.services.map((s) => s.name)).toContain('getMeterData');
    expect(v1.sim.requests('getService').at(-1)!.headers.authorization).toBeUndefined();
    const rows = await v1.client.getConnection();
    expect(rows).toHaveLength(31);
    expect(rows[0]).toEqual({ entityAddress: `${AUTHORITY}:fm1.31`, name: 'Solar park Oostende', sensorId: 31 });
    expect(rows.find((r) => r.sensorId === 4)!.name).toBe('CS 4');
  });

  it('getMeterData: many connections in one call, named back by sensor name, in USEF sign (consumption positive)', async () => {
    const names = new Map([
      ...Array.from({ length: 30 }, (_, i) => [`CS ${i + 1}`, i + 1] as [string, number]),
      ['Solar park Oostende', 31],
    ]);
    const start = Date.parse('2026-11-19T17:00:00Z');
    v1.sim.clearLog();
    const series = await v1.client.v1Series(
      'meter',
      {
        connections: [`${AUTHORITY}:fm1.4`, `${AUTHORITY}:3:5`, `${AUTHORITY}:fm1.31`],
        start: new Date(start).toISOString(),
        duration: 'PT4H',
        resolution: 'PT15M',
      },
      names,
      start,
      15 * 60_000,
    );
    expect(v1.sim.requests('getMeterData')).toHaveLength(1);
    const q = v1.sim.requests('getMeterData')[0]!.query;
    expect(q).toMatchObject({ type: 'GetMeterDataRequest', unit: 'MW', duration: 'PT4H' });
    expect(q.connection).toHaveLength(3);
    expect([...series.keys()].sort((a, b) => a - b)).toEqual([4, 5, 31]);
    const ev = series.get(4)!;
    expect(ev.values).toHaveLength(16);
    expect(ev.values.every((v) => v !== null && v >= 0)).toBe(true); // charging is consumption: positive in USEF
    expect(ev.max).toBeGreaterThan(0);
    expect(series.get(31)!.values.every((v) => v !== null && v <= 0)).toBe(true); // production negative (night: 0)
  });

  it('a rejected read keeps the USEF code and message', async () => {
    const err = await rejection(
      v1.client.v1Series(
        'meter',
        { connections: ['not-an-address'], start: new Date(NOW).toISOString(), duration: 'PT1H' },
        new Map(),
        NOW,
        15 * 60_000,
      ),
    );
    expect(err.code).toBe('UPSTREAM_REJECTED');
    expect(extensions(err)).toMatchObject({ upstreamCode: 'INVALID_DOMAIN', status: 400 });
    expect(err.message).toContain("A valid type 1 USEF entity address starts with 'ea1'");
  });

  it('postMeterData, postPriceData and postWeatherData; repeats are already received, changes rejected', async () => {
    const meter = {
      type: 'PostMeterDataRequest' as const,
      connection: `${AUTHORITY}:fm1.7`,
      values: [0.011, 0.011],
      start: '2026-11-20T06:00:00Z',
      duration: 'PT30M',
      unit: 'MW',
    };
    expect(await v1.client.postV1('postMeterData', meter)).toEqual({ alreadyReceived: false, message: 'Request has been processed.' });
    expect((await v1.client.postV1('postMeterData', meter)).alreadyReceived).toBe(true);
    const replaced = await rejection(v1.client.postV1('postMeterData', { ...meter, values: [0.011, 0.012] }));
    expect(extensions(replaced)).toMatchObject({ status: 403, upstreamCode: 'INVALID_REPLACEMENT' });
    // Stored in the database sign: consumption negative.
    expect(v1.sim.stored(7).get(Date.parse('2026-11-20T06:00:00Z'))![0]!.value).toBe(-0.011);

    const price = {
      type: 'PostPriceDataRequest' as const,
      market: 'ea1.2018-06.localhost:epex_da',
      values: [50, 60],
      start: '2026-11-21T00:00:00+01:00',
      duration: 'PT2H',
      unit: 'EUR/MWh',
      horizon: 'PT35H',
    };
    expect((await v1.client.postV1('postPriceData', price)).alreadyReceived).toBe(false);
    const badUnit = await rejection(v1.client.postV1('postPriceData', { ...price, unit: 'EUR/kWh' }));
    expect(extensions(badUnit)).toMatchObject({
      upstreamCode: 'INVALID_UNIT',
      upstreamMessage: 'Data for price should be given in EUR/MWh or KRW/kWh.',
    });

    const weather = {
      type: 'PostWeatherDataRequest' as const,
      sensor: 'ea1.2018-06.localhost:wind speed:51.442:3.596',
      values: [7.5],
      start: '2026-11-21T00:00:00Z',
      duration: 'PT1H',
      unit: 'm/s',
    };
    expect((await v1.client.postV1('postWeatherData', weather)).message).toBe('Request has been processed.');
    const nowhere = await rejection(v1.client.postV1('postWeatherData', { ...weather, sensor: 'ea1.2018-06.localhost:wind speed:10:10' }));
    expect(extensions(nowhere)).toMatchObject({ upstreamCode: 'UNRECOGNIZED_SENSOR' });
    expect(nowhere.message).toContain('The nearest sensor is at latitude 51.442 and longitude 3.596');
  });

  it('a sunset v1_1 server (0.13) answers 410, which is said as such', async () => {
    const sunset = await rig('v1_1', { sunset: true });
    try {
      const err = await rejection(sunset.client.getConnection());
      expect(extensions(err)).toMatchObject({ status: 410, reason: 'SUNSET' });
      expect(err.message).toContain('API version 1.1 has been sunset');
      const write = await rejection(
        sunset.client.postV1('postMeterData', {
          type: 'PostMeterDataRequest',
          connection: `${AUTHORITY}:fm1.1`,
          values: [1],
          start: '2026-11-20T00:00:00Z',
          duration: 'PT15M',
          unit: 'MW',
        }),
      );
      expect(extensions(write)).toMatchObject({ status: 410, reason: 'SUNSET' });
    } finally {
      await sunset.sim.close();
    }
  });

  it('upstream 500s (the real v1_1 bugs) are UPSTREAM_UNAVAILABLE, never a crash', async () => {
    const buggy = await rig('v1_1', { emulateUpstreamBugs: true });
    try {
      const err = await rejection(buggy.client.getConnection());
      expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(extensions(err)).toMatchObject({ upstream: 'flexmeasures', status: 500 });
    } finally {
      await buggy.sim.close();
    }
  });
});
