// The built-in FlexMeasures simulator over real HTTP, checked against the contract
// (src/upstreams/flexmeasures/CONTRACT.md §1.2, §2, §3, §4, §6): both generations (`v3_0` = a current
// server, `v1_1` = v0.12.3), auth, the v3_0 sensor/asset/data routes, the v1_1 message routes and
// their quirks, sunset, rate limiting, and the shared machinery (request log, faults, latency,
// concurrency, bad input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFlexMeasuresSimulator,
  type FlexMeasuresSimulator,
  type FlexMeasuresSimulatorOptions,
} from '../../src/upstreams/flexmeasures/simulator/index.js';

import { request, simulatorPool, type Answer, type J } from '../helpers/sim-http.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
const AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';
const fm1 = (id: number): string => `${AUTHORITY}:fm1.${id}`;
const FM_401 = { message: 'You could not be properly authenticated for this content or functionality.', status: 'UNAUTHORIZED' };
const NOT_FOUND_MESSAGE =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const SUNSET_410 = {
  message:
    'API version 1.1 has been sunset. Please upgrade to API version 3.0. See https://flexmeasures.readthedocs.io/en/v0.13.0/api/v1_1.html for more information.',
  status: 410,
};
const PROCESSED = { status: 'PROCESSED', message: 'Request has been processed.' };
const ALREADY_MESSAGE = 'Some of the data has already been received and successfully processed.';
const REPLACEMENT_V1 =
  'Some of the data represents a replacement, which is reserved for servers in play mode. Enable play mode or update the prior in your request.';
const REPLACEMENT_V3 =
  'Some of the data represents a replacement: existing values would be changed for the same sensor, source, event timestamp and belief time. This is reserved for customized servers. If you are hosting FlexMeasures, you can enable replacements by setting FLEXMEASURES_ALLOW_DATA_OVERWRITE=True in the configuration settings. Alternatively, submit the data with a different prior, or check whether the same file was already uploaded with different values.';
const ROLES = ['Aggregator', 'Supplier', 'MDC', 'DSO', 'Prosumer', 'ESCo'];
const V1_ROUTES: Array<[string, 'GET' | 'POST']> = [
  ['getConnection', 'GET'],
  ['getMeterData', 'GET'],
  ['getPrognosis', 'GET'],
  ['getService', 'GET'],
  ['postMeterData', 'POST'],
  ['postPrognosis', 'POST'],
  ['postPriceData', 'POST'],
  ['postWeatherData', 'POST'],
];
// A past day, an evening (EV peak: 18–22 h local = 17–21 h UTC in November) and a night.
const DAY_BEFORE = '2026-11-19T00:00:00Z';
const EVENING = '2026-11-19T17:00:00Z';

/** A simulator on a free port (fixed clock, no gaps unless told), closed after all tests. */
const startSim = simulatorPool<FlexMeasuresSimulatorOptions, FlexMeasuresSimulator>(createFlexMeasuresSimulator, {
  clock: () => NOW,
  gapRate: 0,
});

interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent verbatim. */
  body?: unknown;
}

/** One request; JSON Content-Type always (as the contract recommends, §2.1); the bare token in Authorization (§2.1). */
const call = (url: string, path: string, o: CallOptions = {}): Promise<Answer> =>
  request(url, path, { ...o, authorization: o.token, jsonContentType: 'always' });

async function login(sim: FlexMeasuresSimulator, url: string): Promise<string> {
  const r = await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: sim.password } });
  expect(r.status).toBe(200);
  return r.body.auth_token as string;
}

/** Query string from pairs (repeated keys allowed), percent-encoded. */
function qs(pairs: Array<[string, string]> | Record<string, string>): string {
  const list = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  return list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

const neg = (v: number): number => -v + 0; // no -0
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// =============================================================================================
// v3_0 generation (a current server)
// =============================================================================================

describe('v3_0 generation', () => {
  let sim: FlexMeasuresSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ generation: 'v3_0' }));
    token = await login(sim, url);
  });

  const data = (id: number | string, params: Record<string, string>) => call(url, `/api/v3_0/sensors/${id}/data?${qs(params)}`, { token });
  const post = (id: number, body: unknown) => call(url, `/api/v3_0/sensors/${id}/data`, { token, body });

  describe('GET /api and version headers (§2.1, §2.5)', () => {
    it('lists only v3_0 with the HEAD message, a current version and the injected status 200', async () => {
      const r = await call(url, '/api/');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        flexmeasures_version: expect.stringMatching(/^0\.\d+\.\d+$/),
        message:
          'For these API versions a public endpoint is available, listing its service. For example: /api/v3_0. An authentication token can be requested at: /api/requestAuthToken',
        status: 200,
        versions: ['v3_0'],
      });
      // /sensors/<id>/data needs ≥ 0.28 (§1).
      const minor = Number((r.body.flexmeasures_version as string).split('.')[1]);
      expect(minor).toBeGreaterThanOrEqual(28);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('redirects /api to /api/ with 308 and an absolute Location from the Host header, as Werkzeug does', async () => {
      const r = await call(url, '/api');
      expect(r.status).toBe(308);
      expect(r.headers.get('location')).toBe(`${url}/api/`);
      expect(r.headers.get('flexmeasures-version')).toBeNull();
    });

    it('sends FlexMeasures-Version on /api responses and API-Version: v3_0 on /api/v3_0 responses only', async () => {
      const root = await call(url, '/api/');
      expect(root.headers.get('flexmeasures-version')).toBe(root.body.flexmeasures_version);
      expect(root.headers.get('api-version')).toBeNull();
      const sensors = await call(url, '/api/v3_0/sensors', { token });
      expect(sensors.headers.get('flexmeasures-version')).toBe(root.body.flexmeasures_version);
      expect(sensors.headers.get('api-version')).toBe('v3_0');
      const denied = await call(url, '/api/v3_0/sensors');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('api-version')).toBe('v3_0'); // errors too
      expect(sensors.headers.get('deprecation')).toBeNull();
    });
  });

  describe('POST /api/requestAuthToken (§2.4)', () => {
    it('returns {auth_token, user_id: 1 (integer), status: 200}, a new opaque token each time', async () => {
      const r = await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: sim.password } });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['auth_token', 'status', 'user_id']);
      expect(r.body.user_id).toBe(1);
      expect(Number.isInteger(r.body.user_id)).toBe(true);
      expect(r.body.status).toBe(200);
      expect(typeof r.body.auth_token).toBe('string');
      expect(r.body.auth_token.length).toBeGreaterThanOrEqual(16);
      const again = await login(sim, url);
      expect(again).not.toBe(r.body.auth_token);
      expect(sim.issuedTokens()).toContain(again);
    });

    it('accepts the email case-insensitively', async () => {
      const r = await call(url, '/api/requestAuthToken', { body: { email: sim.email.toUpperCase(), password: sim.password } });
      expect(r.status).toBe(200);
    });

    it('answers an unknown email 404 and a wrong password 401, with `errors` and the status injected', async () => {
      const unknown = await call(url, '/api/requestAuthToken', { body: { email: 'nobody@example.org', password: 'x' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ errors: ["User with email 'nobody@example.org' does not exist"], status: 404 });
      const wrong = await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: 'wrong' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ errors: ['User password does not match.'], status: 401 });
    });

    it('validates a missing password with webargs first: 422 keyed by json (HEAD)', async () => {
      const r = await call(url, '/api/requestAuthToken', { body: { email: sim.email } });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({
        message: { json: { password: ['Missing data for required field.'] } },
        result: 'Rejected',
        status: 'UNPROCESSABLE_ENTITY',
      });
      const none = await call(url, '/api/requestAuthToken', { body: {} });
      expect(none.status).toBe(422);
      expect(Object.keys(none.body.message.json).sort()).toEqual(['email', 'password']);
    });

    it('reads a body that is not JSON as empty: 422 naming both fields, as FlexMeasures 1.0.1 does', async () => {
      const r = await call(url, '/api/requestAuthToken', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=${encodeURIComponent(sim.email)}&password=${sim.password}`,
      });
      expect(r.status).toBe(422);
      const missing = ['Missing data for required field.'];
      expect(r.body).toEqual({
        message: { json: { email: missing, password: missing } },
        result: 'Rejected',
        status: 'UNPROCESSABLE_ENTITY',
      });
      const typed = await call(url, '/api/requestAuthToken', { body: { email: 5, password: 'x' } });
      expect(typed.body.message).toEqual({ json: { email: ['Not a valid string.'] } });
    });

    it('reads the bare token from Authorization and refuses `Bearer <token>` with the exact 401 body', async () => {
      const ok = await call(url, '/api/v3_0/sensors', { token });
      expect(ok.status).toBe(200);
      const bearer = await call(url, '/api/v3_0/sensors', { token: `Bearer ${token}` });
      expect(bearer.status).toBe(401);
      expect(bearer.body).toEqual(FM_401);
      const none = await call(url, '/api/v3_0/sensors/1');
      expect(none.status).toBe(401);
      expect(none.body).toEqual(FM_401);
      const junk = await call(url, '/api/v3_0/assets', { token: 'not-a-token' });
      expect(junk.status).toBe(401);
      expect(junk.body).toEqual(FM_401);
    });

    it(`on a current server, GET /api/v3_0/health/ready is public: {database_sql: true, status: 200} (§4.8)`, async () => {
      const r = await call(url, '/api/v3_0/health/ready');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ database_sql: true, status: 200 });
    });
  });

  describe('GET /api/v3_0/sensors (§4.2, §4.9)', () => {
    it('is a bare array without `status` when no page is asked; public assets are left out', async () => {
      const r = await call(url, '/api/v3_0/sensors', { token });
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body)).toBe(true);
      const ids = (r.body as J[]).map((s) => s.id as number).sort((a, b) => a - b);
      expect(ids).toEqual([...sim.sensorIds('ev'), ...sim.sensorIds('solar')].sort((a, b) => a - b));
      for (const pub of [...sim.sensorIds('price'), ...sim.sensorIds('temperature'), ...sim.sensorIds('wind')])
        expect(ids).not.toContain(pub);
    });

    it('adds the market and weather sensors with include_public_assets=true', async () => {
      const r = await call(url, '/api/v3_0/sensors?include_public_assets=true', { token });
      expect(r.status).toBe(200);
      const ids = (r.body as J[]).map((s) => s.id as number).sort((a, b) => a - b);
      expect(ids).toEqual(sim.sensorIds().sort((a, b) => a - b));
      const names = (r.body as J[]).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['epex_da', 'temperature', 'irradiance', 'wind speed']));
    });

    it('has the Sensor fields: attributes a JSON string, event_resolution ISO, fm1 entity_address', async () => {
      const r = await call(url, '/api/v3_0/sensors?include_public_assets=true', { token });
      const cs1 = (r.body as J[]).find((s) => s.id === 1);
      expect(Object.keys(cs1).sort()).toEqual(
        ['attributes', 'entity_address', 'event_resolution', 'generic_asset_id', 'id', 'name', 'timezone', 'unit'].sort(),
      );
      expect(cs1).toMatchObject({ name: 'CS 1', unit: 'MW', event_resolution: 'PT15M', entity_address: fm1(1), generic_asset_id: 1 });
      expect(typeof cs1.attributes).toBe('string');
      expect(JSON.parse(cs1.attributes)).toEqual({ capacity_in_mw: 0.022 });
      const price = (r.body as J[]).find((s) => s.name === 'epex_da');
      expect(price).toMatchObject({ unit: 'EUR/MWh', event_resolution: 'PT1H', attributes: '{}' });
      for (const s of r.body as J[]) {
        expect(typeof s.attributes).toBe('string');
        expect(s.event_resolution).toMatch(/^PT(15M|1H)$/);
      }
    });

    it('answers the page shape {data, num-records, filtered-records, status: 200} with page/per-page', async () => {
      const r = await call(url, '/api/v3_0/sensors?page=1&per-page=10', { token });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['data', 'filtered-records', 'num-records', 'status']);
      expect(r.body.status).toBe(200);
      expect(r.body.data).toHaveLength(10);
      expect(r.body['num-records']).toBe(sim.sensorIds('ev').length + 1);
      const legacy = await call(url, '/api/v3_0/sensors?page=2&per_page=10', { token });
      expect(legacy.body.data).toHaveLength(10);
      expect(legacy.body.data[0].id).not.toBe(r.body.data[0].id);
    });

    it('walking all pages yields every sensor exactly once', async () => {
      const seen: number[] = [];
      let total = Infinity;
      for (let page = 1; seen.length < total && page < 50; page++) {
        const r = await call(url, `/api/v3_0/sensors?include_public_assets=true&page=${page}&per-page=7`, { token });
        expect(r.status).toBe(200);
        total = r.body['num-records'];
        if (r.body.data.length === 0) break;
        seen.push(...(r.body.data as J[]).map((s) => s.id as number));
      }
      expect(seen).toHaveLength(sim.sensorIds().length);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort((a, b) => a - b)).toEqual(sim.sensorIds().sort((a, b) => a - b));
      // A page past the end is Flask's 404, as FlexMeasures 1.0.1 answers it.
      const beyond = await call(url, '/api/v3_0/sensors?include_public_assets=true&page=99&per-page=7', { token });
      expect(beyond.status).toBe(404);
      expect(beyond.body).toEqual({ message: NOT_FOUND_MESSAGE, status: 404 });
    });

    it('refuses page 0 / per-page 0 with 422 keyed by query, and an unknown account with 404', async () => {
      const r = await call(url, '/api/v3_0/sensors?page=0&per-page=0', { token });
      expect(r.status).toBe(422);
      expect(r.body.status).toBe('UNPROCESSABLE_ENTITY');
      expect(Object.keys(r.body.message.query).sort()).toEqual(['page', 'per-page']);
      const acc = await call(url, '/api/v3_0/sensors?account_id=77', { token });
      expect(acc.status).toBe(404);
      expect(acc.body).toEqual({ message: 'Account 77 not found', status: 404 });
    });
  });

  describe('GET /api/v3_0/sensors/<id> (§4.3)', () => {
    it('returns the Sensor plus status 200', async () => {
      const r = await call(url, '/api/v3_0/sensors/1', { token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        id: 1,
        name: 'CS 1',
        unit: 'MW',
        timezone: expect.any(String),
        event_resolution: 'PT15M',
        entity_address: fm1(1),
        attributes: expect.any(String),
        generic_asset_id: 1,
        status: 200,
      });
    });

    it('answers an unknown id with 422 keyed by path (not 404)', async () => {
      const r = await call(url, '/api/v3_0/sensors/9999', { token });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({
        message: { path: { id: ['No sensor found with ID 9999.'] } },
        result: 'Rejected',
        status: 'UNPROCESSABLE_ENTITY',
      });
      const nan = await call(url, '/api/v3_0/sensors/abc', { token });
      expect(nan.status).toBe(422);
      expect(nan.body.message.path.id).toEqual(['Not a valid integer.']);
    });
  });

  describe('GET /api/v3_0/sensors/<id>/data (§4.4)', () => {
    it('spans the window at the sensor resolution, echoing start, FM-style duration and resolution', async () => {
      const r = await data(1, { start: DAY_BEFORE, duration: 'PT24H', unit: 'MW' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        values: expect.any(Array),
        start: DAY_BEFORE.replace('Z', '+00:00'), // isoformat, as FlexMeasures 1.0.1 echoes it
        duration: 'PT24H', // FM's formatter never prints days (§2.6)
        unit: 'MW',
        resolution: 'PT15M',
        ...PROCESSED,
      });
      expect(r.body.values).toHaveLength(96);
      expect((r.body.values as Array<number | null>).every((v) => typeof v === 'number')).toBe(true);
      // EV chargers are stored as consumption (≤ 0, database sign) and do charge in the evening.
      expect((r.body.values as number[]).every((v) => v <= 0)).toBe(true);
      expect((r.body.values as number[]).some((v) => v < 0)).toBe(true);
    });

    it('answers the same values for the same window (deterministic on a fixed clock)', async () => {
      const a = await data(2, { start: EVENING, duration: 'PT4H', unit: 'MW' });
      const b = await data(2, { start: EVENING, duration: 'PT4H', unit: 'MW' });
      expect(a.body.values).toEqual(b.body.values);
    });

    it('leaves missing events as null, keeping the length (gapRate 0 vs a high gapRate)', async () => {
      const { sim: gappy, url: gUrl } = await startSim({ generation: 'v3_0', gapRate: 0.5 });
      const gTok = await login(gappy, gUrl);
      const params = { start: DAY_BEFORE, duration: 'PT24H', unit: 'MW', type: 'GetMeterDataRequest' };
      const full = await data(3, params);
      const holes = await call(gUrl, `/api/v3_0/sensors/3/data?${qs(params)}`, { token: gTok });
      expect(full.body.values).toHaveLength(96);
      expect(full.body.values).not.toContain(null);
      expect(holes.status).toBe(200);
      expect(holes.body.values).toHaveLength(96);
      const nulls = (holes.body.values as Array<number | null>).filter((v) => v === null).length;
      expect(nulls).toBeGreaterThan(10);
      expect(nulls).toBeLessThan(96);
      // Where the gappy server has a value it is the same measurement.
      (holes.body.values as Array<number | null>).forEach((v, i) => {
        if (v !== null) expect(v).toBe(full.body.values[i]);
      });
    });

    it('gives nulls beyond the generated forecasts (far future) but still spans the window', async () => {
      const r = await data(1, { start: '2026-12-10T00:00:00Z', duration: 'PT2H', unit: 'MW' });
      expect(r.status).toBe(200);
      expect(r.body.values).toEqual([null, null, null, null, null, null, null, null]);
    });

    it('downsamples by averaging: resolution PT1H over a 15-min sensor = mean of 4', async () => {
      const fine = await data(4, { start: EVENING, duration: 'PT4H', unit: 'MW' });
      const coarse = await data(4, { start: EVENING, duration: 'PT4H', unit: 'MW', resolution: 'PT1H' });
      expect(coarse.status).toBe(200);
      expect(coarse.body.resolution).toBe('PT1H');
      expect(coarse.body.values).toHaveLength(4);
      for (let h = 0; h < 4; h++) {
        expect(coarse.body.values[h]).toBeCloseTo(mean(fine.body.values.slice(h * 4, h * 4 + 4)), 6);
      }
    });

    it('converts MW to kW (× 1000)', async () => {
      const mw = await data(5, { start: EVENING, duration: 'PT4H', unit: 'MW' });
      const kw = await data(5, { start: EVENING, duration: 'PT4H', unit: 'kW' });
      expect(kw.status).toBe(200);
      expect(kw.body.unit).toBe('kW');
      expect((mw.body.values as number[]).some((v) => v !== 0)).toBe(true);
      (kw.body.values as number[]).forEach((v, i) => expect(v).toBeCloseTo(mw.body.values[i] * 1000, 6));
    });

    it('refuses an incompatible unit with 422 combined_sensor_data_description._schema', async () => {
      const r = await data(1, { start: DAY_BEFORE, duration: 'PT1H', unit: '°C' });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({
        message: { combined_sensor_data_description: { _schema: ['Required unit for this sensor is MW, got incompatible unit: °C'] } },
        result: 'Rejected',
        status: 'UNPROCESSABLE_ENTITY',
      });
    });

    it('refuses a naive start with "Not a valid aware datetime."', async () => {
      const r = await data(1, { start: '2026-11-19T00:00:00', duration: 'PT1H', unit: 'MW' });
      expect(r.status).toBe(422);
      expect(r.body.message.combined_sensor_data_description.start).toEqual(['Not a valid aware datetime.']);
    });

    it('refuses missing fields and an unknown field; resamples to any resolution as FlexMeasures 1.0.1 does', async () => {
      const missing = await call(url, '/api/v3_0/sensors/1/data', { token });
      expect(missing.status).toBe(422);
      expect(Object.keys(missing.body.message.combined_sensor_data_description).sort()).toEqual(['duration', 'start', 'unit']);
      const unknown = await data(1, { start: DAY_BEFORE, duration: 'PT1H', unit: 'MW', colour: 'red' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.message.combined_sensor_data_description.colour).toEqual(['Unknown field.']);
      // PT10M of a 15-minute sensor: the events at :00 and :30 land on a slot and fill one more; :15 and :45 are lost.
      const native = (await data(1, { start: EVENING, duration: 'PT1H', unit: 'MW' })).body.values as number[];
      const res = await data(1, { start: EVENING, duration: 'PT1H', unit: 'MW', resolution: 'PT10M' });
      expect(res.status).toBe(200);
      expect(res.body.values).toEqual([native[0], native[0], null, native[2], native[2], null]);
      // PT20M: the mean of the events starting in each slot.
      const twenty = await data(1, { start: EVENING, duration: 'PT1H', unit: 'MW', resolution: 'PT20M' });
      expect(twenty.body.values).toEqual([(native[0]! + native[1]!) / 2, native[2], native[3]].map((v) => Math.round(v! * 1e6) / 1e6));
      // A start off the sensor's grid matches no event.
      const off = await data(1, { start: '2026-11-19T17:07:00Z', duration: 'PT1H', unit: 'MW' });
      expect(off.body.values).toEqual([null, null, null, null]);
    });

    it('answers an unknown sensor with 404 {"message":"Sensor 999 not found","status":404}', async () => {
      const r = await data(999, { start: DAY_BEFORE, duration: 'PT1H', unit: 'MW' });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: 'Sensor 999 not found', status: 404 });
    });

    it('parses a `+` sent unescaped in start (it arrives as a space)', async () => {
      const escaped = await data(1, { start: '2026-11-19T18:00:00+01:00', duration: 'PT1H', unit: 'MW' });
      const raw = await call(url, '/api/v3_0/sensors/1/data?start=2026-11-19T18:00:00+01:00&duration=PT1H&unit=MW', { token });
      expect(raw.status).toBe(200);
      expect(raw.body.values).toHaveLength(4);
      expect(raw.body.values).toEqual(escaped.body.values);
      const utc = await data(1, { start: EVENING, duration: 'PT1H', unit: 'MW' });
      expect(raw.body.values).toEqual(utc.body.values);
    });

    it('reads the hourly price sensor at PT1H in EUR/MWh and converts to EUR/kWh', async () => {
      const price = sim.sensorIds('price')[0]!;
      const r = await data(price, { start: DAY_BEFORE, duration: 'PT24H', unit: 'EUR/MWh' });
      expect(r.status).toBe(200);
      expect(r.body.resolution).toBe('PT1H');
      expect(r.body.values).toHaveLength(24);
      for (const v of r.body.values as number[]) expect(v).toBeGreaterThanOrEqual(30);
      const kwh = await data(price, { start: DAY_BEFORE, duration: 'PT24H', unit: 'EUR/kWh' });
      (kwh.body.values as number[]).forEach((v, i) => expect(v).toBeCloseTo(r.body.values[i] / 1000, 6));
    });

    it(`GetPrognosisRequest with a horizon gives forecasts, GetMeterDataRequest measurements`, async () => {
      const meter = await data(6, { start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetMeterDataRequest' });
      const prog = await data(6, { start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetPrognosisRequest', horizon: 'PT6H' });
      expect(prog.status).toBe(200);
      expect(prog.body.values).toHaveLength(16);
      expect(prog.body.values).not.toContain(null);
      expect(prog.body.values).not.toEqual(meter.body.values);
      const tooFar = await data(6, { start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetPrognosisRequest', horizon: 'PT48H' });
      expect(tooFar.body.values).toEqual(new Array(16).fill(null));
      const badType = await data(6, { start: EVENING, duration: 'PT1H', unit: 'MW', type: 'GetNothing' });
      expect(badType.status).toBe(422);
      expect(badType.body.message.combined_sensor_data_description.type[0]).toMatch(/^Must be one of: /);
    });
  });

  describe('GET /api/v3_0/assets (§4.7)', () => {
    it('is a bare array of the account’s assets, plus the public ones with include_public=true', async () => {
      const own = await call(url, '/api/v3_0/assets', { token });
      expect(own.status).toBe(200);
      expect(Array.isArray(own.body)).toBe(true);
      expect((own.body as J[]).every((a) => a.account_id === 1)).toBe(true);
      const all = await call(url, '/api/v3_0/assets?include_public=true', { token });
      const pub = (all.body as J[]).filter((a) => a.account_id === null);
      expect(pub.map((a) => a.generic_asset_type.name).sort()).toEqual(['day_ahead', 'weather_station']);
      expect(all.body).toHaveLength(own.body.length + 2);
    });

    it('is paginated with page, and has string JSON fields', async () => {
      const r = await call(url, '/api/v3_0/assets?page=1&per-page=5', { token });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['data', 'filtered-records', 'num-records', 'status']);
      expect(r.body.data).toHaveLength(5);
      expect(r.body.status).toBe(200);
      for (const a of r.body.data as J[]) {
        for (const k of ['attributes', 'sensors_to_show', 'flex_context', 'flex_model', 'sensors_to_show_as_kpis'])
          expect(typeof a[k]).toBe('string');
      }
    });

    it('GET /assets/<id> adds status 200; an unknown id is 404 "No asset found with ID <id>."', async () => {
      const hub = await call(url, '/api/v3_0/assets/100', { token });
      expect(hub.status).toBe(200);
      expect(hub.body).toMatchObject({ id: 100, account_id: 1, owner: { id: 1 }, parent_asset_id: null, status: 200 });
      expect(hub.body.child_assets.length).toBeGreaterThan(0);
      const missing = await call(url, '/api/v3_0/assets/8171766575', { token });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ message: 'No asset found with ID 8171766575.', status: 404 });
    });

    it('GET /assets/<id>/sensors is always paginated', async () => {
      const all = await call(url, '/api/v3_0/assets?include_public=true', { token });
      const station = (all.body as J[]).find((a) => a.generic_asset_type.name === 'weather_station');
      const r = await call(url, `/api/v3_0/assets/${station.id}/sensors`, { token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ data: expect.any(Array), 'num-records': 3, 'filtered-records': 3, status: 200 });
      expect((r.body.data as J[]).map((s) => s.name).sort()).toEqual(['irradiance', 'temperature', 'wind speed']);
      const page = await call(url, `/api/v3_0/assets/${station.id}/sensors?page=2&per-page=2`, { token });
      expect(page.body.data).toHaveLength(1);
      expect(page.body['num-records']).toBe(3);
      const missing = await call(url, '/api/v3_0/assets/999999/sensors', { token });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ message: 'No asset found with ID 999999.', status: 404 });
    });
  });

  describe('POST /api/v3_0/sensors/<id>/data (§4.5)', () => {
    it('PROCESSED, then ALREADY_RECEIVED (200, `results`), then INVALID_REPLACEMENT (403) for a changed value', async () => {
      const body = { values: [-0.01, -0.011, -0.012, -0.013], start: '2026-11-18T00:00:00Z', duration: 'PT1H', unit: 'MW' };
      const first = await post(7, body);
      expect(first.status).toBe(200);
      expect(first.body).toEqual(PROCESSED);
      const again = await post(7, body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ results: 'PROCESSED', status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED', message: ALREADY_MESSAGE });
      expect(again.body).not.toHaveProperty('result');
      const changed = await post(7, { ...body, values: [-0.01, -0.011, -0.012, -0.02] });
      expect(changed.status).toBe(403);
      expect(changed.body).toEqual({ results: 'Rejected', status: 'INVALID_REPLACEMENT', message: REPLACEMENT_V3 });
      // Nothing of the refused request was stored.
      const back = await data(7, { start: '2026-11-18T00:00:00Z', duration: 'PT1H', unit: 'MW' });
      expect(back.body.values).toEqual([-0.01, -0.011, -0.012, -0.013]);
    });

    it('reads written values back through GET (also converted), and stores them at their event starts', async () => {
      const start = Date.parse('2026-11-18T02:00:00Z');
      const r = await post(8, { values: [-5, -6, -7, -8], start: '2026-11-18T02:00:00Z', duration: 'PT1H', unit: 'kW' });
      expect(r.status).toBe(200);
      const back = await data(8, { start: '2026-11-18T02:00:00Z', duration: 'PT1H', unit: 'kW' });
      expect(back.body.values).toEqual([-5, -6, -7, -8]);
      const stored = sim.stored(8);
      expect([...stored.keys()].sort()).toEqual([0, 1, 2, 3].map((i) => start + i * 15 * MIN));
      expect(stored.get(start)![0]!.value).toBeCloseTo(-0.005, 9);
    });

    it('upsamples: 2 × 30-min values into a 15-min sensor → 4 events', async () => {
      const r = await post(9, { values: [-0.004, -0.008], start: '2026-11-18T04:00:00Z', duration: 'PT1H', unit: 'MW' });
      expect(r.status).toBe(200);
      expect(sim.stored(9).size).toBe(4);
      const back = await data(9, { start: '2026-11-18T04:00:00Z', duration: 'PT1H', unit: 'MW' });
      expect(back.body.values).toEqual([-0.004, -0.004, -0.008, -0.008]);
    });

    it("downsamples by averaging: 6 × 5-min into 2 events; the public market is not the account's to write", async () => {
      const price = sim.sensorIds('price')[0]!;
      const r = await post(price, { values: [10, 20, 30, 40], start: '2026-11-18T06:00:00Z', duration: 'PT1H', unit: 'EUR/MWh' });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({
        message: 'You cannot be authorized for this content or functionality.',
        result: 'Rejected',
        status: 'INVALID_SENDER',
      });
      const ev = await post(10, { values: [-1, -2, -3, -4, -5, -6], start: '2026-11-18T06:00:00Z', duration: 'PT30M', unit: 'kW' });
      expect(ev.status).toBe(200);
      const evBack = await data(10, { start: '2026-11-18T06:00:00Z', duration: 'PT30M', unit: 'kW' });
      expect(evBack.body.values).toEqual([-2, -5]);
    });

    it('floors start to the sensor resolution', async () => {
      const r = await post(11, { values: [-0.003], start: '2026-11-18T08:04:40Z', duration: 'PT15M', unit: 'MW' });
      expect(r.status).toBe(200);
      expect([...sim.stored(11).keys()]).toEqual([Date.parse('2026-11-18T08:00:00Z')]);
    });

    it('refuses an incompatible resolution with Python timedelta text (0:04:10)', async () => {
      const r = await post(12, { values: new Array(12).fill(-0.001), start: '2026-11-18T00:00:00Z', duration: 'PT50M', unit: 'MW' });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({
        message: {
          combined_sensor_data_description: {
            _schema: ["Resolution of 0:04:10 is incompatible with the sensor's required resolution of 0:15:00."],
          },
        },
        result: 'Rejected',
        status: 'UNPROCESSABLE_ENTITY',
      });
      expect(sim.stored(12).size).toBe(0);
    });

    it('PostMeterDataRequest with a future horizon → 422 "Meter data must lie in the past."', async () => {
      const r = await post(12, {
        values: [-0.001],
        start: '2026-11-18T00:00:00Z',
        duration: 'PT15M',
        unit: 'MW',
        type: 'PostMeterDataRequest',
        horizon: 'PT1H',
      });
      expect(r.status).toBe(422);
      expect(r.body.message.combined_sensor_data_description._schema).toEqual(['Meter data must lie in the past.']);
      // Without a horizon the belief time is now: a window in the future is not meter data either.
      const future = await post(12, {
        values: [-0.001],
        start: '2026-11-21T00:00:00Z',
        duration: 'PT15M',
        unit: 'MW',
        type: 'PostMeterDataRequest',
      });
      expect(future.status).toBe(422);
      const prog = await post(12, {
        values: [-0.001],
        start: '2026-11-18T00:00:00Z',
        duration: 'PT15M',
        unit: 'MW',
        type: 'PostPrognosisRequest',
      });
      expect(prog.status).toBe(422);
      expect(prog.body.message.combined_sensor_data_description._schema).toEqual(['Prognoses must lie in the future.']);
      expect(sim.stored(12).size).toBe(0);
    });

    it('validates the body: incompatible unit, missing fields, unknown type, unknown sensor', async () => {
      const unit = await post(13, { values: [1], start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'm/s' });
      expect(unit.status).toBe(422);
      expect(unit.body.message.combined_sensor_data_description._schema).toEqual([
        'Required unit for this sensor is MW, got incompatible unit: m/s',
      ]);
      const missing = await post(13, {});
      expect(missing.status).toBe(422);
      // FlexMeasures 1.0.1 checks the description first; `values` only once start, duration and unit are whole.
      expect(Object.keys(missing.body.message.combined_sensor_data_description).sort()).toEqual(['duration', 'start', 'unit']);
      const noValues = await post(13, { start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'MW' });
      expect(noValues.body.message.combined_sensor_data_description).toEqual({ values: ['Missing data for required field.'] });
      const type = await post(13, { values: [1], start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'MW', type: 'PostNothing' });
      expect(type.status).toBe(422);
      expect(type.body.message.combined_sensor_data_description.type[0]).toMatch(
        /^Must be one of: PostSensorDataRequest, PostMeterDataRequest/,
      );
      const unknown = await post(999, { values: [1], start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'MW' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ message: 'Sensor 999 not found', status: 404 });
      expect(sim.stored(13).size).toBe(0);
    });

    it('needs a token (401 exact body)', async () => {
      const r = await call(url, '/api/v3_0/sensors/13/data', {
        body: { values: [1], start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'MW' },
      });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(FM_401);
    });
  });

  describe('sunset of v1_1 on a current server (§1.2)', () => {
    it('every v1_1 route answers 410 with the exact sunset body', async () => {
      for (const [route, method] of V1_ROUTES) {
        const r = await call(url, `/api/v1_1/${route}`, { method, token, body: method === 'POST' ? { type: 'X' } : undefined });
        expect(r.status, route).toBe(410);
        expect(r.body, route).toEqual(SUNSET_410);
        expect(sim.requests(route).at(-1)?.status, route).toBe(410);
      }
    });

    it('410 also without a token', async () => {
      const r = await call(url, '/api/v1_1/getMeterData?type=GetMeterDataRequest');
      expect(r.status).toBe(410);
      expect(r.body).toEqual(SUNSET_410);
    });
  });
});

// =============================================================================================
// v1_1 generation (v0.12.3)
// =============================================================================================

describe('v1_1 generation (v0.12.3)', () => {
  let sim: FlexMeasuresSimulator;
  let url: string;
  let token: string;
  // A current server with the same portfolio and generator: the same stored values in database sign.
  let twin: FlexMeasuresSimulator;
  let twinUrl: string;
  let twinToken: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ generation: 'v1_1', chargers: 4 }));
    ({ sim: twin, url: twinUrl } = await startSim({ generation: 'v3_0', chargers: 4 }));
    [token, twinToken] = await Promise.all([login(sim, url), login(twin, twinUrl)]);
  });

  /** `tok`: the session token by default, null for none. */
  const v1get = (route: string, params: Array<[string, string]> | Record<string, string>, tok: string | null = token) =>
    call(url, `/api/v1_1/${route}?${qs(params)}`, { token: tok ?? undefined });
  const v1post = (route: string, body: unknown, tok: string | null = token) =>
    call(url, `/api/v1_1/${route}`, { token: tok ?? undefined, body });
  const meter = (connections: string[], extra: Record<string, string> = {}) =>
    v1get('getMeterData', [
      ['type', 'GetMeterDataRequest'],
      ...connections.map((c): [string, string] => ['connection', c]),
      ['start', extra.start ?? EVENING],
      ['duration', extra.duration ?? 'PT4H'],
      ['unit', 'MW'],
      ...Object.entries(extra).filter(([k]) => k !== 'start' && k !== 'duration'),
    ]);
  const twinValues = async (id: number, params: Record<string, string>): Promise<Array<number | null>> => {
    const r = await call(twinUrl, `/api/v3_0/sensors/${id}/data?${qs(params)}`, { token: twinToken });
    expect(r.status).toBe(200);
    return r.body.values as Array<number | null>;
  };

  describe('GET /api, token and headers', () => {
    it('lists the v0.12.3 versions and message with status 200', async () => {
      const r = await call(url, '/api/');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        flexmeasures_version: '0.12.3',
        message:
          'For these API versions a public endpoint is available, listing its service. For example: /api/v2_0/getService and /api/v3_0/getService. An authentication token can be requested at: /api/requestAuthToken',
        status: 200,
        versions: ['v1', 'v1_1', 'v1_2', 'v1_3', 'v2_0', 'v3_0'],
      });
    });

    it('adds Deprecation/Sunset/Link to every v1_1 response, errors included, and no API-Version', async () => {
      for (const r of [await v1get('getService', {}), await v1get('getMeterData', {}, null), await v1get('getMeterData', {})]) {
        expect(r.headers.get('deprecation')).toBe('Tue, 13 Dec 2022 23:59:59 GMT');
        expect(r.headers.get('sunset')).toBe('Tue, 31 Jan 2023 23:59:59 GMT');
        const link = r.headers.get('link') ?? '';
        expect(link).toContain('<https://flexmeasures.readthedocs.io/en/latest/api/v1_1.html>; rel="deprecation"; type="text/html"');
        expect(link).toContain('<https://flexmeasures.readthedocs.io/en/latest/api/v1_1.html>; rel="sunset"; type="text/html"');
        expect(r.headers.get('api-version')).toBeNull();
      }
      const v3 = await call(url, '/api/v3_0/sensors', { token });
      expect(v3.headers.get('deprecation')).toBeNull();
      expect(v3.headers.get('api-version')).toBeNull();
    });

    it('answers a missing password with HTTP 200 and `errors` (the v0.12 bug)', async () => {
      const r = await call(url, '/api/requestAuthToken', { body: { email: sim.email } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ errors: ["Please provide the 'password' parameter."], status: 200 });
      expect(r.body).not.toHaveProperty('auth_token');
      const noEmail = await call(url, '/api/requestAuthToken', { body: { password: 'x' } });
      expect(noEmail.status).toBe(400);
      expect(noEmail.body).toEqual({ errors: ["Please provide the 'email' parameter."], status: 400 });
    });

    it('answers unknown email 404, wrong password 401, non-JSON 400, success with an integer user_id', async () => {
      expect((await call(url, '/api/requestAuthToken', { body: { email: 'x@y.z', password: 'p' } })).body).toEqual({
        errors: ["User with email 'x@y.z' does not exist"],
        status: 404,
      });
      const wrong = await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: 'nope' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ errors: ['User password does not match.'], status: 401 });
      const text = await call(url, '/api/requestAuthToken', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
      expect(text.status).toBe(400);
      expect(text.body).toEqual({ errors: ['Content-type of request must be application/json'], status: 400 });
      const ok = await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: sim.password } });
      expect(ok.body).toEqual({ auth_token: expect.any(String), user_id: 1, status: 200 });
    });

    it('refuses `Bearer <token>` on v1_1 routes with the 401 body plus `type`', async () => {
      const r = await v1get('getMeterData', { type: 'GetMeterDataRequest' }, `Bearer ${token}`);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ ...FM_401, type: 'GetMeterDataResponse' });
      const post = await v1post('postMeterData', { type: 'PostMeterDataRequest' }, null);
      expect(post.status).toBe(401);
      expect(post.body).toEqual({ ...FM_401, type: 'PostMeterDataResponse' });
    });
  });

  describe('v3_0 as v0.12 serves it (§4.2 [v0.12])', () => {
    it('GET /sensors is a bare list without id or attributes, resolutions in integer minutes, even with page', async () => {
      for (const path of ['/api/v3_0/sensors', '/api/v3_0/sensors?page=1&per-page=2']) {
        const r = await call(url, path, { token });
        expect(r.status).toBe(200);
        expect(Array.isArray(r.body)).toBe(true);
        expect(r.body.length).toBeGreaterThan(2);
        for (const s of r.body as J[]) {
          expect(s).not.toHaveProperty('id');
          expect(s).not.toHaveProperty('attributes');
          expect(Number.isInteger(s.event_resolution)).toBe(true);
        }
        expect((r.body as J[]).find((s) => s.name === 'CS 1')?.event_resolution).toBe(15);
      }
    });

    it('has no /sensors/<id>/data (404 with status 404) and no /sensors/<id>', async () => {
      const get = await call(url, `/api/v3_0/sensors/1/data?${qs({ start: DAY_BEFORE, duration: 'PT1H', unit: 'MW' })}`, { token });
      expect(get.status).toBe(404);
      expect(get.body).toEqual({ message: NOT_FOUND_MESSAGE, status: 404 });
      const post = await call(url, '/api/v3_0/sensors/1/data', {
        token,
        body: { values: [1], start: DAY_BEFORE, duration: 'PT15M', unit: 'MW' },
      });
      expect(post.status).toBe(404);
      const one = await call(url, '/api/v3_0/sensors/1', { token });
      expect(one.status).toBe(404);
    });

    it('GET /assets is a bare list, even with page', async () => {
      const r = await call(url, '/api/v3_0/assets?page=1', { token });
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body)).toBe(true);
    });
  });

  describe('GET getService and getConnection (§3.3, §3.4)', () => {
    it('getService needs no auth and lists the 7 services with type GetServiceResponse', async () => {
      const r = await v1get('getService', {}, null);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ version: '1.1', ...PROCESSED, type: 'GetServiceResponse' });
      expect((r.body.services as J[]).map((s) => s.name)).toEqual([
        'getConnection',
        'getMeterData',
        'postMeterData',
        'getPrognosis',
        'postPrognosis',
        'postPriceData',
        'postWeatherData',
      ]);
      for (const s of r.body.services as J[]) {
        expect(s.access).toEqual(ROLES);
        expect(typeof s.description).toBe('string');
      }
      expect(r.body.services[0].description).toBe('Request entity addresses of connections');
      const prosumer = await v1get('getService', { access: 'Prosumer' }, null);
      expect(prosumer.body.services).toHaveLength(7);
    });

    it('getService with an unknown role → 400 INVALID_ROLE', async () => {
      const r = await v1get('getService', { access: 'Wizard' }, null);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        result: 'Rejected',
        status: 'INVALID_ROLE',
        message: 'No known services for specified role Wizard.',
        type: 'GetServiceResponse',
      });
    });

    it('getConnection: fm1 addresses of the power sensors ordered by id descending, names, status 200, type', async () => {
      const r = await v1get('getConnection', { type: 'GetConnectionRequest' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        connections: [fm1(5), fm1(4), fm1(3), fm1(2), fm1(1)],
        names: ['Solar park Oostende', 'CS 4', 'CS 3', 'CS 2', 'CS 1'],
        status: 200,
        type: 'GetConnectionResponse',
      });
      const noType = await v1get('getConnection', {});
      expect(noType.status).toBe(200); // no type_accepted on this route
    });

    it('getConnection needs a token (401 with type)', async () => {
      const r = await v1get('getConnection', {}, null);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ ...FM_401, type: 'GetConnectionResponse' });
    });
  });

  describe('GET getMeterData (§3.5)', () => {
    it('names the one series by sensor NAME under the plural key as a string, USEF sign, echoes the request', async () => {
      const r = await meter([fm1(1)]);
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(
        ['connections', 'duration', 'message', 'start', 'status', 'type', 'unit', 'values'].sort(),
      );
      expect(r.body).toMatchObject({
        connections: 'CS 1',
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
        ...PROCESSED,
        type: 'GetMeterDataResponse',
      });
      expect(r.body.values).toHaveLength(16);
      expect((r.body.values as number[]).every((v) => typeof v === 'number' && v >= 0)).toBe(true);
      expect((r.body.values as number[]).some((v) => v > 0)).toBe(true);
    });

    it('flips the database sign: EV charging stored negative comes back positive (same values as v3_0)', async () => {
      const r = await meter([fm1(2)]);
      const stored = await twinValues(2, { start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetMeterDataRequest' });
      expect(stored.some((v) => v !== null && v < 0)).toBe(true);
      expect(r.body.values).toEqual(stored.map((v) => neg(v as number)));
    });

    it('repeated `connection` keys with different series → `groups`, each with a lone name', async () => {
      const r = await meter([fm1(1), fm1(2)]);
      expect(r.status).toBe(200);
      expect(r.body).not.toHaveProperty('values');
      expect(r.body.groups).toHaveLength(2);
      expect((r.body.groups as J[]).map((g) => g.connections)).toEqual(['CS 1', 'CS 2']);
      const one = await meter([fm1(1)]);
      const two = await meter([fm1(2)]);
      expect(r.body.groups[0].values).toEqual(one.body.values);
      expect(r.body.groups[1].values).toEqual(two.body.values);
      expect(r.body).toMatchObject({ start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetMeterDataResponse' });
    });

    it('a JSON array string `connections=[...]` is read like repeated keys', async () => {
      const repeated = await meter([fm1(1), fm1(2)]);
      const asJson = await v1get('getMeterData', {
        type: 'GetMeterDataRequest',
        connections: JSON.stringify([fm1(1), fm1(2)]),
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
      });
      expect(asJson.status).toBe(200);
      expect(asJson.body).toEqual(repeated.body);
    });

    it('identical series merge under one plural key holding the list of names', async () => {
      // A window in the future has no measurements at all: both series are [] and merge.
      const r = await meter([fm1(3), fm1(4)], { start: '2026-11-25T00:00:00Z', duration: 'PT1H' });
      expect(r.status).toBe(200);
      expect(r.body.connections).toEqual(['CS 3', 'CS 4']);
      expect(r.body.values).toEqual([]);
    });

    it('leaves missing events OUT (no nulls): a high gapRate gives fewer values', async () => {
      const { sim: gappy, url: gUrl } = await startSim({ generation: 'v1_1', chargers: 4, gapRate: 0.5 });
      const gTok = await login(gappy, gUrl);
      const full = await meter([fm1(1)], { start: DAY_BEFORE, duration: 'PT24H' });
      const holes = await call(
        gUrl,
        `/api/v1_1/getMeterData?${qs({ type: 'GetMeterDataRequest', connection: fm1(1), start: DAY_BEFORE, duration: 'PT24H', unit: 'MW' })}`,
        { token: gTok },
      );
      expect(holes.status).toBe(200);
      expect(full.body.values).toHaveLength(96);
      expect(holes.body.values.length).toBeLessThan(86);
      expect(holes.body.values.length).toBeGreaterThan(0);
      expect(holes.body.values).not.toContain(null);
    });

    it('echoes the duration in isodate form: PT24H → "P1D"', async () => {
      const r = await meter([fm1(1)], { start: DAY_BEFORE, duration: 'PT24H' });
      expect(r.body.duration).toBe('P1D');
      expect(r.body.start).toBe(DAY_BEFORE);
      expect(r.body.values).toHaveLength(96);
    });

    it('downsamples with a resolution that is a multiple of the sensor’s (mean, USEF sign)', async () => {
      const fine = await meter([fm1(1)]);
      const coarse = await meter([fm1(1)], { resolution: 'PT1H' });
      expect(coarse.status).toBe(200);
      expect(coarse.body.values).toHaveLength(4);
      for (let h = 0; h < 4; h++) expect(coarse.body.values[h]).toBeCloseTo(mean(fine.body.values.slice(h * 4, h * 4 + 4)), 5);
    });

    it('resolves `…:fm1.4`, `…:3:4`, `…:fm0.3:4` and `…:4` all to sensor 4 (CS 4)', async () => {
      const answers = await Promise.all(
        [fm1(4), `${AUTHORITY}:3:4`, `${AUTHORITY}:fm0.3:4`, 'ea1.2018-06.localhost:4'].map((ea) => meter([ea])),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.body.connections).toBe('CS 4');
        expect(a.body.values).toEqual(answers[0]!.body.values);
      }
    });
  });

  describe('the v1_1 GET error catalogue (§3.11)', () => {
    const base: Record<string, string> = { type: 'GetMeterDataRequest', connection: fm1(1), start: EVENING, duration: 'PT1H', unit: 'MW' };
    const without = (k: string): Record<string, string> => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k));
    const cases: Array<[string, Record<string, string>, string]> = [
      ['NO_MESSAGE_TYPE', without('type'), "Request message should include 'type'."],
      ['INVALID_MESSAGE_TYPE', { ...base, type: 'GetMeterDataRequests' }, "Request message should specify type 'GetMeterDataRequest'."],
      ['INVALID_UNIT', { ...base, unit: 'kW' }, 'Data for power should be given in MW.'],
      ['UNRECOGNIZED_CONNECTION_GROUP', without('connection'), 'One or more connections in your request were not found in your account.'],
      ['INVALID_PERIOD', without('duration'), "A time period in your request doesn't seem right."],
      ['INVALID_TIMEZONE', { ...base, start: '2026-11-19T17:00:00' }, 'Start time should explicitly state a timezone.'],
      [
        'INVALID_HORIZON',
        { ...base, horizon: 'PT1H' },
        'The horizon field in your request could not be parsed. Meter data must have a zero or negative horizon to indicate observations after the fact.',
      ],
      [
        'INVALID_RESOLUTION',
        { ...base, resolution: 'PT10M' },
        'Only the following resolutions in the data are supported: PT15M or a multiple hereof.',
      ],
    ];
    it.each(cases)('%s → 400 with the exact message and type', async (status, params, message) => {
      const r = await v1get('getMeterData', params);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ result: 'Rejected', status, message, type: 'GetMeterDataResponse' });
    });

    it('an unparseable horizon or resolution string, an unknown and an unparseable connection', async () => {
      const h = await v1get('getMeterData', { ...base, horizon: 'T6H' });
      expect(h.body).toMatchObject({ status: 'INVALID_HORIZON', message: 'The horizon field in your request could not be parsed.' });
      const res = await v1get('getMeterData', { ...base, resolution: '15M' });
      expect(res.body).toMatchObject({
        status: 'INVALID_RESOLUTION',
        message: 'The resolution string cannot be parsed as ISO8601 duration: 15M',
      });
      const unknown = await v1get('getMeterData', { ...base, connection: fm1(999) });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ status: 'UNRECOGNIZED_CONNECTION_GROUP', type: 'GetMeterDataResponse' });
      const bad = await v1get('getMeterData', { ...base, connection: 'Non-existing asset 1' });
      expect(bad.status).toBe(400);
      expect(bad.body.status).toBe('INVALID_DOMAIN');
      expect(bad.body.type).toBe('GetMeterDataResponse');
      expect(bad.body.message).toMatch(
        /^Connections, sensors and markets should be identified using the EA1 addressing scheme recommended by USEF\. .* A valid type 1 USEF entity address starts with 'ea1', please review Non-existing asset 1$/,
      );
    });

    it('a negative horizon is accepted on meter data', async () => {
      const r = await v1get('getMeterData', { ...base, horizon: '-PT10M' });
      expect(r.status).toBe(200);
    });
  });

  describe('GET getPrognosis (§3.6)', () => {
    it('returns the forecasts made at least `horizon` ahead, in USEF sign', async () => {
      const r = await v1get('getPrognosis', {
        type: 'GetPrognosisRequest',
        connection: fm1(2),
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
        horizon: 'PT6H',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        connections: 'CS 2',
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
        ...PROCESSED,
        type: 'GetPrognosisResponse',
      });
      const stored = await twinValues(2, { start: EVENING, duration: 'PT4H', unit: 'MW', type: 'GetPrognosisRequest', horizon: 'PT6H' });
      expect(r.body.values).toEqual(stored.map((v) => neg(v as number)));
      const meterValues = (await meter([fm1(2)])).body.values;
      expect(r.body.values).not.toEqual(meterValues);
    });

    it('has nothing made further ahead than the generated forecasts, and checks its own type', async () => {
      const r = await v1get('getPrognosis', {
        type: 'GetPrognosisRequest',
        connection: fm1(2),
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
        horizon: 'PT48H',
      });
      expect(r.status).toBe(200);
      expect(r.body.values).toEqual([]);
      const wrong = await v1get('getPrognosis', {
        type: 'GetMeterDataRequest',
        connection: fm1(2),
        start: EVENING,
        duration: 'PT4H',
        unit: 'MW',
      });
      expect(wrong.body).toEqual({
        result: 'Rejected',
        status: 'INVALID_MESSAGE_TYPE',
        message: "Request message should specify type 'GetPrognosisRequest'.",
        type: 'GetPrognosisResponse',
      });
    });
  });

  describe('POST postMeterData (§3.7, §3.12)', () => {
    const msg = (extra: Record<string, unknown> = {}) => ({
      type: 'PostMeterDataRequest',
      connection: fm1(1),
      values: [0.011, 0.011, 0.022, 0],
      start: '2026-11-18T00:00:00Z',
      duration: 'PT1H',
      unit: 'MW',
      ...extra,
    });

    it('PROCESSED, re-post ALREADY_RECEIVED (200, `results`), changed value 403 INVALID_REPLACEMENT', async () => {
      const first = await v1post('postMeterData', msg());
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ ...PROCESSED, type: 'PostMeterDataResponse' });
      const again = await v1post('postMeterData', msg());
      expect(again.status).toBe(200);
      expect(again.body).toEqual({
        results: 'PROCESSED',
        status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED',
        message: ALREADY_MESSAGE,
        type: 'PostMeterDataResponse',
      });
      const changed = await v1post('postMeterData', msg({ values: [0.011, 0.011, 0.022, 0.005] }));
      expect(changed.status).toBe(403);
      expect(changed.body).toEqual({
        results: 'Rejected',
        status: 'INVALID_REPLACEMENT',
        message: REPLACEMENT_V1,
        type: 'PostMeterDataResponse',
      });
    });

    it('stores the database sign and reads back through getMeterData in USEF sign', async () => {
      const t0 = Date.parse('2026-11-18T00:00:00Z');
      expect(sim.stored(1).get(t0)?.[0]?.value).toBe(-0.011);
      const back = await meter([fm1(1)], { start: '2026-11-18T00:00:00Z', duration: 'PT1H' });
      expect(back.body.values).toEqual([0.011, 0.011, 0.022, 0]);
    });

    it('accepts groups with singular and plural keys (fm0 addresses too)', async () => {
      const r = await v1post('postMeterData', {
        type: 'PostMeterDataRequest',
        groups: [
          { connections: [fm1(2), `${AUTHORITY}:fm0.3:3`], values: [0.001, 0.002, 0.003, 0.004] },
          { connection: fm1(4), values: [0.004, 0.003, 0.002, 0.001] },
        ],
        start: '2026-11-18T01:00:00Z',
        duration: 'PT1H',
        unit: 'MW',
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('PROCESSED');
      const back = await meter([fm1(2), fm1(3), fm1(4)], { start: '2026-11-18T01:00:00Z', duration: 'PT1H' });
      expect(back.body.groups).toEqual([
        { connections: ['CS 2', 'CS 3'], values: [0.001, 0.002, 0.003, 0.004] },
        { connections: 'CS 4', values: [0.004, 0.003, 0.002, 0.001] },
      ]);
    });

    it('upsamples when the inferred resolution is a multiple of 15 min (2 values over PT1H → 4 events)', async () => {
      const r = await v1post('postMeterData', msg({ connection: fm1(2), values: [0.005, 0.007], start: '2026-11-18T03:00:00Z' }));
      expect(r.status).toBe(200);
      const back = await meter([fm1(2)], { start: '2026-11-18T03:00:00Z', duration: 'PT1H' });
      expect(back.body.values).toEqual([0.005, 0.005, 0.007, 0.007]);
    });

    it('INVALID_RESOLUTION otherwise (20-min and finer 7.5-min data: v1_1 never downsamples)', async () => {
      for (const values of [[0.001, 0.002, 0.003], new Array(8).fill(0.001)]) {
        const r = await v1post('postMeterData', msg({ connection: fm1(3), values, start: '2026-11-18T05:00:00Z' }));
        expect(r.status).toBe(400);
        expect(r.body).toEqual({
          result: 'Rejected',
          status: 'INVALID_RESOLUTION',
          message: 'Only the following resolutions in the data are supported: PT15M',
          type: 'PostMeterDataResponse',
        });
      }
    });

    it('POWER_VALUE_TOO_SMALL for a negative value to a charging station (pure consumer); TOO_BIG for a positive one to the solar park', async () => {
      const small = await v1post('postMeterData', msg({ connection: fm1(3), values: [-0.01, 0, 0, 0], start: '2026-11-18T06:00:00Z' }));
      expect(small.status).toBe(400);
      expect(small.body).toEqual({
        result: 'Rejected',
        status: 'POWER_VALUE_TOO_SMALL',
        message: `One or more power values are too small. Connection ${fm1(3)} is registered as a pure consumer and can only receive non-negative values.`,
        type: 'PostMeterDataResponse',
      });
      const big = await v1post('postMeterData', msg({ connection: fm1(5), values: [1, 0, 0, 0], start: '2026-11-18T06:00:00Z' }));
      expect(big.status).toBe(400);
      expect(big.body.status).toBe('POWER_VALUE_TOO_BIG');
      expect(sim.stored(5).size).toBe(0);
    });

    it('refuses a positive horizon, another unit, null values and a missing connection', async () => {
      const h = await v1post('postMeterData', msg({ horizon: 'PT1H' }));
      expect(h.body).toMatchObject({ status: 'INVALID_HORIZON', type: 'PostMeterDataResponse' });
      const u = await v1post('postMeterData', msg({ unit: 'kW' }));
      expect(u.body).toEqual({
        result: 'Rejected',
        status: 'INVALID_UNIT',
        message: 'Data for power should be given in MW.',
        type: 'PostMeterDataResponse',
      });
      const n = await v1post('postMeterData', msg({ values: [0.1, null, 0.1, 0.1] }));
      expect(n.body).toMatchObject({
        status: 'PTUS_INCOMPLETE',
        message: 'Missing values. Request includes empty or ill-formatted value(s).',
      });
      const c = await v1post('postMeterData', { ...msg(), connection: undefined });
      expect(c.body).toMatchObject({ status: 'UNRECOGNIZED_CONNECTION_GROUP' });
      const t = await v1post('postMeterData', { ...msg(), type: undefined });
      expect(t.body).toMatchObject({ status: 'NO_MESSAGE_TYPE', type: 'PostMeterDataResponse' });
    });

    it('an unknown connection → 422 INVALID_DOMAIN, raised, so without `type`', async () => {
      const r = await v1post('postMeterData', msg({ connection: fm1(999) }));
      expect(r.status).toBe(422);
      expect(r.body).toEqual({
        message: [`connection with entity address ${fm1(999)} doesn't exist.`],
        result: 'Rejected',
        status: 'INVALID_DOMAIN',
      });
      expect(r.body).not.toHaveProperty('type');
    });
  });

  describe('POST postPrognosis, postPriceData, postWeatherData (§3.8–§3.10)', () => {
    it('postPrognosis needs a horizon; with one it is PROCESSED, plain horizons anchored to the period end', async () => {
      const base = {
        type: 'PostPrognosisRequest',
        connection: fm1(4),
        values: [0.01, 0.02, 0.03, 0.04],
        start: '2026-11-21T00:00:00Z',
        duration: 'PT1H',
        unit: 'MW',
      };
      const none = await v1post('postPrognosis', base);
      expect(none.status).toBe(400);
      expect(none.body).toEqual({
        result: 'Rejected',
        status: 'INVALID_HORIZON',
        message:
          "The horizon field in your request could not be parsed. Please specify the horizon field using an ISO 8601 duration (such as 'PT24H').",
        type: 'PostPrognosisResponse',
      });
      const ok = await v1post('postPrognosis', { ...base, horizon: 'PT7H30M' });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ ...PROCESSED, type: 'PostPrognosisResponse' });
      const t0 = Date.parse('2026-11-21T00:00:00Z');
      const horizons = [0, 1, 2, 3].map((i) => sim.stored(4).get(t0 + i * 15 * MIN)?.[0]?.horizonMs);
      expect(horizons).toEqual([6.75 * HOUR, 7 * HOUR, 7.25 * HOUR, 7.5 * HOUR]);
      const rolling = await v1post('postPrognosis', { ...base, start: '2026-11-21T02:00:00Z', horizon: 'R/PT6H' });
      expect(rolling.status).toBe(200);
      const t2 = Date.parse('2026-11-21T02:00:00Z');
      expect([0, 1, 2, 3].map((i) => sim.stored(4).get(t2 + i * 15 * MIN)?.[0]?.horizonMs)).toEqual(new Array(4).fill(6 * HOUR));
    });

    it('postPrognosis with emulateUpstreamBugs answers 500 without `type`; getConnection too', async () => {
      const { sim: buggy, url: bUrl } = await startSim({ generation: 'v1_1', chargers: 4, emulateUpstreamBugs: true });
      const bTok = await login(buggy, bUrl);
      const r = await call(bUrl, '/api/v1_1/postPrognosis', {
        token: bTok,
        body: {
          type: 'PostPrognosisRequest',
          connection: fm1(1),
          values: [0.01],
          start: '2026-11-21T00:00:00Z',
          duration: 'PT15M',
          horizon: 'PT6H',
          unit: 'MW',
        },
      });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ message: "post_prognosis_response() missing 1 required positional argument: 'rolling'", status: 500 });
      expect(buggy.stored(1).size).toBe(0);
      const conn = await call(bUrl, '/api/v1_1/getConnection', { token: bTok });
      expect(conn.status).toBe(500);
      expect(conn.body).not.toHaveProperty('type');
    });

    it('postPriceData to ea1.2018-06.localhost:epex_da in EUR/MWh; horizons anchored to the end (35 h … 12 h)', async () => {
      const price = sim.sensorIds('price')[0]!;
      const values = Array.from({ length: 24 }, (_, i) => 50 + i);
      const r = await v1post('postPriceData', {
        type: 'PostPriceDataRequest',
        market: 'ea1.2018-06.localhost:epex_da',
        values,
        start: '2026-11-18T00:00:00+01:00',
        duration: 'PT24H',
        horizon: 'PT35H',
        unit: 'EUR/MWh',
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ...PROCESSED, type: 'PostPriceDataResponse' });
      const t0 = Date.parse('2026-11-17T23:00:00Z');
      const stored = sim.stored(price);
      expect(stored.get(t0)?.[0]).toEqual({ horizonMs: 12 * HOUR, value: 50 });
      expect(stored.get(t0 + 23 * HOUR)?.[0]).toEqual({ horizonMs: 35 * HOUR, value: 73 });
      expect(stored.size).toBe(24);
    });

    it('postPriceData upsamples 6 values over PT24H; refuses PT2M, other units and unknown markets', async () => {
      const body = {
        type: 'PostPriceDataRequest',
        market: 'ea1.2018-06.localhost:epex_da',
        values: [1, 2, 3, 4, 5, 6],
        start: '2026-11-16T00:00:00Z',
        duration: 'PT24H',
        unit: 'EUR/MWh',
      };
      const up = await v1post('postPriceData', body);
      expect(up.status).toBe(200);
      const short = await v1post('postPriceData', { ...body, values: [1], duration: 'PT2M', start: '2026-11-15T00:00:00Z' });
      expect(short.body).toMatchObject({
        status: 'INVALID_RESOLUTION',
        message: 'Only the following resolutions in the data are supported: PT1H',
      });
      const eurKwh = await v1post('postPriceData', { ...body, unit: 'EUR/kWh' });
      expect(eurKwh.body).toEqual({
        result: 'Rejected',
        status: 'INVALID_UNIT',
        message: 'Data for price should be given in EUR/MWh or KRW/kWh.',
        type: 'PostPriceDataResponse',
      });
      const krw = await v1post('postPriceData', { ...body, unit: 'KRW/kWh' });
      expect(krw.body).toMatchObject({ status: 'INVALID_UNIT', message: 'Data for epex da prices should be given in EUR/MWh.' });
      // A sensor of that name exists, but it is not on a day_ahead/tou_tariff asset.
      const notMarket = await v1post('postPriceData', { ...body, market: 'ea1.2018-06.localhost:temperature' });
      expect(notMarket.status).toBe(400);
      expect(notMarket.body).toEqual({
        result: 'Rejected',
        status: 'UNRECOGNIZED_MARKET',
        message: 'The requested market named temperature is not known.',
        type: 'PostPriceDataResponse',
      });
    });

    it('postWeatherData by type and the weather station’s exact position; UNRECOGNIZED_SENSOR elsewhere', async () => {
      // The station's position, as a current server lists it.
      const assets = await call(twinUrl, '/api/v3_0/assets?include_public=true', { token: twinToken });
      const station = (assets.body as J[]).find((a) => a.generic_asset_type.name === 'weather_station');
      expect(station).toBeDefined();
      const { latitude, longitude } = station as { latitude: number; longitude: number };
      const body = {
        type: 'PostWeatherDataRequest',
        groups: [{ sensor: `ea1.2018-06.localhost:temperature:${latitude}:${longitude}`, values: [4.5, 4.2, 3.9] }],
        start: '2026-11-18T00:00:00Z',
        duration: 'PT3H',
        unit: '°C',
      };
      const ok = await v1post('postWeatherData', body);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ ...PROCESSED, type: 'PostWeatherDataResponse' });
      const temp = sim.sensorIds('temperature')[0]!;
      expect([...sim.stored(temp).values()].map((b) => b[0]!.value)).toEqual([4.5, 4.2, 3.9]);
      const wind = await v1post('postWeatherData', {
        ...body,
        groups: [{ sensor: `ea1.2018-06.localhost:wind speed:${latitude}:${longitude}`, values: [5, 6, 7] }],
        unit: 'm/s',
      });
      expect(wind.status).toBe(200);
      const elsewhere = await v1post('postWeatherData', {
        ...body,
        groups: [{ sensor: 'ea1.2018-06.localhost:temperature:52.1:5.18', values: [1, 2, 3] }],
      });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body).toEqual({
        result: 'Rejected',
        status: 'UNRECOGNIZED_SENSOR',
        message: `No sensor is known at this location. The nearest sensor is at latitude ${latitude} and longitude ${longitude}`,
        type: 'PostWeatherDataResponse',
      });
      const unit = await v1post('postWeatherData', { ...body, unit: 'K' });
      expect(unit.body).toMatchObject({ status: 'INVALID_UNIT', message: 'Data for temperature should be given in °C.' });
      const noUnit = await v1post('postWeatherData', { ...body, unit: undefined });
      expect(noUnit.body).toMatchObject({ status: 'INVALID_UNIT', message: 'Data should be given a unit.' });
    });
  });
});

// =============================================================================================
// Tokens over time, sunset, rate limiting
// =============================================================================================

describe('token lifetime on the simulator clock (§2.1)', () => {
  it('a token works until tokenLifetimeSeconds have passed, then 401', async () => {
    let now = NOW;
    const { sim, url } = await startSim({ clock: () => now, tokenLifetimeSeconds: 60 });
    const token = await login(sim, url);
    now += 59_000;
    expect((await call(url, '/api/v3_0/sensors', { token })).status).toBe(200);
    now += 1_000;
    const expired = await call(url, '/api/v3_0/sensors', { token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(FM_401);
    const fresh = await login(sim, url);
    expect((await call(url, '/api/v3_0/sensors', { token: fresh })).status).toBe(200);
  });

  it('expireTokens() makes every issued token fail (v1_1 routes too, with type)', async () => {
    const { sim, url } = await startSim({ generation: 'v1_1', chargers: 2 });
    const token = await login(sim, url);
    expect((await call(url, '/api/v1_1/getConnection', { token })).status).toBe(200);
    sim.expireTokens();
    const r = await call(url, '/api/v1_1/getConnection', { token });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ ...FM_401, type: 'GetConnectionResponse' });
    expect((await call(url, '/api/v3_0/assets', { token })).status).toBe(401);
  });
});

describe('sunset v1_1 (v0.13, `sunset: true`, §1.2)', () => {
  let sim: FlexMeasuresSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ generation: 'v1_1', sunset: true }));
    token = await login(sim, url);
  });

  it('every v1_1 route answers 410 with the exact body, with or without a token', async () => {
    for (const [route, method] of V1_ROUTES) {
      for (const tok of [token, undefined]) {
        const r = await call(url, `/api/v1_1/${route}`, { method, token: tok, body: method === 'POST' ? {} : undefined });
        expect(r.status, route).toBe(410);
        expect(r.body, route).toEqual(SUNSET_410);
      }
    }
  });

  it('keeps the deprecation headers on the 410, with the v0.13 sunset date', async () => {
    const r = await call(url, '/api/v1_1/getService');
    expect(r.status).toBe(410);
    expect(r.headers.get('deprecation')).toBe('Tue, 13 Dec 2022 23:59:59 GMT');
    expect(r.headers.get('sunset')).toBe('Sun, 30 Apr 2023 23:59:59 GMT');
    expect(r.headers.get('link')).toContain('rel="deprecation"');
    // v3_0 still works on this server.
    expect((await call(url, '/api/v3_0/sensors', { token })).status).toBe(200);
    expect(sim.requests('getService').at(-1)?.status).toBe(410);
  });
});

describe('rate limiting (§2.1, §4.10)', () => {
  let now = NOW;
  let sim: FlexMeasuresSimulator;
  let url: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ clock: () => now, rateLimit: { limit: 3, windowSeconds: 60 } }));
  });

  it('counts down X-RateLimit-Remaining, then answers 429 with Retry-After; the window resets with the clock', async () => {
    const seen: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(url, '/api/');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      seen.push(r.headers.get('x-ratelimit-remaining'));
    }
    expect(seen).toEqual(['2', '1', '0']);
    now += 20_000;
    const limited = await call(url, '/api/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.body).toEqual({
      result: 'Rejected',
      status: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/^You hit a rate limit\. The limit you hit allows 3 per /),
    });
    expect(sim.requests('rateLimited')).toHaveLength(1);
    now += 41_000; // past the 60 s window
    const again = await call(url, '/api/');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('limits per token: a token has its own budget; health is exempt', async () => {
    now += 120_000;
    const token = await login(sim, url); // 1 of the anonymous budget
    for (let i = 0; i < 3; i++) expect((await call(url, '/api/v3_0/assets', { token })).status).toBe(200);
    expect((await call(url, '/api/v3_0/assets', { token })).status).toBe(429);
    expect((await call(url, '/api/')).status).toBe(200); // anonymous: 2 of 3
    for (let i = 0; i < 5; i++) expect((await call(url, '/api/v3_0/health/ready')).status).toBe(200);
  });
});

// =============================================================================================
// Shared machinery: request log, faults, latency, concurrency, bad input
// =============================================================================================

describe('request log, faults, latency and concurrency', () => {
  let v3: { sim: FlexMeasuresSimulator; url: string };
  let v1: { sim: FlexMeasuresSimulator; url: string };
  let t3: string;
  let t1: string;
  beforeAll(async () => {
    [v3, v1] = await Promise.all([startSim({ generation: 'v3_0', chargers: 2 }), startSim({ generation: 'v1_1', chargers: 2 })]);
    [t3, t1] = await Promise.all([login(v3.sim, v3.url), login(v1.sim, v1.url)]);
  });

  it('names every v3_0 route in the log, with method, path, status and authorization', async () => {
    const { sim, url } = v3;
    sim.clearLog();
    const token = t3;
    await call(url, '/api/');
    await call(url, '/api/requestAuthToken', { body: { email: sim.email, password: sim.password } });
    await call(url, '/api/v3_0/sensors', { token });
    await call(url, '/api/v3_0/sensors/1', { token });
    await call(url, `/api/v3_0/sensors/1/data?${qs({ start: DAY_BEFORE, duration: 'PT1H', unit: 'MW' })}`, { token });
    await call(url, '/api/v3_0/sensors/1/data', {
      token,
      body: { values: [-0.001], start: '2026-11-18T00:00:00Z', duration: 'PT15M', unit: 'MW' },
    });
    await call(url, '/api/v3_0/assets', { token });
    await call(url, '/api/v3_0/assets/100', { token });
    await call(url, '/api/v3_0/assets/100/sensors', { token });
    await call(url, '/api/v3_0/sensors'); // no token
    const routes = sim.requests().map((e) => e.route);
    expect(routes).toEqual([
      'api',
      'token',
      'sensors',
      'sensor',
      'sensorData',
      'postSensorData',
      'assets',
      'asset',
      'assetSensors',
      'sensors',
    ]);
    const [api, tok, sensors] = sim.requests();
    expect(api).toMatchObject({ method: 'GET', path: '/api/', status: 200, authorized: null, faulted: false, at: NOW });
    expect(tok).toMatchObject({ method: 'POST', status: 200, authorized: true });
    expect(sensors).toMatchObject({ status: 200, authorized: true });
    expect(sim.requests('sensors').at(-1)).toMatchObject({ status: 401, authorized: false });
    expect(sim.requests('sensorData')[0]!.query).toMatchObject({ start: DAY_BEFORE, duration: 'PT1H', unit: 'MW' });
    expect(sim.requests('postSensorData')[0]!.body).toMatchObject({ values: [-0.001] });
  });

  it('names every v1_1 route in the log', async () => {
    const { sim, url } = v1;
    sim.clearLog();
    const token = t1;
    for (const [route, method] of V1_ROUTES) {
      await call(url, `/api/v1_1/${route}`, { method, token, body: method === 'POST' ? { type: 'Nope' } : undefined });
    }
    expect(sim.requests().map((e) => e.route)).toEqual(V1_ROUTES.map(([r]) => r));
    expect(sim.requests('getService')[0]!.authorized).toBeNull();
    expect(sim.requests('postMeterData')[0]).toMatchObject({ method: 'POST', authorized: true, status: 400, body: { type: 'Nope' } });
  });

  it('a fault on one route hits it `times` times, then the normal answer resumes', async () => {
    const { sim, url } = v3;
    sim.clearLog();
    sim.addFault({ route: 'sensors', status: 503, times: 1 });
    expect((await call(url, '/api/v3_0/assets', { token: t3 })).status).toBe(200); // other routes untouched
    const faulted = await call(url, '/api/v3_0/sensors', { token: t3 });
    expect(faulted.status).toBe(503);
    expect(faulted.text).toBe('');
    expect(sim.faults).toHaveLength(0);
    const ok = await call(url, '/api/v3_0/sensors', { token: t3 });
    expect(ok.status).toBe(200);
    expect(sim.requests('sensors').map((e) => [e.status, e.faulted])).toEqual([
      [503, true],
      [200, false],
    ]);
  });

  it('a fault body that is JSON is sent as JSON; a route-less fault hits anything', async () => {
    const { sim, url } = v3;
    sim.addFault({ route: 'sensorData', status: 500, body: '{"message":"boom","status":500}', times: 1 });
    const r = await call(url, `/api/v3_0/sensors/1/data?${qs({ start: DAY_BEFORE, duration: 'PT1H', unit: 'MW' })}`, { token: t3 });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toEqual({ message: 'boom', status: 500 });
    sim.addFault({ status: 502, body: 'Bad Gateway', times: 1 });
    const any = await call(url, '/api/');
    expect(any.status).toBe(502);
    expect(any.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await call(url, '/api/')).status).toBe(200);
  });

  it('a destroy fault drops the connection; the next request works', async () => {
    const { sim, url } = v3;
    sim.addFault({ route: 'assets', destroy: true, times: 1 });
    await expect(call(url, '/api/v3_0/assets', { token: t3 })).rejects.toThrow();
    expect(sim.requests('assets').at(-1)).toMatchObject({ status: null, faulted: true });
    expect((await call(url, '/api/v3_0/assets', { token: t3 })).status).toBe(200);
  });

  it('latencyMs delays answers and peakConcurrency counts requests in flight at once', async () => {
    const { sim, url } = v3;
    sim.latencyMs = 80;
    sim.resetPeakConcurrency();
    try {
      const t = Date.now();
      const answers = await Promise.all(Array.from({ length: 5 }, () => call(url, '/api/v3_0/sensors', { token: t3 })));
      const took = Date.now() - t;
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(took).toBeGreaterThanOrEqual(75);
      expect(sim.peakConcurrency).toBe(5);
    } finally {
      sim.latencyMs = 0;
    }
    expect(() => {
      sim.latencyMs = -1;
    }).toThrow(RangeError);
  });

  it('setClock moves the simulated now (log `at`, token expiry)', async () => {
    const { sim, url } = v3;
    sim.setClock(() => NOW + 7 * HOUR); // beyond the default 6 h lifetime
    try {
      const r = await call(url, '/api/v3_0/sensors', { token: t3 });
      expect(r.status).toBe(401);
      expect(sim.requests('sensors').at(-1)!.at).toBe(NOW + 7 * HOUR);
    } finally {
      sim.setClock(() => NOW);
    }
    expect((await call(url, '/api/v3_0/sensors', { token: t3 })).status).toBe(200);
  });
});

describe('robustness: bad input never crashes the simulator', () => {
  let v3: { sim: FlexMeasuresSimulator; url: string };
  let v1: { sim: FlexMeasuresSimulator; url: string };
  let t3: string;
  let t1: string;
  beforeAll(async () => {
    [v3, v1] = await Promise.all([startSim({ generation: 'v3_0', chargers: 2 }), startSim({ generation: 'v1_1', chargers: 2 })]);
    [t3, t1] = await Promise.all([login(v3.sim, v3.url), login(v1.sim, v1.url)]);
  });

  const stillUp = async (url: string) => expect((await call(url, '/api/')).status).toBe(200);

  it('malformed JSON bodies get 4xx answers', async () => {
    const token = await call(v3.url, '/api/requestAuthToken', { body: '{"email": "simulator@exa' });
    expect(token.status).toBe(400);
    expect(token.body).toEqual({ message: 'The browser (or proxy) sent a request that this server could not understand.', status: 400 });
    const v3post = await call(v3.url, '/api/v3_0/sensors/1/data', { token: t3, body: '{"values": [1,' });
    expect(v3post.status).toBe(422);
    expect(v3post.body.status).toBe('UNPROCESSABLE_ENTITY');
    const v1post = await call(v1.url, '/api/v1_1/postMeterData', { token: t1, body: '{"type": "PostMeterDataRequest",' });
    expect(v1post.status).toBe(400);
    expect(v1post.body.status).toBe(400);
    const array = await call(v1.url, '/api/v1_1/postMeterData', { token: t1, body: '[1,2,3]' });
    expect(array.status).toBe(400);
    await stillUp(v3.url);
    await stillUp(v1.url);
  });

  it('huge and odd query values get 4xx answers', async () => {
    const d = (params: Record<string, string>) => call(v3.url, `/api/v3_0/sensors/1/data?${qs(params)}`, { token: t3 });
    const cases: Array<Record<string, string>> = [
      { start: 'x'.repeat(6000), duration: 'PT1H', unit: 'MW' },
      { start: DAY_BEFORE, duration: 'P99999999999999999999Y', unit: 'MW' },
      { start: DAY_BEFORE, duration: 'PT99999999H', unit: 'MW' },
      { start: DAY_BEFORE, duration: '-PT1H', unit: 'MW' },
      { start: DAY_BEFORE, duration: 'PT1H', unit: 'MW', resolution: 'PT0M' },
      { start: DAY_BEFORE, duration: 'PT1H', unit: 'MW', resolution: 'bogus' },
      { start: '9999-99-99T99:99:99Z', duration: 'PT1H', unit: 'MW' },
      { start: DAY_BEFORE, duration: 'PT1H30S', unit: 'MW' },
      { start: DAY_BEFORE, duration: 'PT1H', unit: '💥'.repeat(100) },
    ];
    for (const params of cases) {
      const r = await d(params);
      expect(r.status, JSON.stringify(params).slice(0, 80)).toBe(422);
    }
    const tooMany = await d({ start: DAY_BEFORE, duration: 'PT99999999H', unit: 'MW' });
    expect(tooMany.body.message.combined_sensor_data_description.duration).toEqual(['Too many values requested.']);
    for (const q of ['page=1e400&per-page=-5', 'page=abc', 'page=1&per-page=1.5', 'account_id=%00']) {
      const r = await call(v3.url, `/api/v3_0/sensors?${q}`, { token: t3 });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    const v1odd = await call(
      v1.url,
      `/api/v1_1/getMeterData?${qs({ type: 'GetMeterDataRequest', connections: '[1, 2, {"a": 3}]', start: 'now', duration: 'forever', unit: 'MW' })}`,
      { token: t1 },
    );
    expect(v1odd.status).toBe(400);
    expect(v1odd.body.status).toBe('UNRECOGNIZED_CONNECTION_GROUP');
    const v1bad = await call(
      v1.url,
      `/api/v1_1/getMeterData?${qs({ type: 'GetMeterDataRequest', connection: fm1(1), start: DAY_BEFORE, duration: 'P1M', unit: 'MW', resolution: 'P1Y' })}`,
      { token: t1 },
    );
    expect(v1bad.status).toBe(400);
    expect(v1bad.body.status).toBe('INVALID_RESOLUTION');
    const brokenPath = await call(v3.url, '/api/v3_0/sensors/%E0%A4%A', { token: t3 });
    expect(brokenPath.status).toBe(422);
    await stillUp(v3.url);
    await stillUp(v1.url);
  });

  it('unknown paths answer 404 JSON with status 404', async () => {
    for (const path of [
      '/',
      '/nope',
      '/api/v2_0/getService',
      '/api/v3_0/sensors/1/data/extra',
      '/api/v1_1/getNothing',
      '/api/v3_0/users',
    ]) {
      const r = await call(v3.url, path, { token: t3 });
      expect(r.status, path).toBe(404);
      expect(r.body).toEqual({ message: NOT_FOUND_MESSAGE, status: 404 });
    }
    const v1unknown = await call(v1.url, '/api/v1_1/getNothing', { token: t1 });
    expect(v1unknown.status).toBe(404);
    expect(v1unknown.body.status).toBe(404);
    expect(v3.sim.requests('unknown').length).toBeGreaterThanOrEqual(6);
    await stillUp(v3.url);
  });

  it('a wrong method answers 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      [v3.url, 'DELETE', '/api/v3_0/sensors'],
      [v3.url, 'POST', '/api/'],
      [v3.url, 'GET', '/api/requestAuthToken'],
      [v3.url, 'PUT', '/api/v3_0/assets/100'],
      [v1.url, 'GET', '/api/v1_1/postMeterData'],
      [v1.url, 'POST', '/api/v1_1/getConnection'],
    ];
    for (const [url, method, path] of cases) {
      const r = await call(url, path, { method, token: url === v3.url ? t3 : t1, body: method === 'GET' ? undefined : '{}' });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.body).toEqual({ message: 'The method is not allowed for the requested URL.', status: 405 });
      expect(r.headers.get('allow')).toMatch(/^(GET|POST), OPTIONS$/);
    }
    await stillUp(v3.url);
    await stillUp(v1.url);
  });
});

// =============================================================================================
// Where the simulator departs from the contract (kept failing on purpose; see the report)
// =============================================================================================

describe('contract details once missed by the simulator', () => {
  let v3: { sim: FlexMeasuresSimulator; url: string };
  let v1: { sim: FlexMeasuresSimulator; url: string };
  let sunset: { sim: FlexMeasuresSimulator; url: string };
  let t3: string;
  let t1: string;
  beforeAll(async () => {
    [v3, v1, sunset] = await Promise.all([
      startSim({ generation: 'v3_0', chargers: 2 }),
      startSim({ generation: 'v1_1', chargers: 2 }),
      startSim({ generation: 'v1_1', chargers: 2, sunset: true }),
    ]);
    [t3, t1] = await Promise.all([login(v3.sim, v3.url), login(v1.sim, v1.url)]);
  });

  // §1.2: the 410 of a current server still carries the deprecation headers (after_request runs on
  // error responses); §1.1 HEAD: the deprecation link is …/api/introduction.html#deprecation-and-sunset.
  it('§1.2/§1.1: v1_1 410 on the v3_0 generation carries Deprecation, Sunset and Link', async () => {
    const r = await call(v3.url, '/api/v1_1/getService');
    expect(r.status).toBe(410);
    expect(r.headers.get('deprecation')).not.toBeNull();
    expect(r.headers.get('sunset')).not.toBeNull();
    expect(r.headers.get('link')).toContain('https://flexmeasures.readthedocs.io/en/latest/api/introduction.html#deprecation-and-sunset');
  });

  // §1.1 v0.13.x: "The sunset link points to https://flexmeasures.readthedocs.io/en/v0.13.0/api/v1_1.html".
  it('§1.1: with sunset (v0.13) the rel="sunset" Link points to the v0.13.0 docs', async () => {
    const r = await call(sunset.url, '/api/v1_1/getService');
    expect(r.headers.get('link')).toContain('<https://flexmeasures.readthedocs.io/en/v0.13.0/api/v1_1.html>; rel="sunset"');
  });

  // §2.1: FlexMeasures-Version/API-Version come from add_version_headers (HEAD, v3.0-30); v0.12.3 has neither.
  it('§2.1: the v1_1 generation (v0.12.3) sends no FlexMeasures-Version header', async () => {
    const r = await call(v1.url, '/api/');
    expect(r.headers.get('flexmeasures-version')).toBeNull();
  });

  // §2.4 differences at HEAD: "The email is HTML-escaped in the 404 message."
  it('§2.4: on the v3_0 generation the unknown email is HTML-escaped in the 404 message', async () => {
    const r = await call(v3.url, '/api/requestAuthToken', { body: { email: '<b>@example.org', password: 'x' } });
    expect(r.status).toBe(404);
    expect(r.body.errors).toEqual(["User with email '&lt;b&gt;@example.org' does not exist"]);
  });

  // §2.6: responses echo start via isodate.datetime_isoformat, keeping a non-UTC offset.
  it('§2.6/§4.4: GET /sensors/<id>/data echoes a +01:00 start with its offset', async () => {
    const r = await call(v3.url, `/api/v3_0/sensors/1/data?${qs({ start: '2026-11-19T18:00:00+01:00', duration: 'PT1H', unit: 'MW' })}`, {
      token: t3,
    });
    expect(r.status).toBe(200);
    expect(r.body.start).toBe('2026-11-19T18:00:00+01:00');
  });

  // §3.9: "If no sensor at all has that name, the earlier resolution check already fails with 422
  // INVALID_DOMAIN (§3.11)" — UNRECOGNIZED_MARKET is only for a named sensor that is not a market.
  it('§3.9/§3.11: postPriceData to a market name no sensor has → 422 INVALID_DOMAIN without type', async () => {
    const r = await call(v1.url, '/api/v1_1/postPriceData', {
      token: t1,
      body: {
        type: 'PostPriceDataRequest',
        market: 'ea1.2018-06.localhost:nord_pool',
        values: [1, 2],
        start: '2026-11-18T00:00:00Z',
        duration: 'PT2H',
        unit: 'EUR/MWh',
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.status).toBe('INVALID_DOMAIN');
    expect(r.body).not.toHaveProperty('type');
  });

  // §3.11: 422 INVALID_DOMAIN (no type) for "all POSTs, and GETs with `resolution` (SensorField lookup)".
  it('§3.11: getMeterData with `resolution` and an unknown connection → 422 INVALID_DOMAIN without type', async () => {
    const r = await call(
      v1.url,
      `/api/v1_1/getMeterData?${qs({ type: 'GetMeterDataRequest', connection: fm1(999), start: DAY_BEFORE, duration: 'PT1H', unit: 'MW', resolution: 'PT15M' })}`,
      { token: t1 },
    );
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      message: [`connection with entity address ${fm1(999)} doesn't exist.`],
      result: 'Rejected',
      status: 'INVALID_DOMAIN',
    });
  });
});

describe('the simulator bounds its own work (it runs inside test processes)', () => {
  let v3: { sim: FlexMeasuresSimulator; url: string };
  let v1: { sim: FlexMeasuresSimulator; url: string };
  let t3: string;
  let t1: string;
  beforeAll(async () => {
    [v3, v1] = await Promise.all([startSim({ generation: 'v3_0', chargers: 2 }), startSim({ generation: 'v1_1', chargers: 2 })]);
    [t3, t1] = await Promise.all([login(v3.sim, v3.url), login(v1.sim, v1.url)]);
  });
  afterAll(async () => {
    await Promise.all([v3.sim.close(), v1.sim.close()]);
  });

  it('a read over 100 000 years is refused at once, and the server goes on answering', async () => {
    const huge = { start: '2026-11-19T00:00:00Z', duration: 'P36500000D', resolution: 'P36500000D', unit: 'MW' };
    const r3 = await call(v3.url, `/api/v3_0/sensors/1/data?${qs(huge)}`, { token: t3 });
    expect(r3.status).toBe(422);
    expect(r3.body.message.combined_sensor_data_description.duration).toEqual(['Too many values requested.']);
    const r1 = await call(
      v1.url,
      `/api/v1_1/getMeterData?${qs({ type: 'GetMeterDataRequest', connection: fm1(1), start: huge.start, duration: huge.duration, resolution: huge.resolution, unit: 'MW' })}`,
      { token: t1 },
    );
    expect(r1.status).toBe(400);
    expect(r1.body.status).toBe('INVALID_PERIOD');
    expect((await call(v3.url, '/api/')).status).toBe(200);
  });

  it('a write that would upsample past a million events is refused before anything is stored', async () => {
    const w3 = await call(v3.url, '/api/v3_0/sensors/1/data', {
      token: t3,
      body: { values: [0], start: '2026-11-19T00:00:00Z', duration: 'P36500D', unit: 'MW' },
    });
    expect(w3.status).toBe(422);
    expect(w3.body.message.combined_sensor_data_description._schema[0]).toContain('more than 1000000 events');
    const w1 = await call(v1.url, '/api/v1_1/postMeterData', {
      token: t1,
      body: {
        type: 'PostMeterDataRequest',
        connection: fm1(1),
        values: [0],
        start: '2026-11-19T00:00:00Z',
        duration: 'P36500D',
        unit: 'MW',
      },
    });
    expect(w1.status).toBe(400);
    expect(w1.body.status).toBe('INVALID_PERIOD');
    expect(v3.sim.stored(1).size + v1.sim.stored(1).size).toBe(0);
  });
});
