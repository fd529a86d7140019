// The built-in BEMServer simulator over real HTTP, checked against the contract
// (src/upstreams/bemserver/CONTRACT.md §1, §2, §4, §5, §6, §7, §11) and the byte formats of its fixtures
// (fixtures/bemserver/api_tests, core_tests: reproduced inline below with the data they come from).
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createBemServerSimulator,
  type BemServerSimulator,
  type BemServerSimulatorOptions,
} from '../../src/upstreams/bemserver/simulator/index.js';

import { request, simulatorPool, type Answer, type J } from '../helpers/sim-http.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 2026-11-20 13:00 Europe/Paris
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const startSim = simulatorPool<BemServerSimulatorOptions, BemServerSimulator>(createBemServerSimulator, { clock: () => NOW, gapRate: 0 });

interface CallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON (Content-Type application/json); a string verbatim. */
  body?: unknown;
}

/** One request; `Authorization: Bearer <token>` when given (§2). */
const call = (url: string, path: string, o: CallOptions = {}): Promise<Answer> =>
  request(url, path, { ...o, authorization: o.token === undefined ? undefined : `Bearer ${o.token}`, jsonContentType: 'body' });

/** node:http without fetch's defaults (no Accept header), for raw request targets. */
function raw(
  url: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

async function login(sim: BemServerSimulator, url: string): Promise<{ access: string; refresh: string }> {
  const r = await call(url, '/auth/token', { body: { email: sim.email, password: sim.password } });
  expect(r.status).toBe(200);
  expect(r.body.status).toBe('success');
  return { access: r.body.access_token, refresh: r.body.refresh_token };
}

/** A started simulator and an access token for it. */
async function startLoggedIn(options: BemServerSimulatorOptions = {}): Promise<{ sim: BemServerSimulator; url: string; token: string }> {
  const { sim, url } = await startSim(options);
  return { sim, url, token: (await login(sim, url)).access };
}

/** A new campaign (UTC) with one scope and timeseries of these names, as the core fixtures set up (§7.3); its id. */
async function campaignWith(url: string, token: string, name: string, series: string[]): Promise<number> {
  const campaign = (await call(url, '/campaigns/', { token, body: { name, timezone: 'UTC' } })).body.id;
  const scope = (await call(url, '/campaign_scopes/', { token, body: { name: 'Scope', campaign_id: campaign } })).body.id;
  for (const n of series) await call(url, '/timeseries/', { token, body: { name: n, campaign_id: campaign, campaign_scope_id: scope } });
  return campaign;
}

/** Query string from pairs (repeated keys allowed), percent-encoded (`+` → %2B, §1.3). */
function qs(pairs: Array<[string, string | number]> | Record<string, string | number>): string {
  const list = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  return list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

const ids = (...n: number[]): Array<[string, number]> => n.map((i) => ['timeseries', i]);

function decodeJwtPart(part: string): J {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Python json.dumps(sort_keys=True) for ASCII data: the ETag input (§5). */
function pySortedDumps(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(pySortedDumps).join(', ')}]`;
  return `{${Object.keys(v as object)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${pySortedDumps((v as Record<string, unknown>)[k])}`)
    .join(', ')}}`;
}
const sha1 = (s: string): string => `"${createHash('sha1').update(s).digest('hex')}"`;

const UNAUTHORIZED = (code: string) => `{"code":401,"status":"Unauthorized","errors":{"authentication":"${code}"}}\n`;
const NOT_FOUND = '{"code":404,"status":"Not Found"}\n';

// The data of the contract's API tests (S2 test_timeseries_data.py): hourly 0, 1, 2, 3 from 2020-01-01T00:00Z.
const FIXTURE_POST_JSON = (label: string | number) =>
  `{"${label}": {"2020-01-01T00:00:00+00:00": 0, "2020-01-01T01:00:00+00:00": 1, "2020-01-01T02:00:00+00:00": 2, "2020-01-01T03:00:00+00:00": 3}}`;
const FIXTURE_POST_CSV = (label: string | number) =>
  `Datetime,${label}\n2020-01-01T00:00:00+00:00,0\n2020-01-01T01:00:00+00:00,1\n2020-01-01T02:00:00+00:00,2\n2020-01-01T03:00:00+00:00,3\n`;
const FIXTURE_WINDOW = { start_time: '2020-01-01T00:00:00+00:00', end_time: '2020-01-01T04:00:00+00:00', data_state: 1 };

// fixtures/bemserver/core_tests, verbatim (S4 test_timeseries_data_io.py).
const CORE = {
  RAW_UTC_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 0.0, "2020-01-01T01:00:00+00:00": 1.0, "2020-01-01T02:00:00+00:00": 2.0}, "Timeseries 5": {"2020-01-01T00:00:00+00:00": 10.0, "2020-01-01T01:00:00+00:00": 12.0}}',
  RAW_PARIS_JSON:
    '{"Timeseries 1": {"2020-01-01T01:00:00+01:00": 0.0, "2020-01-01T02:00:00+01:00": 1.0, "2020-01-01T03:00:00+01:00": 2.0}, "Timeseries 5": {"2020-01-01T01:00:00+01:00": 10.0, "2020-01-01T02:00:00+01:00": 12.0}}',
  RAW_UTC_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0000,0.0,,10.0\n2020-01-01T01:00:00+0000,1.0,,12.0\n2020-01-01T02:00:00+0000,2.0,,\n',
  RAW_PARIS_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T01:00:00+0100,0.0,,10.0\n2020-01-01T02:00:00+0100,1.0,,12.0\n2020-01-01T03:00:00+0100,2.0,,\n',
  BUCKET_AVG_UTC_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 11.5, "2020-01-02T00:00:00+00:00": 35.5, "2020-01-03T00:00:00+00:00": 59.5}, "Timeseries 3": {"2020-01-01T00:00:00+00:00": null, "2020-01-02T00:00:00+00:00": null, "2020-01-03T00:00:00+00:00": null}, "Timeseries 5": {"2020-01-01T00:00:00+00:00": 33.0, "2020-01-02T00:00:00+00:00": 81.0, "2020-01-03T00:00:00+00:00": null}}',
  BUCKET_SUM_UTC_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 276.0, "2020-01-02T00:00:00+00:00": 852.0, "2020-01-03T00:00:00+00:00": 1428.0}, "Timeseries 3": {"2020-01-01T00:00:00+00:00": null, "2020-01-02T00:00:00+00:00": null, "2020-01-03T00:00:00+00:00": null}, "Timeseries 5": {"2020-01-01T00:00:00+00:00": 792.0, "2020-01-02T00:00:00+00:00": 1944.0, "2020-01-03T00:00:00+00:00": null}}',
  BUCKET_MIN_UTC_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 0.0, "2020-01-02T00:00:00+00:00": 24.0, "2020-01-03T00:00:00+00:00": 48.0}, "Timeseries 3": {"2020-01-01T00:00:00+00:00": null, "2020-01-02T00:00:00+00:00": null, "2020-01-03T00:00:00+00:00": null}, "Timeseries 5": {"2020-01-01T00:00:00+00:00": 10.0, "2020-01-02T00:00:00+00:00": 58.0, "2020-01-03T00:00:00+00:00": null}}',
  BUCKET_MAX_UTC_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 23.0, "2020-01-02T00:00:00+00:00": 47.0, "2020-01-03T00:00:00+00:00": 71.0}, "Timeseries 3": {"2020-01-01T00:00:00+00:00": null, "2020-01-02T00:00:00+00:00": null, "2020-01-03T00:00:00+00:00": null}, "Timeseries 5": {"2020-01-01T00:00:00+00:00": 56.0, "2020-01-02T00:00:00+00:00": 104.0, "2020-01-03T00:00:00+00:00": null}}',
  BUCKET_AVG_PARIS_JSON:
    '{"Timeseries 1": {"2020-01-01T00:00:00+01:00": 11.0, "2020-01-02T00:00:00+01:00": 34.5, "2020-01-03T00:00:00+01:00": 58.5}, "Timeseries 3": {"2020-01-01T00:00:00+01:00": null, "2020-01-02T00:00:00+01:00": null, "2020-01-03T00:00:00+01:00": null}, "Timeseries 5": {"2020-01-01T00:00:00+01:00": 32.0, "2020-01-02T00:00:00+01:00": 79.0, "2020-01-03T00:00:00+01:00": 104.0}}',
  BUCKET_AVG_UTC_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0000,11.5,,33.0\n2020-01-02T00:00:00+0000,35.5,,81.0\n2020-01-03T00:00:00+0000,59.5,,\n',
  BUCKET_SUM_UTC_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0000,276.0,,792.0\n2020-01-02T00:00:00+0000,852.0,,1944.0\n2020-01-03T00:00:00+0000,1428.0,,\n',
  BUCKET_MIN_UTC_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0000,0.0,,10.0\n2020-01-02T00:00:00+0000,24.0,,58.0\n2020-01-03T00:00:00+0000,48.0,,\n',
  BUCKET_MAX_UTC_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0000,23.0,,56.0\n2020-01-02T00:00:00+0000,47.0,,104.0\n2020-01-03T00:00:00+0000,71.0,,\n',
  BUCKET_AVG_PARIS_CSV:
    'Datetime,Timeseries 1,Timeseries 3,Timeseries 5\n2020-01-01T00:00:00+0100,11.0,,32.0\n2020-01-02T00:00:00+0100,34.5,,79.0\n2020-01-03T00:00:00+0100,58.5,,104.0\n',
  IMPORT_MIXED_OFFSETS_CSV:
    'Datetime,Timeseries 1,Timeseries 3\n2020-01-01T00:00:00+00:00,0,10\n2020-01-01T01:00:00+00:00,1,11\n2020-01-01T02:00:00+00:00,2,12\n2020-01-01T04:00:00+01:00,3,13\n',
};

// =============================================================================================
// §2 Authentication
// =============================================================================================

describe('authentication (§2)', () => {
  let clock = NOW;
  let sim: BemServerSimulator;
  let url: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ clock: () => clock }));
  });
  const sites = (token?: string, headers: Record<string, string> = {}) => call(url, '/sites/', { token, headers });
  /** Runs steps that move `clock`; it is back at NOW afterwards, whatever happens. */
  const withClockReset = async (steps: () => Promise<void>): Promise<void> => {
    try {
      await steps();
    } finally {
      clock = NOW;
    }
  };

  it('POST /auth/token: 200 success with an access and a refresh token, compact JSON and a newline', async () => {
    const r = await call(url, '/auth/token', { body: { email: sim.email, password: sim.password } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(Object.keys(r.body)).toEqual(['status', 'access_token', 'refresh_token']);
    expect(r.text).toBe(`{"status":"success","access_token":"${r.body.access_token}","refresh_token":"${r.body.refresh_token}"}\n`);
    expect(sim.issuedTokens()).toEqual(expect.arrayContaining([r.body.access_token, r.body.refresh_token]));
    expect(sim.requests('token').at(-1)).toMatchObject({ status: 200, authorized: true });
  });

  it('tokens are HS256 JWTs with exactly {email, exp, type}, exp from the simulator clock (900 s / 60 days)', async () => {
    const { access, refresh } = await login(sim, url);
    for (const t of [access, refresh]) {
      const parts = t.split('.');
      expect(parts).toHaveLength(3);
      expect(decodeJwtPart(parts[0]!)).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(parts[0]).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'); // as the OpenAPI example tokens
    }
    const a = decodeJwtPart(access.split('.')[1]!);
    const rf = decodeJwtPart(refresh.split('.')[1]!);
    expect(Object.keys(a)).toEqual(['email', 'exp', 'type']);
    expect(a).toEqual({ email: sim.email, exp: NOW / 1000 + 900, type: 'access' });
    expect(rf).toEqual({ email: sim.email, exp: NOW / 1000 + 5_184_000, type: 'refresh' });
  });

  it('wrong password or unknown email: HTTP 200 {"status":"failure"}, no token', async () => {
    const before = sim.issuedTokens().length;
    for (const body of [
      { email: sim.email, password: 'wrong' },
      { email: 'nobody@example.org', password: sim.password },
      { email: sim.email.toUpperCase(), password: sim.password }, // exact, case-sensitive lookup
    ]) {
      const r = await call(url, '/auth/token', { body });
      expect(r.status).toBe(200);
      expect(r.text).toBe('{"status":"failure"}\n');
    }
    expect(sim.issuedTokens()).toHaveLength(before);
    expect(sim.requests('token').at(-1)!.authorized).toBe(false);
  });

  it('validation: 422 per field (missing, not an email, too long, unknown), 400 for malformed JSON', async () => {
    const missing = await call(url, '/auth/token', { body: { email: sim.email } });
    expect(missing.status).toBe(422);
    expect(missing.text).toBe(
      '{"code":422,"status":"Unprocessable Entity","errors":{"json":{"password":["Missing data for required field."]}}}\n',
    );
    const none = await call(url, '/auth/token', { body: {} });
    expect(none.body.errors.json).toEqual({ email: ['Missing data for required field.'], password: ['Missing data for required field.'] });
    const form = await call(url, '/auth/token', {
      body: `email=${sim.email}&password=x`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(Object.keys(form.body.errors.json).sort()).toEqual(['email', 'password']); // not JSON = no body
    const bad = await call(url, '/auth/token', { body: { email: 'not-an-email', password: 'x'.repeat(81), extra: 1 } });
    expect(bad.body.errors.json).toEqual({
      email: ['Not a valid email address.'],
      password: ['Length must be between 1 and 80.'],
      extra: ['Unknown field.'],
    });
    const broken = await call(url, '/auth/token', { body: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.text).toBe('{"code":400,"status":"Bad Request","errors":{"json":["Invalid JSON body."]}}\n');
    expect((await call(url, '/auth/token')).status).toBe(405);
  });

  it('GET /about/ needs no token', async () => {
    const r = await call(url, '/about/');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      versions: { bemserver_core: expect.stringMatching(/^\d+\.\d+\.\d+$/), bemserver_api: expect.stringMatching(/^0\.2[67]\.\d+$/) },
    });
    expect(sim.requests('about').at(-1)!.authorized).toBeNull();
  });

  it('401 with WWW-Authenticate: missing_authentication, invalid_scheme, invalid_token; 400 without a space', async () => {
    const none = await sites();
    expect(none.status).toBe(401);
    expect(none.text).toBe(UNAUTHORIZED('missing_authentication'));
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    for (const h of ['Basic dXNlcjpwYXNz', 'Token abc']) {
      const r = await sites(undefined, { authorization: h });
      expect(r.text).toBe(UNAUTHORIZED('invalid_scheme'));
    }
    for (const t of [
      'garbage',
      'a.b.c',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImFjdGl2ZUB0ZXN0LmNvbSIsImV4cCI6MTcxNjM2OTg4OCwidHlwZSI6ImFjY2VzcyJ9.YT-507Qo9oncWKKRJhRXBbpLrOCYoJOMxbk1IaAQef4',
    ]) {
      const r = await sites(t);
      expect(r.status).toBe(401);
      expect(r.text).toBe(UNAUTHORIZED('invalid_token'));
    }
    const nospace = await sites(undefined, { authorization: 'dummy' });
    expect(nospace.status).toBe(400);
    expect(nospace.text).toBe('{"code":400,"status":"Bad Request"}\n');
    expect(sim.requests('sites').every((e) => e.authorized === false)).toBe(true);
  });

  it('a token of another simulator (another secret) is invalid_token', async () => {
    const other = await startLoggedIn();
    expect((await sites(other.token)).text).toBe(UNAUTHORIZED('invalid_token'));
  });

  it('the access token expires after 900 s on the SIMULATOR clock: expired_token', async () => {
    const { access } = await login(sim, url);
    await withClockReset(async () => {
      clock = NOW + 900_000;
      expect((await sites(access)).status).toBe(200); // exp == now is still valid (no leeway, exp < now fails)
      clock = NOW + 901_000;
      const r = await sites(access);
      expect(r.status).toBe(401);
      expect(r.text).toBe(UNAUTHORIZED('expired_token'));
      expect(r.headers.get('date')).toBe(new Date(clock).toUTCString()); // the server's own clock
    });
  });

  it('refresh: a new pair from the refresh token; the old tokens stay valid (stateless)', async () => {
    const first = await login(sim, url);
    await withClockReset(async () => {
      clock = NOW + 16 * MIN;
      const r = await call(url, '/auth/token/refresh', { method: 'POST', token: first.refresh });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('success');
      expect(r.body.access_token).not.toBe(first.access);
      expect(r.body.refresh_token).not.toBe(first.refresh);
      expect(decodeJwtPart(r.body.access_token.split('.')[1]).exp).toBe((NOW + 16 * MIN) / 1000 + 900);
      expect((await sites(r.body.access_token)).status).toBe(200);
      expect((await sites(first.access)).text).toBe(UNAUTHORIZED('expired_token'));
      expect((await call(url, '/auth/token/refresh', { method: 'POST', token: first.refresh })).status).toBe(200);
      expect(sim.requests('refresh').at(-1)).toMatchObject({ status: 200, authorized: true });
    });
  });

  it('token type misuse is invalid_token: a refresh token on a data route, an access token on refresh', async () => {
    const { access, refresh } = await login(sim, url);
    expect((await sites(refresh)).text).toBe(UNAUTHORIZED('invalid_token'));
    const data = await call(
      url,
      `/timeseries_data/?${qs([...ids(1), ['start_time', iso(NOW - HOUR)], ['end_time', iso(NOW)], ['data_state', 1]])}`,
      { token: refresh },
    );
    expect(data.text).toBe(UNAUTHORIZED('invalid_token'));
    const r = await call(url, '/auth/token/refresh', { method: 'POST', token: access });
    expect(r.status).toBe(401);
    expect(r.text).toBe(UNAUTHORIZED('invalid_token'));
    expect((await call(url, '/auth/token/refresh', { method: 'POST' })).text).toBe(UNAUTHORIZED('missing_authentication'));
  });

  it('an expired refresh token gives expired_token; only a new login helps', async () => {
    const { refresh } = await login(sim, url);
    await withClockReset(async () => {
      clock = NOW + 61 * DAY;
      const r = await call(url, '/auth/token/refresh', { method: 'POST', token: refresh });
      expect(r.status).toBe(401);
      expect(r.text).toBe(UNAUTHORIZED('expired_token'));
      const again = await login(sim, url);
      expect((await sites(again.access)).status).toBe(200);
    });
  });

  it('rotateSecret(): every token issued so far becomes invalid_token', async () => {
    const { access, refresh } = await login(sim, url);
    sim.rotateSecret();
    expect((await sites(access)).text).toBe(UNAUTHORIZED('invalid_token'));
    expect((await call(url, '/auth/token/refresh', { method: 'POST', token: refresh })).text).toBe(UNAUTHORIZED('invalid_token'));
    const fresh = await login(sim, url);
    expect((await sites(fresh.access)).status).toBe(200);
  });

  it('shorter lifetimes are options', async () => {
    let c = NOW;
    const s = await startSim({ clock: () => c, accessTokenLifetimeSeconds: 5, refreshTokenLifetimeSeconds: 10 });
    const { access, refresh } = await login(s.sim, s.url);
    expect(decodeJwtPart(access.split('.')[1]!).exp).toBe(NOW / 1000 + 5);
    c = NOW + 6000;
    expect((await call(s.url, '/sites/', { token: access })).text).toBe(UNAUTHORIZED('expired_token'));
    expect((await call(s.url, '/auth/token/refresh', { method: 'POST', token: refresh })).status).toBe(200);
    c = NOW + 11_000;
    expect((await call(s.url, '/auth/token/refresh', { method: 'POST', token: refresh })).text).toBe(UNAUTHORIZED('expired_token'));
  });
});

// =============================================================================================
// §1 Transport
// =============================================================================================

describe('transport (§1)', () => {
  let sim: BemServerSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url, token } = await startLoggedIn({ maxUrlLength: 2000 }));
  });

  it('a collection without its trailing slash: 308 to http://<host>/res/ with an HTML body, query kept, before auth', async () => {
    const r = await call(url, '/sites?campaign_id=1&sort=-name');
    expect(r.status).toBe(308);
    const host = new URL(url).host;
    expect(r.headers.get('location')).toBe(`http://${host}/sites/?campaign_id=1&sort=-name`);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toContain('Redirecting...');
    expect(sim.requests('redirect').at(-1)).toMatchObject({ status: 308 });
    for (const [path, target] of [
      ['/about', '/about/'],
      ['/timeseries', '/timeseries/'],
      ['/timeseries_data', '/timeseries_data/'],
      ['/timeseries_data/campaign/1', '/timeseries_data/campaign/1/'],
    ] as const) {
      const x = await call(url, path, { method: 'POST', token });
      expect(x.status).toBe(308); // 308 keeps the method
      expect(x.headers.get('location')).toBe(`http://${host}${target}`);
    }
  });

  it('items have no trailing slash; a non-integer id or an unknown path is 404 {"code":404,"status":"Not Found"}', async () => {
    for (const path of [
      '/sites/1/',
      '/sites/abc',
      '/sites/-1',
      '/nope/',
      '/api/v0/sites/',
      '/timeseries_data/aggregate/',
      '/auth/token/',
    ]) {
      const r = await call(url, path, { token });
      expect(r.status).toBe(404);
      expect(r.text).toBe(NOT_FOUND);
    }
    expect(sim.requests('unknown').length).toBeGreaterThanOrEqual(7);
    expect((await call(url, '/sites/1', { token })).status).toBe(200);
  });

  it('wrong method: 405 {"code":405,"status":"Method Not Allowed"}', async () => {
    for (const [method, path] of [
      ['PUT', '/sites/'],
      ['DELETE', '/timeseries_data/stats'],
      ['POST', '/timeseries_data/aggregate'],
      ['PUT', '/timeseries_by_sites/1'],
      ['PATCH', '/sites/1'],
    ] as const) {
      const r = await call(url, path, { method, token, body: {} });
      expect(r.status).toBe(405);
      expect(r.text).toBe('{"code":405,"status":"Method Not Allowed"}\n');
    }
  });

  it('compact JSON with a newline, non-ASCII as \\uXXXX, null fields left out, Content-Type application/json', async () => {
    const r = await call(url, '/sites/2', { token });
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text).toBe(
      '{"id":2,"name":"Si\\u00e8ge Bayonne","latitude":43.47394,"longitude":-1.5094,"description":"Si\\u00e8ge social","campaign_id":1}\n',
    );
    const b = await call(url, '/buildings/3', { token });
    expect(b.text).toBe('{"id":3,"name":"Si\\u00e8ge","site_id":2}\n'); // no description, no ifc_id
    const ts = await call(url, '/timeseries/7', { token });
    expect(ts.text).toContain('"unit_symbol":"\\u00b0C"');
  });

  it('a request target longer than maxUrlLength: 414 (a proxy limit); the next request works', async () => {
    const long = `/timeseries_data/?${qs([...Array.from({ length: 300 }, (_, i) => ['timeseries', i + 1] as [string, number]), ['data_state', 1]])}`;
    expect(long.length).toBeGreaterThan(2000);
    const r = await call(url, long, { token });
    expect(r.status).toBe(414);
    expect(r.text).toBe('{"code":414,"status":"Request-URI Too Long"}\n');
    expect((await call(url, '/sites/', { token })).status).toBe(200);
  });

  it('lists repeat the key; a comma list fails on the first item', async () => {
    const r = await call(url, `/timeseries_data/?timeseries=1,2&${qs(FIXTURE_WINDOW)}`, { token });
    expect(r.status).toBe(422);
    expect(r.text).toBe('{"code":422,"status":"Unprocessable Entity","errors":{"query":{"timeseries":{"0":["Not a valid integer."]}}}}\n');
  });

  it('datetimes: an unencoded + is a space (Not a valid datetime.), naive and date-only and out-of-range refused', async () => {
    const base = `/timeseries_data/?timeseries=1&data_state=1&end_time=2026-11-20T00:00:00Z`;
    const cases: Array<[string, string]> = [
      ['2020-01-01T00:00:00+00:00', 'Not a valid datetime.'],
      ['2020-01-01T00%3A00%3A00', 'Not a valid aware datetime.'],
      ['2020-01-01', 'Not a valid datetime.'],
      [
        '2500-01-01T00%3A00%3A00Z',
        'Must be greater than or equal to 1680-01-01 00:00:00+00:00 and less than or equal to 2260-01-01 00:00:00+00:00.',
      ],
      ['2020-02-30T00%3A00%3A00Z', 'Not a valid datetime.'],
    ];
    for (const [v, msg] of cases) {
      const r = await call(url, `${base}&start_time=${v}`, { token });
      expect(r.status).toBe(422);
      expect(r.body.errors.query).toEqual({ start_time: [msg] });
    }
    for (const ok of [
      '2026-11-20T10%3A00%3A00%2B00%3A00',
      '2026-11-20T10%3A00Z',
      '2026-11-20 10%3A00%3A00.5%2B0100',
      '2026-11-20T10%3A00%3A00-03',
    ]) {
      expect(
        (await call(url, `${base.replace('end_time=2026-11-20T00:00:00Z', 'end_time=2026-11-21T00:00:00Z')}&start_time=${ok}`, { token }))
          .status,
      ).toBe(200);
    }
  });

  it('unknown query parameters are ignored; unknown JSON fields are "Unknown field."', async () => {
    expect((await call(url, '/sites/?foo=bar&campaign_id=1', { token })).body).toHaveLength(2);
    const r = await call(url, '/sites/', { token, body: { name: 'X', campaign_id: 1, id: 9, foo: 1 } });
    expect(r.status).toBe(422);
    expect(r.body.errors.json).toEqual({ id: ['Unknown field.'], foo: ['Unknown field.'] });
  });

  it('a JSON endpoint with a malformed body is 400, with another Content-Type the body counts as missing', async () => {
    const broken = await call(url, '/sites/', { token, body: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.text).toBe('{"code":400,"status":"Bad Request","errors":{"json":["Invalid JSON body."]}}\n');
    const text = await call(url, '/sites/', { token, body: '{"name": "x", "campaign_id": 1}', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(422);
    expect(text.body.errors.json).toEqual({
      name: ['Missing data for required field.'],
      campaign_id: ['Missing data for required field.'],
    });
  });

  it('the Date header follows the simulator clock', async () => {
    const r = await call(url, '/about/');
    expect(r.headers.get('date')).toBe(new Date(NOW).toUTCString());
  });
});

// =============================================================================================
// §6 Resources, §4 pagination, §5 ETags
// =============================================================================================

/** json.dumps(sort_keys=True) with ensure_ascii, for checking ETags (§5). */
const etagOf = (data: unknown): string =>
  sha1(pySortedDumps(data).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

describe('resources, pagination and filters (§4, §6)', () => {
  let sim: BemServerSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url, token } = await startLoggedIn());
  });
  const get = (path: string, headers: Record<string, string> = {}) => call(url, path, { token, headers });
  const tsIds = async (query: string): Promise<number[]> => {
    const r = await get(`/timeseries/?page_size=100&${query}`);
    expect(r.status).toBe(200);
    return (r.body as Array<{ id: number }>).map((t) => t.id).sort((a, b) => a - b);
  };

  it('campaign 1 "Smart buildings 2026" (Europe/Paris), its two scopes and two zones', async () => {
    const c = await get('/campaigns/');
    expect(c.text).toBe(
      '[{"id":1,"name":"Smart buildings 2026","description":"Suivi \\u00e9nerg\\u00e9tique et confort des b\\u00e2timents","start_time":"2025-01-01T00:00:00+00:00","timezone":"Europe/Paris"}]\n',
    );
    expect((await get('/campaign_scopes/?campaign_id=1')).body.map((s: J) => s.name)).toEqual(['Energy monitoring', 'Indoor comfort']);
    expect((await get('/zones/')).body.map((z: J) => [z.id, z.name, z.campaign_id])).toEqual([
      [1, 'Zone Nord', 1],
      [2, 'Zone Sud', 1],
    ]);
  });

  it('sites with coordinates, buildings, storeys and spaces, filtered by parent, campaign, name and ifc_id', async () => {
    const sites = await get('/sites/?campaign_id=1');
    expect(sites.body.map((s: J) => [s.name, s.latitude, s.longitude])).toEqual([
      ['Campus Lille', 50.6127, 3.1432],
      ['Siège Bayonne', 43.47394, -1.5094],
    ]);
    expect((await get('/sites/?ifc_id=3vB2YO%24MX4xv5uCqZZG05x')).body.map((s: J) => s.id)).toEqual([1]);
    expect((await get('/sites/?sort=-name')).body.map((s: J) => s.id)).toEqual([2, 1]);
    expect((await get('/buildings/?site_id=1')).body.map((b: J) => b.name)).toEqual(['Bâtiment A', 'Bâtiment B']);
    expect((await get('/buildings/?campaign_id=1')).body).toHaveLength(3);
    expect((await get('/storeys/?building_id=1')).body.map((s: J) => s.name)).toEqual(['RDC', 'Étage 1', 'Étage 2']);
    expect((await get('/storeys/?site_id=1')).body).toHaveLength(5);
    expect((await get(`/storeys/?name=${encodeURIComponent('Étage 1')}`)).body).toHaveLength(3);
    const spaces = await get('/spaces/?storey_id=2');
    expect(spaces.body.map((s: J) => s.name)).toEqual(['Bureau 1.01', 'Bureau 1.02', 'Salle de réunion']);
    expect((await get('/spaces/?building_id=1')).body).toHaveLength(8);
    expect((await get('/spaces/?site_id=2')).body).toHaveLength(4);
    expect((await get('/spaces/?campaign_id=1')).body).toHaveLength(17);
    expect((await get('/spaces/?campaign_id=99')).body).toEqual([]); // a nonexistent filter target: empty (§3)
  });

  it('data states Raw (1) and Clean (2); properties Min, Max, Interval (s) with Interval "600" for generated series', async () => {
    expect((await get('/timeseries_data_states/')).text).toBe('[{"id":1,"name":"Raw"},{"id":2,"name":"Clean"}]\n');
    // As bemserver-api 0.27.0 on a fresh bemserver-core 0.22 database writes it (real server).
    expect((await get('/timeseries_properties/')).text).toBe(
      '[{"id":1,"name":"Min","value_type":"float","description":"Minimum expected value"},{"id":2,"name":"Max","value_type":"float","description":"Maximum expected value"},{"id":3,"name":"Interval","value_type":"float","unit_symbol":"s","description":"Expected interval"}]\n',
    );
    const pd = await get('/timeseries_property_data/?timeseries_id=11');
    expect(pd.body.map((d: J) => [d.property_id, d.value])).toEqual([
      [1, '0'],
      [2, '50'],
      [3, '600'],
    ]);
    expect((await get('/timeseries_property_data/?property_id=3')).body).toHaveLength(61);
    expect((await get('/timeseries_property_data/?timeseries_id=62')).body).toEqual([]); // the manual meter
  });

  it('≥ 60 timeseries, names unique in the campaign; unit_symbol always present; the manual meter', async () => {
    const all: J[] = [];
    for (let page = 1; page <= 7; page++) all.push(...(await get(`/timeseries/?page=${page}`)).body);
    expect(all).toHaveLength(62);
    expect(new Set(all.map((t) => t.name)).size).toBe(62);
    expect(all.every((t) => typeof t.unit_symbol === 'string' && t.campaign_id === 1)).toBe(true);
    expect((await get('/timeseries/62')).text).toBe(
      '{"id":62,"name":"Compteur manuel","unit_symbol":"kWh","description":"Relev\\u00e9s saisis \\u00e0 la main","campaign_id":1,"campaign_scope_id":1}\n',
    );
    expect(sim.timeseriesIds()).toEqual(all.map((t) => t.id));
    expect(sim.timeseriesIds({ kind: 'manual' })).toEqual([62]);
    expect(sim.timeseriesIds({ kind: 'electricity' })).toEqual([1, 3, 5]);
    expect(sim.timeseriesIds({ unit: '°C' })).toHaveLength(19);
  });

  it('X-Pagination exactly as flask-smorest writes it: default 10 per page, last page, past the end, no items', async () => {
    const p1 = await get('/timeseries/');
    expect(p1.body).toHaveLength(10);
    expect(p1.headers.get('x-pagination')).toBe(
      '{"total": 62, "total_pages": 7, "first_page": 1, "last_page": 7, "page": 1, "next_page": 2}',
    );
    const p3 = await get('/timeseries/?page=3&page_size=25');
    expect(p3.body).toHaveLength(12);
    expect(p3.headers.get('x-pagination')).toBe(
      '{"total": 62, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 3, "previous_page": 2}',
    );
    expect(p3.body[0].id).toBe(51);
    const past = await get('/timeseries/?page=9&page_size=25');
    expect(past.status).toBe(200);
    expect(past.text).toBe('[]\n');
    expect(past.headers.get('x-pagination')).toBe('{"total": 62, "total_pages": 3, "first_page": 1, "last_page": 3}');
    const none = await get('/timeseries/?name=nothing');
    expect(none.text).toBe('[]\n');
    expect(none.headers.get('x-pagination')).toBe('{"total": 0, "total_pages": 0}');
    const links = await get('/timeseries_by_spaces/?page_size=20&page=2');
    expect(links.headers.get('x-pagination')).toBe(
      '{"total": 51, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 2, "previous_page": 1, "next_page": 3}',
    );
    expect((await get('/sites/')).headers.get('x-pagination')).toBeNull(); // not paginated
  });

  it('page_size above 100 or page below 1: 422', async () => {
    const r = await get('/timeseries/?page_size=101');
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"code":422,"status":"Unprocessable Entity","errors":{"query":{"page_size":["Must be greater than or equal to 1 and less than or equal to 100."]}}}\n',
    );
    expect((await get('/timeseries/?page=0')).body.errors.query).toEqual({ page: ['Must be greater than or equal to 1.'] });
    expect((await get('/timeseries_by_sites/?page=x')).body.errors.query).toEqual({ page: ['Not a valid integer.'] });
  });

  it('timeseries filters: unit, scope, name, in_name (case-insensitive), sort', async () => {
    expect(await tsIds(`unit_symbol=${encodeURIComponent('°C')}`)).toHaveLength(19);
    expect(await tsIds('unit_symbol=ppm')).toHaveLength(17);
    expect(await tsIds('unit_symbol=kWh')).toEqual([1, 2, 3, 4, 5, 6, 62]);
    expect(await tsIds('campaign_scope_id=2')).toHaveLength(51);
    expect(await tsIds('name=Compteur%20manuel')).toEqual([62]);
    expect(await tsIds('in_name=bureau%201.01')).toEqual([20, 21, 22, 41, 42, 43, 56, 57, 58]);
    const sorted = await get('/timeseries/?sort=name&page_size=3');
    expect(sorted.body.map((t: J) => t.name)).toEqual([
      'Bâtiment A - Chaleur',
      'Bâtiment A - Électricité',
      'Bâtiment A / Étage 1 / Bureau 1.01 - CO2',
    ]);
    const bad = await get('/timeseries/?sort=unit_symbol');
    expect(bad.status).toBe(422);
    expect(bad.body.errors.query).toEqual({ sort: { '0': ['Must be one of: name, +name, -name.'] } });
    expect((await get('/timeseries/?unit_symbol=parsec_per_fortnight')).body.errors.query).toEqual({ unit_symbol: ['Undefined unit.'] });
  });

  it('timeseries of sites, buildings, storeys, spaces and zones: x_id is direct, recurse_x_id the subtree', async () => {
    expect(await tsIds('site_id=1')).toEqual([7, 8]);
    expect(await tsIds('recurse_site_id=1')).toHaveLength(2 + 4 + 1 + 39);
    expect(await tsIds('building_id=2')).toEqual([3, 4]);
    expect(await tsIds('recurse_building_id=2')).toEqual([3, 4, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 62]);
    expect(await tsIds('storey_id=4')).toEqual([62]);
    expect(await tsIds('recurse_storey_id=4')).toEqual([35, 36, 37, 38, 39, 40, 62]);
    expect(await tsIds('space_id=1')).toEqual([11, 12, 13]);
    expect(await tsIds('zone_id=1')).toEqual([20, 23, 26, 41]);
    expect(await tsIds('zone_id=2')).toEqual([29, 32, 44]);
    expect(await tsIds('site_id=99')).toEqual([]);
    const both = await get('/timeseries/?site_id=1&recurse_site_id=1');
    expect(both.status).toBe(422);
    expect(both.text).toBe(
      '{"code":422,"status":"Unprocessable Entity","errors":{"query":{"_schema":["site_id and recurse_site_id are mutually exclusive arguments"]}}}\n',
    );
    expect((await get('/timeseries/?building_id=1&recurse_building_id=1')).body.errors.query._schema).toEqual([
      'building_id and recurse_building_id are mutually exclusive arguments',
    ]);
  });

  it('properties filter: a JSON object of strings; all pairs must match', async () => {
    const q = (o: unknown) => `properties=${encodeURIComponent(typeof o === 'string' ? o : JSON.stringify(o))}`;
    expect(await tsIds(q({ Interval: '600' }))).toHaveLength(61);
    expect(await tsIds(q({ Min: '0', Max: '5000' }))).toHaveLength(17);
    expect(await tsIds(q({ Nope: '1' }))).toEqual([]);
    const bad = await get(`/timeseries/?${q({ Min: 12 })}`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.query.properties).toBeDefined();
    expect((await get(`/timeseries/?${q('{oops')}`)).status).toBe(422);
  });

  it('timeseries_by_* rows nest their read-only parents (no id), paginated', async () => {
    const spaces = await get('/timeseries_by_spaces/?timeseries_id=11');
    expect(spaces.text).toBe(
      '[{"id":1,"site":{"name":"Campus Lille","latitude":50.6127,"longitude":3.1432,"description":"Campus tertiaire, deux b\\u00e2timents","ifc_id":"3vB2YO$MX4xv5uCqZZG05x","campaign_id":1},' +
        '"building":{"name":"B\\u00e2timent A","description":"Bureaux, 3 niveaux","ifc_id":"1hOSvn6df7F8_7GcBWlR72","site_id":1},"storey":{"name":"RDC","building_id":1},' +
        '"space":{"name":"Accueil","storey_id":1},"timeseries_id":11,"space_id":1}]\n',
    );
    expect(spaces.headers.get('etag')).toBeNull(); // associations carry no ETag (§5)
    const zones = await get('/timeseries_by_zones/?zone_id=2');
    expect(zones.body.map((z: J) => [z.zone.name, z.timeseries_id])).toEqual([
      ['Zone Sud', 29],
      ['Zone Sud', 32],
      ['Zone Sud', 44],
    ]);
    expect(Object.keys(zones.body[0])).toEqual(['id', 'zone', 'timeseries_id', 'zone_id']);
    const buildings = await get('/timeseries_by_buildings/?building_id=3');
    expect(buildings.body.map((b: J) => [b.site.name, b.building.name, b.timeseries_id])).toEqual([
      ['Siège Bayonne', 'Siège', 5],
      ['Siège Bayonne', 'Siège', 6],
    ]);
    expect((await get('/timeseries_by_sites/')).body.map((s: J) => [s.timeseries_id, s.site_id])).toEqual([
      [7, 1],
      [8, 1],
      [9, 2],
      [10, 2],
    ]);
    expect((await get('/timeseries_by_storeys/')).body.map((s: J) => [s.timeseries_id, s.storey.name, s.building.name])).toEqual([
      [62, 'RDC', 'Bâtiment B'],
    ]);
  });

  it('ETag = quoted sha1 of json.dumps(sort_keys=True) of the data (lists: with X-Pagination); If-None-Match → 304', async () => {
    const states = await get('/timeseries_data_states/');
    expect(states.headers.get('etag')).toBe(
      etagOf([
        { id: 1, name: 'Raw' },
        { id: 2, name: 'Clean' },
      ]),
    );
    const site = await get('/sites/2');
    expect(site.headers.get('etag')).toBe(etagOf(site.body));
    const page = await get('/timeseries/?name=Compteur%20manuel');
    expect(page.headers.get('etag')).toBe(etagOf([page.body, [['X-Pagination', page.headers.get('x-pagination')]]]));
    expect((await get('/timeseries/?page=2')).headers.get('etag')).not.toBe((await get('/timeseries/?page=1')).headers.get('etag'));
    const cached = await get('/sites/2', { 'if-none-match': site.headers.get('etag')! });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    expect((await get('/sites/', { 'if-none-match': (await get('/sites/')).headers.get('etag')! })).status).toBe(304);
    expect((await get('/sites/2', { 'if-none-match': '"0000"' })).status).toBe(200);
  });
});

describe('writes to resources: 201/409, full-replacement PUT, If-Match 428/412/*, cascading DELETE (§5, §6)', () => {
  let sim: BemServerSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url, token } = await startLoggedIn());
  });
  const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(url, path, { method, token, body, headers });

  it('POST /sites/: 201 with the object and its ETag; the same name again 409 Unique; a missing campaign 409 Foreign key', async () => {
    const r = await req('POST', '/sites/', { name: 'Site 1', campaign_id: 1 });
    expect(r.status).toBe(201);
    expect(r.text).toBe('{"id":3,"name":"Site 1","campaign_id":1}\n');
    expect(r.headers.get('etag')).toBe(etagOf({ id: 3, name: 'Site 1', campaign_id: 1 }));
    const dup = await req('POST', '/sites/', { name: 'Site 1', campaign_id: 1 });
    expect(dup.status).toBe(409);
    expect(dup.text).toBe('{"code":409,"status":"Conflict","message":"Unique constraint violation"}\n');
    const fk = await req('POST', '/sites/', { name: 'Site 2', campaign_id: 99 });
    expect(fk.status).toBe(409);
    expect(fk.text).toBe('{"code":409,"status":"Conflict","message":"Foreign key constraint violation"}\n');
    const invalid = await req('POST', '/sites/', { name: '', latitude: 91, campaign_id: 'x' });
    expect(invalid.body.errors.json).toEqual({
      name: ['Length must be between 1 and 80.'],
      latitude: ['Must be greater than or equal to -90 and less than or equal to 90.'],
      campaign_id: ['Not a valid integer.'],
    });
  });

  it('the contract ETag example: {"id": 1, "name": "Site 1"} → "14db44c76db5dc6f7d3115c27bb137674d07a7c9"', async () => {
    const r = await req('PUT', '/timeseries_data_states/1', { name: 'Site 1' }, { 'if-match': '*' });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"14db44c76db5dc6f7d3115c27bb137674d07a7c9"');
    await req('PUT', '/timeseries_data_states/1', { name: 'Raw' }, { 'if-match': '*' });
  });

  it('PUT needs If-Match: missing 428 (before validation and 404), stale 412, * passes; the answer has the new ETag', async () => {
    const site = await req('GET', '/sites/3');
    const noIfMatch = await req('PUT', '/sites/3', { name: 'Site 1' });
    expect(noIfMatch.status).toBe(428);
    expect(noIfMatch.text).toBe('{"code":428,"status":"Precondition Required"}\n');
    expect((await req('PUT', '/sites/999', { bad: 1 })).status).toBe(428);
    expect((await req('PUT', '/sites/999', { name: 'x' }, { 'if-match': '*' })).status).toBe(404);
    const stale = await req('PUT', '/sites/3', { name: 'Site 1' }, { 'if-match': '"0123456789012345678901234567890123456789"' });
    expect(stale.status).toBe(412);
    expect(stale.text).toBe('{"code":412,"status":"Precondition Failed"}\n');
    const ok = await req('PUT', '/sites/3', { name: 'Site 1', description: 'Fantastic site' }, { 'if-match': site.headers.get('etag')! });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('{"id":3,"name":"Site 1","description":"Fantastic site","campaign_id":1}\n');
    expect(ok.headers.get('etag')).not.toBe(site.headers.get('etag'));
    // Full replacement: what is left out becomes null (and disappears); the parent is not a PUT field.
    const replaced = await req('PUT', '/sites/3', { name: 'Site 1' }, { 'if-match': ok.headers.get('etag')! });
    expect(replaced.text).toBe('{"id":3,"name":"Site 1","campaign_id":1}\n');
    const parent = await req('PUT', '/sites/3', { name: 'Site 1', campaign_id: 1 }, { 'if-match': '*' });
    expect(parent.status).toBe(422);
    expect(parent.body.errors.json).toEqual({ campaign_id: ['Unknown field.'] });
    expect((await req('PUT', '/sites/3', { name: 'Siège Bayonne' }, { 'if-match': '*' })).status).toBe(409);
  });

  it('DELETE needs If-Match on ETag resources: 428, then 204 with an empty body; associations need none', async () => {
    expect((await req('DELETE', '/sites/3')).status).toBe(428);
    const del = await req('DELETE', '/sites/3', undefined, { 'if-match': '*' });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(del.headers.get('content-type')).toBe('application/json');
    expect((await req('GET', '/sites/3')).text).toBe(NOT_FOUND);
    expect((await req('DELETE', '/sites/3', undefined, { 'if-match': '*' })).status).toBe(404);
    const link = await req('DELETE', '/timeseries_by_zones/1');
    expect(link.status).toBe(204);
    expect((await req('GET', '/timeseries_by_zones/1')).status).toBe(404);
  });

  it('POST /timeseries/: unit_symbol defaults to "", undefined units refused, scope must exist, names unique per campaign', async () => {
    const r = await req('POST', '/timeseries/', {
      name: 'Timeseries 1',
      description: 'Timeseries example 1',
      campaign_id: 1,
      campaign_scope_id: 1,
    });
    expect(r.status).toBe(201);
    expect(r.text).toBe(
      '{"id":63,"name":"Timeseries 1","unit_symbol":"","description":"Timeseries example 1","campaign_id":1,"campaign_scope_id":1}\n',
    );
    const withUnit = await req('POST', '/timeseries/', { name: 'Timeseries 2', campaign_id: 1, campaign_scope_id: 1, unit_symbol: '°C' });
    expect(withUnit.text).toContain('"unit_symbol":"\\u00b0C"');
    expect(
      (await req('POST', '/timeseries/', { name: 'T', campaign_id: 1, campaign_scope_id: 1, unit_symbol: 'bananas' })).body.errors.json,
    ).toEqual({ unit_symbol: ['Undefined unit.'] });
    expect((await req('POST', '/timeseries/', { name: 'T', campaign_id: 1, campaign_scope_id: 9 })).text).toBe(
      '{"code":409,"status":"Conflict","message":"Foreign key constraint violation"}\n',
    );
    expect((await req('POST', '/timeseries/', { name: 'Compteur manuel', campaign_id: 1, campaign_scope_id: 2 })).status).toBe(409);
    const put = await req('PUT', '/timeseries/63', { name: 'Timeseries 1', campaign_scope_id: 2 }, { 'if-match': '*' });
    expect(put.body.errors.json).toEqual({ campaign_scope_id: ['Unknown field.'] });
    expect(sim.timeseriesIds({ kind: 'custom' })).toEqual([63, 64]);
  });

  it('links and property data: 201, 409 on duplicates, values checked against the property type', async () => {
    const link = await req('POST', '/timeseries_by_buildings/', { building_id: 1, timeseries_id: 63 });
    expect(link.status).toBe(201);
    expect(link.body).toEqual({
      id: 7,
      site: {
        name: 'Campus Lille',
        latitude: 50.6127,
        longitude: 3.1432,
        description: 'Campus tertiaire, deux bâtiments',
        ifc_id: '3vB2YO$MX4xv5uCqZZG05x',
        campaign_id: 1,
      },
      building: { name: 'Bâtiment A', description: 'Bureaux, 3 niveaux', ifc_id: '1hOSvn6df7F8_7GcBWlR72', site_id: 1 },
      timeseries_id: 63,
      building_id: 1,
    });
    expect(link.headers.get('etag')).toBeNull();
    expect((await req('POST', '/timeseries_by_buildings/', { building_id: 1, timeseries_id: 63 })).status).toBe(409);
    expect((await req('POST', '/timeseries_by_buildings/', { building_id: 77, timeseries_id: 63 })).status).toBe(409);
    expect(await tsIdsOf(url, token, 'building_id=1')).toEqual([1, 2, 63]);
    const badValue = await req('POST', '/timeseries_property_data/', { timeseries_id: 63, property_id: 1, value: 'twelve' });
    expect(badValue.status).toBe(422);
    expect(badValue.body.errors).toEqual({ json: { value: ['Invalid type.'] } });
    const good = await req('POST', '/timeseries_property_data/', { timeseries_id: 63, property_id: 1, value: '12.5' });
    expect(good.status).toBe(201);
    expect(good.text).toBe(`{"id":${good.body.id},"timeseries_id":63,"property_id":1,"value":"12.5"}\n`);
    expect((await req('POST', '/timeseries_property_data/', { timeseries_id: 63, property_id: 1, value: '13' })).status).toBe(409);
  });

  it('campaigns: IANA timezone from the allowed list; datetimes come back in UTC', async () => {
    const bad = await req('POST', '/campaigns/', { name: 'C', timezone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.json.timezone[0]).toMatch(/^Must be one of: Africa\/Abidjan, Africa\/Accra, .*Europe\/Paris.*, UTC, WET\.$/);
    const c = await req('POST', '/campaigns/', {
      name: 'Campaign 1',
      start_time: '2012-09-04T02:00:00+02:00',
      end_time: '2017-09-29T00:00:00+00:00',
      timezone: 'Europe/Paris',
    });
    expect(c.status).toBe(201);
    expect(c.text).toBe(
      '{"id":2,"name":"Campaign 1","start_time":"2012-09-04T00:00:00+00:00","end_time":"2017-09-29T00:00:00+00:00","timezone":"Europe/Paris"}\n',
    );
    expect((await req('POST', '/campaigns/', { name: 'C2', timezone: 'UTC', start_time: '2012-09-04T00:00:00' })).body.errors.json).toEqual(
      {
        start_time: ['Not a valid aware datetime.'],
      },
    );
    expect((await req('GET', '/campaigns/?in_name=CAMPAIGN')).body.map((x: J) => x.id)).toEqual([2]);
  });

  it('properties and data states: value_type is not a PUT field; length limits; 409 on names', async () => {
    const put = await req('PUT', '/timeseries_properties/3', { name: 'Interval', value_type: 'integer' }, { 'if-match': '*' });
    expect(put.body.errors.json).toEqual({ value_type: ['Unknown field.'] });
    const long = await req(
      'PUT',
      '/timeseries_properties/3',
      { name: 'Interval', description: 'x'.repeat(251), unit_symbol: 's' },
      { 'if-match': '*' },
    );
    expect(long.body.errors.json).toEqual({ description: ['Longer than maximum length 250.'] });
    const prop = await req('POST', '/timeseries_properties/', { name: 'Deutsche Qualität', value_type: 'float', unit_symbol: 'kW' });
    expect(prop.text).toBe(`{"id":4,"name":"Deutsche Qualit\\u00e4t","value_type":"float","unit_symbol":"kW"}\n`);
    expect((await req('POST', '/timeseries_properties/', { name: 'Min' })).status).toBe(409);
    expect((await req('POST', '/timeseries_data_states/', { name: 'Clean' })).status).toBe(409);
    const state = await req('POST', '/timeseries_data_states/', { name: 'Forecast' });
    expect(state.text).toBe('{"id":3,"name":"Forecast"}\n');
    const r = await call(
      url,
      `/timeseries_data/?${qs([...ids(1), ['start_time', iso(NOW - HOUR)], ['end_time', iso(NOW)], ['data_state', 3]])}`,
      { token },
    );
    expect(r.text).toBe('{}'); // a known data state without data
  });

  it('HEAD and OPTIONS; If-None-Match with * or a weak tag', async () => {
    const head = await req('HEAD', '/sites/1');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    const options = await call(url, '/sites/', { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expect((await req('GET', '/sites/1', undefined, { 'if-none-match': '*' })).status).toBe(304);
    expect((await req('GET', '/sites/1', undefined, { 'if-none-match': `"x", W/${head.headers.get('etag')}` })).status).toBe(304);
  });

  it('deleting a campaign cascades: scopes, sites, buildings, timeseries, links and data are gone', async () => {
    const s = await startLoggedIn();
    const del = await call(s.url, '/campaigns/1', { method: 'DELETE', token: s.token, headers: { 'if-match': '*' } });
    expect(del.status).toBe(204);
    for (const res of [
      'campaign_scopes',
      'sites',
      'buildings',
      'storeys',
      'spaces',
      'zones',
      'timeseries_by_spaces',
      'timeseries_property_data',
    ]) {
      const r = await call(s.url, `/${res}/`, { token: s.token });
      expect(r.text).toBe('[]\n');
    }
    const ts = await call(s.url, '/timeseries/', { token: s.token });
    expect(ts.headers.get('x-pagination')).toBe('{"total": 0, "total_pages": 0}');
    const data = await call(s.url, `/timeseries_data/?${qs([...ids(1), ...Object.entries(FIXTURE_WINDOW)])}`, { token: s.token });
    expect(data.body.message).toBe('Unknown timeseries: [1]');
    expect((await call(s.url, '/timeseries_properties/', { token: s.token })).body).toHaveLength(3); // not campaign-bound
  });
});

async function tsIdsOf(url: string, token: string, query: string): Promise<number[]> {
  const r = await call(url, `/timeseries/?page_size=100&${query}`, { token });
  return (r.body as Array<{ id: number }>).map((t) => t.id).sort((a, b) => a - b);
}

// =============================================================================================
// §7 Timeseries data
// =============================================================================================

describe('timeseries data: formats against the fixtures (§7.3–§7.6)', () => {
  let url: string;
  let token: string;
  let m: number; // a timeseries in meters holding the API tests' data (0, 1, 2, 3 hourly)
  beforeAll(async () => {
    ({ url, token } = await startLoggedIn());
    const created = await call(url, '/timeseries/', {
      token,
      body: { name: 'Timeseries 1', campaign_id: 1, campaign_scope_id: 1, unit_symbol: 'm' },
    });
    m = created.body.id;
    const post = await call(url, '/timeseries_data/?data_state=1', {
      token,
      body: FIXTURE_POST_JSON(m),
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(201);
  });
  const data = (route: string, params: Array<[string, string | number]>, accept = 'application/json') =>
    call(url, `/timeseries_data/${route}?${qs(params)}`, { token, headers: { accept } });
  const window = (): Array<[string, string | number]> => Object.entries(FIXTURE_WINDOW);

  it('JSON: json.dumps separators, floats with a decimal point, no newline, Content-Type application/json', async () => {
    const r = await data('', [...ids(m), ...window()]);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text).toBe(
      `{"${m}": {"2020-01-01T00:00:00+00:00": 0.0, "2020-01-01T01:00:00+00:00": 1.0, "2020-01-01T02:00:00+00:00": 2.0, "2020-01-01T03:00:00+00:00": 3.0}}`,
    );
  });

  it('timezone=Europe/Paris writes local offsets; convert_to=mm converts', async () => {
    const paris = await data('', [...ids(m), ...window(), ['timezone', 'Europe/Paris']]);
    expect(paris.text).toBe(
      `{"${m}": {"2020-01-01T01:00:00+01:00": 0.0, "2020-01-01T02:00:00+01:00": 1.0, "2020-01-01T03:00:00+01:00": 2.0, "2020-01-01T04:00:00+01:00": 3.0}}`,
    );
    const mm = await data('', [...ids(m), ...window(), ['convert_to', 'mm']]);
    expect(mm.text).toBe(
      `{"${m}": {"2020-01-01T00:00:00+00:00": 0.0, "2020-01-01T01:00:00+00:00": 1000.0, "2020-01-01T02:00:00+00:00": 2000.0, "2020-01-01T03:00:00+00:00": 3000.0}}`,
    );
    const none = await data('', [...ids(m), ...window(), ['convert_to', '']]);
    expect(none.body[String(m)]['2020-01-01T03:00:00+00:00']).toBe(3);
  });

  it('convert_to: same length as timeseries, defined units, compatible dimensions (422 each)', async () => {
    const size = await data('', [...ids(m, 1), ...window(), ['convert_to', 'mm']]);
    expect(size.text).toBe(
      '{"code":422,"status":"Unprocessable Entity","errors":{"query":{"_schema":["If provided, convert_to must be the same size as timeseries."]}}}\n',
    );
    const undef = await data('', [...ids(m), ...window(), ['convert_to', 'furlongs']]);
    expect(undef.body.errors.query).toEqual({ convert_to: { '0': ['Undefined unit.'] } });
    const dim = await data('', [...ids(m), ...window(), ['convert_to', 'Wh']]);
    expect(dim.status).toBe(422);
    expect(dim.body.message).toBe("Cannot convert from 'meter' ([length]) to 'watt_hour' ([length] ** 2 * [mass] / [time] ** 2)");
    const kwh = await data('', [
      ...ids(1),
      ['start_time', '2026-11-20T08:00:00Z'],
      ['end_time', '2026-11-20T08:10:00Z'],
      ['data_state', 1],
      ['convert_to', 'Wh'],
    ]);
    const raw = await data('', [
      ...ids(1),
      ['start_time', '2026-11-20T08:00:00Z'],
      ['end_time', '2026-11-20T08:10:00Z'],
      ['data_state', 1],
    ]);
    expect(kwh.body['1']['2026-11-20T08:00:00+00:00']).toBeCloseTo(raw.body['1']['2026-11-20T08:00:00+00:00'] * 1000, 6);
    const c = await data('', [
      ...ids(11),
      ['start_time', '2026-11-20T08:00:00Z'],
      ['end_time', '2026-11-20T08:10:00Z'],
      ['data_state', 1],
      ['convert_to', 'K'],
    ]);
    const cRaw = await data('', [
      ...ids(11),
      ['start_time', '2026-11-20T08:00:00Z'],
      ['end_time', '2026-11-20T08:10:00Z'],
      ['data_state', 1],
    ]);
    expect(c.body['11']['2026-11-20T08:00:00+00:00']).toBeCloseTo(cRaw.body['11']['2026-11-20T08:00:00+00:00'] + 273.15, 9);
  });

  it('CSV for exactly Accept: text/csv: +0000 offsets, empty cells, a newline after every line', async () => {
    const r = await data('', [...ids(m), ...window()], 'text/csv');
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.text).toBe(
      `Datetime,${m}\n2020-01-01T00:00:00+0000,0.0\n2020-01-01T01:00:00+0000,1.0\n2020-01-01T02:00:00+0000,2.0\n2020-01-01T03:00:00+0000,3.0\n`,
    );
    const paris = await data('', [...ids(m), ...window(), ['timezone', 'Europe/Paris']], 'text/csv');
    expect(paris.text.split('\n')[1]).toBe('2020-01-01T01:00:00+0100,0.0');
  });

  it('empty series: left out of JSON ({} when none has data), present in the CSV header', async () => {
    const json = await data('', [...ids(62, m), ...window()]);
    expect(Object.keys(json.body)).toEqual([String(m)]);
    const nothing = await data('', [...ids(62), ...window()]);
    expect(nothing.text).toBe('{}');
    const csv = await data('', [...ids(62, m), ...window()], 'text/csv');
    expect(csv.text.split('\n').slice(0, 2)).toEqual([`Datetime,62,${m}`, '2020-01-01T00:00:00+0000,,0.0']);
    expect((await data('', [...ids(62), ...window()], 'text/csv')).text).toBe('Datetime,62\n');
  });

  it('aggregate: 1 day avg as JSON and CSV, and with convert_to (the API test)', async () => {
    const p: Array<[string, string | number]> = [
      ...ids(m),
      ...window(),
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'day'],
      ['timezone', 'UTC'],
    ];
    expect((await data('aggregate', p)).text).toBe(`{"${m}": {"2020-01-01T00:00:00+00:00": 1.5}}`);
    const csv = await data('aggregate', p, 'text/csv');
    expect(csv.text).toBe(`Datetime,${m}\n2020-01-01T00:00:00+0000,1.5\n`);
    expect(csv.text.split('\n').filter(Boolean)).toHaveLength(2);
    expect((await data('aggregate', [...p, ['convert_to', 'mm']])).text).toBe(`{"${m}": {"2020-01-01T00:00:00+00:00": 1500.0}}`);
  });

  it('aggregate: every bucket for every series, null when empty, count as integers with 0', async () => {
    const base: Array<[string, string | number]> = [
      ['start_time', '2020-01-01T00:00:00Z'],
      ['end_time', '2020-01-01T06:00:00Z'],
      ['data_state', 1],
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'hour'],
    ];
    const avg = await data('aggregate', [...ids(m, 62), ...base]);
    const hours = ['00', '01', '02', '03', '04', '05'].map((h) => `"2020-01-01T${h}:00:00+00:00"`);
    const vals = ['0.0', '1.0', '2.0', '3.0', 'null', 'null'];
    expect(avg.text).toBe(
      `{"${m}": {${hours.map((h, i) => `${h}: ${vals[i]}`).join(', ')}}, "62": {${hours.map((h) => `${h}: null`).join(', ')}}}`,
    );
    const count = await data('aggregate', [...ids(m, 62), ...base, ['aggregation', 'count']]);
    expect(count.text).toBe(
      `{"${m}": {${hours.map((h, i) => `${h}: ${i < 4 ? 1 : 0}`).join(', ')}}, "62": {${hours.map((h) => `${h}: 0`).join(', ')}}}`,
    );
    const csv = await data('aggregate', [...ids(m, 62), ...base, ['aggregation', 'max']], 'text/csv');
    expect(csv.text.split('\n').slice(0, 2)).toEqual([`Datetime,${m},62`, '2020-01-01T00:00:00+0000,0.0,']);
    expect(csv.text.split('\n')[5]).toBe('2020-01-01T04:00:00+0000,,');
    const twoHours = await data('aggregate', [...ids(m), ...base.filter(([k]) => k !== 'bucket_width_value'), ['bucket_width_value', 2]]);
    expect(twoHours.text).toBe(
      `{"${m}": {"2020-01-01T00:00:00+00:00": 0.5, "2020-01-01T02:00:00+00:00": 2.5, "2020-01-01T04:00:00+00:00": null}}`,
    );
  });

  it('aggregate parameters: fixed units only take a width ≠ 1; units and aggregations from their lists', async () => {
    const base: Array<[string, string | number]> = [...ids(m), ...window()];
    const week2 = await data('aggregate', [...base, ['bucket_width_value', 2], ['bucket_width_unit', 'week']]);
    expect(week2.text).toBe(
      '{"code":422,"status":"Unprocessable Entity","errors":{"query":{"bucket_width_value":["Only fixed bucket width units (second, minute, hour) accept a value different than 1."]}}}\n',
    );
    const unit = await data('aggregate', [
      ...base,
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'fortnight'],
      ['aggregation', 'median'],
    ]);
    expect(unit.body.errors.query).toEqual({
      bucket_width_unit: ['Must be one of: second, minute, hour, day, week, month, year.'],
      aggregation: ['Must be one of: avg, sum, min, max, count.'],
    });
    const missing = await data('aggregate', base);
    expect(missing.body.errors.query).toEqual({
      bucket_width_value: ['Missing data for required field.'],
      bucket_width_unit: ['Missing data for required field.'],
    });
    expect((await data('aggregate', [...base, ['bucket_width_value', 0], ['bucket_width_unit', 'hour']])).body.errors.query).toEqual({
      bucket_width_value: ['Must be greater than or equal to 1.'],
    });
  });

  it('stats: first/last timestamp, count, min, max, avg, sample stddev; nulls and 0 without data', async () => {
    const r = await data('stats', [...ids(m, 62), ['data_state', 1]]);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text).toBe(
      `{"stats":{"${m}":{"first_timestamp":"2020-01-01T00:00:00+00:00","last_timestamp":"2020-01-01T03:00:00+00:00","count":4,"min":0.0,"max":3.0,"avg":1.5,"stddev":1.2909944487358056},` +
        '"62":{"first_timestamp":null,"last_timestamp":null,"count":0,"min":null,"max":null,"avg":null,"stddev":null}}}\n',
    );
    const paris = await data('stats', [...ids(m), ['data_state', 1], ['timezone', 'Europe/Paris']]);
    expect(paris.body.stats[String(m)].first_timestamp).toBe('2020-01-01T01:00:00+01:00');
  });

  it('by name (core fixtures): raw JSON and CSV in UTC and Europe/Paris', async () => {
    const s = await startLoggedIn();
    const campaign = await campaignWith(s.url, s.token, 'Fixtures', ['Timeseries 1', 'Timeseries 3', 'Timeseries 5']);
    const body = {
      'Timeseries 1': { '2020-01-01T00:00:00+00:00': 0, '2020-01-01T01:00:00+00:00': 1, '2020-01-01T02:00:00+00:00': 2 },
      'Timeseries 5': { '2020-01-01T00:00:00+00:00': 10, '2020-01-01T01:00:00+00:00': 12 },
    };
    expect((await call(s.url, `/timeseries_data/campaign/${campaign}/?data_state=1`, { token: s.token, body })).status).toBe(201);
    const names: Array<[string, string]> = ['Timeseries 1', 'Timeseries 3', 'Timeseries 5'].map((n) => ['timeseries', n]);
    const get = (tz: string, accept: string) =>
      call(
        s.url,
        `/timeseries_data/campaign/${campaign}/?${qs([...names, ['start_time', '2020-01-01T00:00:00+00:00'], ['end_time', '2020-01-01T03:00:00+00:00'], ['data_state', 1], ['timezone', tz]])}`,
        {
          token: s.token,
          headers: { accept },
        },
      );
    expect((await get('UTC', 'application/json')).text).toBe(CORE.RAW_UTC_JSON);
    expect((await get('Europe/Paris', 'application/json')).text).toBe(CORE.RAW_PARIS_JSON);
    expect((await get('UTC', 'text/csv')).text).toBe(CORE.RAW_UTC_CSV);
    expect((await get('Europe/Paris', 'text/csv')).text).toBe(CORE.RAW_PARIS_CSV);
    expect(s.sim.requests('timeseries_data/campaign')).toHaveLength(4);
    expect(s.sim.requests('timeseries_data/campaign/post')).toHaveLength(1);
  });

  it('by name (core fixtures): day buckets avg/sum/min/max in UTC and avg in Europe/Paris, JSON and CSV', async () => {
    const s = await startLoggedIn();
    const campaign = await campaignWith(s.url, s.token, 'Fixtures', ['Timeseries 1', 'Timeseries 3', 'Timeseries 5']);
    // "Timeseries 1" = 0..71 hourly, "Timeseries 5" = 10, 12, … for 48 h, posted as CSV by name.
    const rows = Array.from(
      { length: 72 },
      (_, h) => `${iso(Date.UTC(2020, 0, 1) + h * HOUR).replace('.000Z', '+00:00')},${h},${h < 48 ? 10 + 2 * h : ''}`,
    );
    const csv = `Datetime,Timeseries 1,Timeseries 5\n${rows.join('\n')}\n`;
    const post = await call(s.url, `/timeseries_data/campaign/${campaign}/?data_state=1`, {
      token: s.token,
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(post.status).toBe(201);
    const names: Array<[string, string]> = ['Timeseries 1', 'Timeseries 3', 'Timeseries 5'].map((n) => ['timeseries', n]);
    const agg = (aggregation: string, tz: string, accept: string, start: string, end: string) =>
      call(
        s.url,
        `/timeseries_data/campaign/${campaign}/aggregate?${qs([...names, ['start_time', start], ['end_time', end], ['data_state', 1], ['bucket_width_value', 1], ['bucket_width_unit', 'day'], ['aggregation', aggregation], ['timezone', tz]])}`,
        { token: s.token, headers: { accept } },
      ).then((r) => r.text);
    const utc = ['2020-01-01T00:00:00+00:00', '2020-01-04T00:00:00+00:00'] as const;
    expect(await agg('avg', 'UTC', 'application/json', ...utc)).toBe(CORE.BUCKET_AVG_UTC_JSON);
    expect(await agg('sum', 'UTC', 'application/json', ...utc)).toBe(CORE.BUCKET_SUM_UTC_JSON);
    expect(await agg('min', 'UTC', 'application/json', ...utc)).toBe(CORE.BUCKET_MIN_UTC_JSON);
    expect(await agg('max', 'UTC', 'application/json', ...utc)).toBe(CORE.BUCKET_MAX_UTC_JSON);
    expect(await agg('avg', 'UTC', 'text/csv', ...utc)).toBe(CORE.BUCKET_AVG_UTC_CSV);
    expect(await agg('sum', 'UTC', 'text/csv', ...utc)).toBe(CORE.BUCKET_SUM_UTC_CSV);
    expect(await agg('min', 'UTC', 'text/csv', ...utc)).toBe(CORE.BUCKET_MIN_UTC_CSV);
    expect(await agg('max', 'UTC', 'text/csv', ...utc)).toBe(CORE.BUCKET_MAX_UTC_CSV);
    const paris = ['2020-01-01T00:00:00+01:00', '2020-01-04T00:00:00+01:00'] as const;
    expect(await agg('avg', 'Europe/Paris', 'application/json', ...paris)).toBe(CORE.BUCKET_AVG_PARIS_JSON);
    expect(await agg('avg', 'Europe/Paris', 'text/csv', ...paris)).toBe(CORE.BUCKET_AVG_PARIS_CSV);
    const stats = await call(s.url, `/timeseries_data/campaign/${campaign}/stats?${qs([...names, ['data_state', 1]])}`, { token: s.token });
    expect(Object.keys(stats.body.stats)).toEqual(['Timeseries 1', 'Timeseries 3', 'Timeseries 5']);
    expect(stats.body.stats['Timeseries 5']).toMatchObject({ count: 48, min: 10, max: 104, avg: 57 });
    expect(s.sim.requests('timeseries_data/campaign/aggregate')).toHaveLength(10);
    expect(s.sim.requests('timeseries_data/campaign/stats')).toHaveLength(1);
  });
});

describe('timeseries data: the generated portfolio (§7, seed data)', () => {
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ url, token } = await startLoggedIn());
  });
  const raw = async (
    id: number,
    from: number,
    to: number,
    ds = 1,
    extra: Array<[string, string | number]> = [],
  ): Promise<Record<string, number>> => {
    const r = await call(
      url,
      `/timeseries_data/?${qs([...ids(id), ['start_time', iso(from)], ['end_time', iso(to)], ['data_state', ds], ...extra])}`,
      { token, headers: { accept: 'application/json' } },
    );
    expect(r.status).toBe(200);
    return (r.body[String(id)] ?? {}) as Record<string, number>;
  };
  const values = (o: Record<string, number>) => Object.values(o);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const THURSDAY = Date.UTC(2026, 10, 19); // a workday; local = UTC + 1 h
  const SUNDAY = Date.UTC(2026, 10, 15);

  it('10-minute points, start inclusive, end exclusive', async () => {
    const pts = await raw(1, Date.UTC(2026, 10, 20, 8), Date.UTC(2026, 10, 20, 9));
    expect(Object.keys(pts)).toEqual(['00', '10', '20', '30', '40', '50'].map((m) => `2026-11-20T08:${m}:00+00:00`));
    const off = await raw(1, Date.UTC(2026, 10, 20, 8, 5), Date.UTC(2026, 10, 20, 8, 20));
    expect(Object.keys(off)).toEqual(['2026-11-20T08:10:00+00:00']);
  });

  it("nothing in the future: data stops at the simulator's now", async () => {
    const pts = await raw(11, NOW - HOUR, NOW + DAY);
    const keys = Object.keys(pts);
    expect(keys).toHaveLength(7);
    expect(keys.at(-1)).toBe('2026-11-20T12:00:00+00:00');
    expect(await raw(11, NOW + MIN, NOW + DAY)).toEqual({});
    expect(await raw(11, Date.UTC(2024, 11, 31), Date.UTC(2025, 0, 1))).toEqual({}); // before historyStartMs
  });

  it('repeated ids keep their order in JSON keys and CSV columns', async () => {
    const p = qs([...ids(11, 1, 7), ['start_time', iso(NOW - HOUR)], ['end_time', iso(NOW)], ['data_state', 1]]);
    const json = await call(url, `/timeseries_data/?${p}`, { token, headers: { accept: 'application/json' } });
    expect([...json.text.matchAll(/"(\d+)": \{/g)].map((m) => m[1])).toEqual(['11', '1', '7']); // (JSON.parse would reorder)
    const csv = await call(url, `/timeseries_data/?${p}`, { token, headers: { accept: 'text/csv' } });
    expect(csv.text.split('\n')[0]).toBe('Datetime,11,1,7');
    expect(csv.text.split('\n')).toHaveLength(8); // header, 6 rows, '' after the last newline
  });

  it('indoor temperature 19–24 °C and CO2 420–1200 ppm following occupancy on a workday', async () => {
    // Bureau 1.01 of Bâtiment A: temperature 20, CO2 21.
    const temp = values(await raw(20, THURSDAY + 8 * HOUR, THURSDAY + 17 * HOUR)); // 09:00–18:00 local
    expect(temp.length).toBe(54);
    expect(Math.min(...temp)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...temp)).toBeLessThanOrEqual(24);
    const day = values(await raw(21, THURSDAY, THURSDAY + DAY));
    expect(Math.min(...day)).toBeGreaterThanOrEqual(420);
    expect(Math.max(...day)).toBeLessThanOrEqual(1200);
    const morning = mean(values(await raw(21, THURSDAY + 9 * HOUR, THURSDAY + 11 * HOUR))); // 10–12 h local
    const night = mean(values(await raw(21, THURSDAY + 1 * HOUR, THURSDAY + 4 * HOUR)));
    expect(morning).toBeGreaterThan(night + 150);
    const weekend = values(await raw(21, SUNDAY + 9 * HOUR, SUNDAY + 11 * HOUR));
    expect(Math.max(...weekend)).toBeLessThan(480);
    const hum = values(await raw(22, THURSDAY, THURSDAY + DAY));
    expect(Math.min(...hum)).toBeGreaterThan(20);
    expect(Math.max(...hum)).toBeLessThan(70);
  });

  it('electricity (kWh per 10 min) is high on workdays 8–19 h, low at night and on weekends', async () => {
    const workday = mean(values(await raw(1, THURSDAY + 9 * HOUR, THURSDAY + 15 * HOUR)));
    const night = mean(values(await raw(1, THURSDAY, THURSDAY + 4 * HOUR)));
    const sunday = mean(values(await raw(1, SUNDAY + 9 * HOUR, SUNDAY + 15 * HOUR)));
    expect(workday).toBeGreaterThan(2 * night);
    expect(workday).toBeGreaterThan(2 * sunday);
    expect(night).toBeGreaterThan(0);
  });

  it('heat is higher in winter; outdoor temperature is plausible (monthly aggregates)', async () => {
    const month = async (id: number, aggregation: string) =>
      (
        await call(
          url,
          `/timeseries_data/aggregate?${qs([...ids(id), ['start_time', '2026-01-01T00:00:00+01:00'], ['end_time', '2026-08-01T00:00:00+02:00'], ['data_state', 1], ['bucket_width_value', 1], ['bucket_width_unit', 'month'], ['aggregation', aggregation], ['timezone', 'Europe/Paris']])}`,
          { token },
        )
      ).body[String(id)] as Record<string, number>;
    const heat = await month(2, 'sum');
    expect(Object.keys(heat)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07'].map((mm) => `2026-${mm}-01T00:00:00+${mm > '03' ? '02' : '01'}:00`),
    );
    expect(heat['2026-01-01T00:00:00+01:00']!).toBeGreaterThan(3 * heat['2026-07-01T00:00:00+02:00']!);
    const outMin = values(await month(7, 'min'));
    const outMax = values(await month(7, 'max'));
    const outAvg = await month(7, 'avg');
    expect(Math.min(...outMin)).toBeGreaterThan(-20);
    expect(Math.max(...outMax)).toBeLessThan(40);
    expect(outAvg['2026-01-01T00:00:00+01:00']!).toBeLessThan(outAvg['2026-07-01T00:00:00+02:00']! - 8);
  });

  it('data state Clean (2): the energy meters without gaps, same values; nothing for the other series', async () => {
    const g = await startLoggedIn({ gapRate: 0.05 });
    const get = async (id: number, ds: number) =>
      (
        await call(
          g.url,
          `/timeseries_data/?${qs([...ids(id), ['start_time', iso(THURSDAY)], ['end_time', iso(THURSDAY + DAY)], ['data_state', ds]])}`,
          { token: g.token },
        )
      ).body;
    const rawData = (await get(1, 1))['1'] as Record<string, number>;
    const clean = (await get(1, 2))['1'] as Record<string, number>;
    expect(Object.keys(clean)).toHaveLength(144);
    expect(Object.keys(rawData).length).toBeLessThan(144);
    for (const [k, v] of Object.entries(rawData)) expect(clean[k]).toBe(v);
    expect(await get(11, 2)).toEqual({});
  });

  it('gaps: about gapRate of the raw points are missing, deterministically', async () => {
    const a = await startLoggedIn({ gapRate: 0.01 });
    const b = await startLoggedIn({ gapRate: 0.01 });
    const path = `/timeseries_data/?${qs([...ids(11, 12, 13, 14), ['start_time', iso(NOW - 60 * DAY)], ['end_time', iso(NOW)], ['data_state', 1]])}`;
    const ra = await call(a.url, path, { token: a.token });
    const rb = await call(b.url, path, { token: b.token });
    expect(ra.text).toBe(rb.text);
    const n = Object.values(ra.body as Record<string, object>).reduce((acc, s) => acc + Object.keys(s).length, 0);
    const missing = 1 - n / (4 * 60 * 144);
    expect(missing).toBeGreaterThan(0.002);
    expect(missing).toBeLessThan(0.03);
  });

  it('buckets follow the timezone: Monday weeks, DST days of 23 and 25 hours, repeated wall-clock hours', async () => {
    const agg = async (params: Array<[string, string | number]>) =>
      (
        await call(url, `/timeseries_data/aggregate?${qs([...ids(1), ['data_state', 2], ['timezone', 'Europe/Paris'], ...params])}`, {
          token,
        })
      ).body['1'];
    const weeks = await agg([
      ['start_time', '2026-11-04T10:00:00Z'],
      ['end_time', '2026-11-20T00:00:00Z'],
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'week'],
      ['aggregation', 'count'],
    ]);
    expect(Object.keys(weeks)).toEqual(['2026-11-02T00:00:00+01:00', '2026-11-09T00:00:00+01:00', '2026-11-16T00:00:00+01:00']);
    const day = (s: string, e: string): Array<[string, string | number]> => [
      ['start_time', s],
      ['end_time', e],
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'day'],
      ['aggregation', 'count'],
    ];
    expect(await agg(day('2026-03-28T00:00:00+01:00', '2026-03-31T00:00:00+02:00'))).toEqual({
      '2026-03-28T00:00:00+01:00': 144,
      '2026-03-29T00:00:00+01:00': 138,
      '2026-03-30T00:00:00+02:00': 144,
    });
    expect(values(await agg(day('2026-10-24T00:00:00+02:00', '2026-10-27T00:00:00+01:00')))).toEqual([144, 150, 144]);
    const hours = await agg([
      ['start_time', '2026-10-24T23:00:00Z'],
      ['end_time', '2026-10-25T03:00:00Z'],
      ['bucket_width_value', 1],
      ['bucket_width_unit', 'hour'],
      ['aggregation', 'count'],
    ]);
    expect(hours).toEqual({
      '2026-10-25T01:00:00+02:00': 6,
      '2026-10-25T02:00:00+02:00': 6,
      '2026-10-25T02:00:00+01:00': 6,
      '2026-10-25T03:00:00+01:00': 6,
    });
    const floored = await agg([
      ['start_time', '2026-11-19T10:25:00Z'],
      ['end_time', '2026-11-19T10:35:00Z'],
      ['bucket_width_value', 15],
      ['bucket_width_unit', 'minute'],
      ['aggregation', 'count'],
    ]);
    expect(floored).toEqual({ '2026-11-19T11:15:00+01:00': 1, '2026-11-19T11:30:00+01:00': 2 });
  });

  it('stats cover all the data, from historyStartMs to now', async () => {
    const r = await call(url, `/timeseries_data/stats?${qs([...ids(1, 11), ['data_state', 1]])}`, { token });
    const s = r.body.stats['1'];
    expect(s.first_timestamp).toBe('2025-01-01T00:00:00+00:00');
    expect(s.last_timestamp).toBe('2026-11-20T12:00:00+00:00');
    expect(s.count).toBe((NOW - Date.UTC(2025, 0, 1)) / (10 * MIN) + 1);
    expect(s.min).toBeGreaterThan(0);
    expect(s.stddev).toBeGreaterThan(0);
    expect(r.body.stats['11'].count).toBe(s.count);
    const late = await startLoggedIn({ historyStartMs: Date.UTC(2026, 10, 20, 10, 5) });
    const st = await call(late.url, `/timeseries_data/stats?${qs([...ids(1), ['data_state', 1], ['timezone', 'Europe/Paris']])}`, {
      token: late.token,
    });
    expect(st.body.stats['1']).toMatchObject({
      first_timestamp: '2026-11-20T11:10:00+01:00',
      last_timestamp: '2026-11-20T13:00:00+01:00',
      count: 12,
    });
  });
  it('half-hour DST switches (Australia/Lord_Howe) give the right offsets on both sides', async () => {
    const lh = async (from: number, to: number) => Object.keys(await raw(7, from, to, 1, [['timezone', 'Australia/Lord_Howe']]));
    expect(await lh(Date.UTC(2026, 9, 3, 15, 0), Date.UTC(2026, 9, 3, 16, 0))).toEqual([
      '2026-10-04T01:30:00+10:30',
      '2026-10-04T01:40:00+10:30',
      '2026-10-04T01:50:00+10:30',
      '2026-10-04T02:30:00+11:00',
      '2026-10-04T02:40:00+11:00',
      '2026-10-04T02:50:00+11:00',
    ]);
    expect(await lh(Date.UTC(2026, 3, 4, 14, 40), Date.UTC(2026, 3, 4, 15, 10))).toEqual([
      '2026-04-05T01:40:00+11:00',
      '2026-04-05T01:50:00+11:00',
      '2026-04-05T01:30:00+10:30',
    ]);
  });

  it('renaming a timeseries (PUT) keeps its data; the by-name routes follow the new name', async () => {
    const s = await startLoggedIn();
    const put = await call(s.url, '/timeseries/7', {
      method: 'PUT',
      token: s.token,
      body: { name: 'Lille - T ext', unit_symbol: '°C' },
      headers: { 'if-match': '*' },
    });
    expect(put.text).toBe('{"id":7,"name":"Lille - T ext","unit_symbol":"\\u00b0C","campaign_id":1,"campaign_scope_id":1}\n');
    const r = await call(
      s.url,
      `/timeseries_data/campaign/1/?${qs([
        ['timeseries', 'Lille - T ext'],
        ['start_time', iso(NOW - HOUR)],
        ['end_time', iso(NOW)],
        ['data_state', 1],
      ])}`,
      { token: s.token },
    );
    expect(Object.keys(r.body['Lille - T ext'])).toHaveLength(6);
  });
});

describe('timeseries data: writes, deletes and the error catalogue (§7.7–§7.9)', () => {
  let sim: BemServerSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url, token } = await startLoggedIn());
  });
  const post = (body: string, contentType?: string, query = 'data_state=1', path = '/timeseries_data/') =>
    call(url, `${path}?${query}`, {
      token,
      method: 'POST',
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });
  const read = async (id: number, start: string, end: string, ds = 1): Promise<Record<string, number>> =>
    (
      await call(url, `/timeseries_data/?${qs([...ids(id), ['start_time', start], ['end_time', end], ['data_state', ds]])}`, {
        token,
        headers: { accept: 'application/json' },
      })
    ).body[String(id)] ?? {};
  const message = (status: number, msg: string) => `{"code":${status},"status":"Unprocessable Entity","message":${JSON.stringify(msg)}}\n`;

  it('POST JSON: 201 with body null; read back; stored() shows the points', async () => {
    const r = await post(FIXTURE_POST_JSON(62), 'application/json');
    expect(r.status).toBe(201);
    expect(r.text).toBe('null\n');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await read(62, '2020-01-01T00:00:00Z', '2020-01-01T04:00:00Z')).toEqual({
      '2020-01-01T00:00:00+00:00': 0,
      '2020-01-01T01:00:00+00:00': 1,
      '2020-01-01T02:00:00+00:00': 2,
      '2020-01-01T03:00:00+00:00': 3,
    });
    expect([...sim.stored(62).entries()]).toEqual([0, 1, 2, 3].map((h) => [Date.UTC(2020, 0, 1, h), h]));
    expect(sim.stored(62, 2).size).toBe(0);
    expect((await post(FIXTURE_POST_JSON(62))).status).toBe(201); // no Content-Type means JSON
  });

  it('POST CSV needs exactly Content-Type text/csv; with a charset the body is read as JSON and fails', async () => {
    const r = await post(FIXTURE_POST_CSV(62), 'text/csv', 'data_state=2');
    expect(r.status).toBe(201);
    expect(Object.values(await read(62, '2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', 2))).toEqual([0, 1, 2, 3]);
    const charset = await post(FIXTURE_POST_CSV(62), 'text/csv; charset=utf-8');
    expect(charset.text).toBe(message(422, 'Wrong JSON file'));
    const jsonAsCsv = await post(FIXTURE_POST_JSON(62), 'text/csv');
    expect(jsonAsCsv.text).toBe(message(422, 'Invalid file'));
  });

  it('mixed offsets are stored in UTC; names in the by-name route (core and API fixtures)', async () => {
    const campaign = await campaignWith(url, token, 'Import', ['Timeseries 0', 'Timeseries 1', 'Timeseries 3']);
    expect((await post(CORE.IMPORT_MIXED_OFFSETS_CSV, 'text/csv', 'data_state=1', `/timeseries_data/campaign/${campaign}/`)).status).toBe(
      201,
    );
    const back = await call(
      url,
      `/timeseries_data/campaign/${campaign}/?${qs([
        ['timeseries', 'Timeseries 1'],
        ['timeseries', 'Timeseries 3'],
        ['start_time', '2020-01-01T00:00:00Z'],
        ['end_time', '2020-01-02T00:00:00Z'],
        ['data_state', 1],
      ])}`,
      { token, headers: { accept: 'text/csv' } },
    );
    expect(back.text).toBe(
      'Datetime,Timeseries 1,Timeseries 3\n2020-01-01T00:00:00+0000,0.0,10.0\n2020-01-01T01:00:00+0000,1.0,11.0\n2020-01-01T02:00:00+0000,2.0,12.0\n2020-01-01T03:00:00+0000,3.0,13.0\n',
    );
    const byName = await post(FIXTURE_POST_CSV('Timeseries 0'), 'text/csv', 'data_state=1', `/timeseries_data/campaign/${campaign}/`);
    expect(byName.status).toBe(201);
    const csv = await call(
      url,
      `/timeseries_data/campaign/${campaign}/?${qs([['timeseries', 'Timeseries 0'], ...Object.entries(FIXTURE_WINDOW)])}`,
      { token, headers: { accept: 'text/csv' } },
    );
    expect(csv.text).toBe(
      'Datetime,Timeseries 0\n2020-01-01T00:00:00+0000,0.0\n2020-01-01T01:00:00+0000,1.0\n2020-01-01T02:00:00+0000,2.0\n2020-01-01T03:00:00+0000,3.0\n',
    );
    const unknown = await post(
      '{"Dummy name": {"2020-01-01T00:00:00+00:00": 1}}',
      'application/json',
      'data_state=1',
      `/timeseries_data/campaign/${campaign}/`,
    );
    expect(unknown.text).toBe(message(422, "Unknown timeseries: ['Dummy name']"));
    expect((await post('{}', 'application/json', 'data_state=1', '/timeseries_data/campaign/999/')).text).toBe(NOT_FOUND);
  });

  it('null and empty values are skipped; numeric strings are numbers', async () => {
    await post(
      '{"62": {"2021-01-01T00:00:00+00:00": null, "2021-01-01T01:00:00+00:00": "7.5", "2021-01-01T02:00:00Z": 8}}',
      'application/json',
    );
    await post('Datetime,62\n2021-01-01T03:00:00+00:00,\n2021-01-01T04:00:00+00:00,nan\n2021-01-01T05:00:00+00:00,9\n', 'text/csv');
    expect(await read(62, '2021-01-01T00:00:00Z', '2021-01-02T00:00:00Z')).toEqual({
      '2021-01-01T01:00:00+00:00': 7.5,
      '2021-01-01T02:00:00+00:00': 8,
      '2021-01-01T05:00:00+00:00': 9,
    });
  });

  it('the first write wins: generated points and earlier writes are never overwritten', async () => {
    const at = NOW - HOUR;
    const before = (await read(1, iso(at), iso(at + MIN)))[iso(at).replace('.000Z', '+00:00')];
    expect(before).toBeGreaterThan(0);
    await post(`{"1": {"${iso(at)}": 9999, "${iso(NOW + HOUR)}": 5}}`, 'application/json');
    expect((await read(1, iso(at), iso(at + MIN)))[iso(at).replace('.000Z', '+00:00')]).toBe(before);
    await post(`{"1": {"${iso(NOW + HOUR)}": 6}}`, 'application/json');
    expect([...sim.stored(1).entries()]).toEqual([[NOW + HOUR, 5]]);
    expect(await read(1, iso(NOW + HOUR), iso(NOW + 2 * HOUR))).toEqual({ '2026-11-20T13:00:00+00:00': 5 });
  });

  it('DELETE removes [start, end), generated points too; the range can then be written again', async () => {
    const start = NOW - 2 * HOUR;
    const end = NOW - HOUR;
    const del = await call(
      url,
      `/timeseries_data/?${qs([...ids(3), ['start_time', iso(start)], ['end_time', iso(end)], ['data_state', 1]])}`,
      { token, method: 'DELETE' },
    );
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const left = Object.keys(await read(3, iso(NOW - 3 * HOUR), iso(NOW)));
    expect(left).toHaveLength(12);
    expect(left).toContain(iso(end).replace('.000Z', '+00:00')); // end excluded from the delete
    expect(await read(3, iso(start), iso(end))).toEqual({});
    await post(`{"3": {"${iso(start)}": 42}}`);
    expect(Object.values(await read(3, iso(start), iso(end)))).toEqual([42]);
    expect(await read(3, iso(start), iso(end), 2)).not.toEqual({}); // other data state untouched
    await call(
      url,
      `/timeseries_data/?${qs([...ids(62), ['start_time', '2020-01-01T00:00:00Z'], ['end_time', '2022-01-01T00:00:00Z'], ['data_state', 1]])}`,
      { token, method: 'DELETE' },
    );
    expect(await read(62, '2020-01-01T00:00:00Z', '2022-01-01T00:00:00Z')).toEqual({});
    const missing = await call(url, '/timeseries_data/?timeseries=3', { token, method: 'DELETE' });
    expect(missing.body.errors.query).toEqual({
      start_time: ['Missing data for required field.'],
      end_time: ['Missing data for required field.'],
      data_state: ['Missing data for required field.'],
    });
    expect(sim.requests('timeseries_data/delete').map((e) => e.status)).toEqual([204, 204, 422]);
  });

  it('POST errors of §7.9, with their exact messages', async () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['not json at all', 'application/json', 'Wrong JSON file'],
      ['[1, 2]', 'application/json', 'Wrong JSON file'],
      ['{"62": 5}', 'application/json', 'Wrong JSON file'],
      ['{"": {"2020-01-01T00:00:00+00:00": 1}}', 'application/json', 'Wrong timeseries ID'],
      ['{"Timeseries 1": {"2020-01-01T00:00:00+00:00": 1}}', 'application/json', 'Wrong timeseries ID type'],
      ['{"62": {"2020-01-01T00:00:00": 1}}', 'application/json', 'Invalid or TZ-naive timestamp'],
      ['{"62": {"yesterday": 1}}', 'application/json', 'Invalid timestamp'],
      ['{"62": {"2020-01-01T00:00:00+00:00": "abc"}}', 'application/json', 'Invalid values'],
      ['{"62": {"2020-01-01T00:00:00+00:00": [1]}}', 'application/json', 'Invalid values'],
      ['{"69": {"2020-01-01T00:00:00+00:00": 1}, "70": {}}', 'application/json', 'Unknown timeseries: [69, 70]'],
      ['', 'text/csv', 'Missing headers'],
      ['\n', 'text/csv', 'Missing headers'],
      ['Datetime,62,\n2020-01-01T00:00:00+00:00,1,\n', 'text/csv', 'Empty timeseries name or trailing comma'],
      ['Date,62\n2020-01-01T00:00:00+00:00,1\n', 'text/csv', 'Invalid file'],
      ['Datetime,62\n2020-01-01T00:00:00+00:00,1,2\n', 'text/csv', 'Bad CSV file'],
      ['Datetime,62\n2020-01-01T00:00:00+00:00,x\n', 'text/csv', 'Invalid values'],
      ['Datetime,62\n2020-01-01 00:00,1\n', 'text/csv', 'Invalid or TZ-naive timestamp'],
      ['Datetime,62\n2020-13-01T00:00:00Z,1\n', 'text/csv', 'Invalid timestamp'],
      ['Datetime,Timeseries 1\n2020-01-01T00:00:00Z,1\n', 'text/csv', 'Wrong timeseries ID type'],
      ['Datetime,69\n2020-01-01T00:00:00Z,1\n', 'text/csv', 'Unknown timeseries: [69]'],
    ];
    for (const [body, ct, msg] of cases) {
      const r = await post(body, ct);
      expect({ body, status: r.status, text: r.text }).toEqual({ body, status: 422, text: message(422, msg) });
    }
    const state = await post(FIXTURE_POST_JSON(62), 'application/json', 'data_state=9');
    expect(state.text).toBe('{"code":422,"status":"Unprocessable Entity","errors":{"query":{"data_state":"Unknown data state ID"}}}\n');
    const noState = await post(FIXTURE_POST_JSON(62), 'application/json', '');
    expect(noState.body.errors.query).toEqual({ data_state: ['Missing data for required field.'] });
    const bytes = await raw(url, {
      method: 'POST',
      path: '/timeseries_data/?data_state=1',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: Buffer.from([0x44, 0xf0, 0x28, 0x8c]),
    });
    expect(bytes.status).toBe(422);
    expect(JSON.parse(bytes.text).message).toMatch(/^'utf-8' codec can't decode byte/);
    expect(sim.stored(62).size).toBe(0);
  });
  it('by-name DELETE, and stats follow writes and deletes', async () => {
    await call(url, '/timeseries/', {
      token,
      body: { name: 'Compteur secondaire', unit_symbol: 'kWh', campaign_id: 1, campaign_scope_id: 1 },
    });
    const stats = async () =>
      (await call(url, '/timeseries_data/campaign/1/stats?timeseries=Compteur%20secondaire&data_state=2', { token })).body.stats[
        'Compteur secondaire'
      ];
    expect((await stats()).count).toBe(0);
    await post(
      '{"Compteur secondaire": {"2024-06-01T00:00:00+02:00": 10, "2024-06-02T00:00:00+02:00": 30}}',
      'application/json',
      'data_state=2',
      '/timeseries_data/campaign/1/',
    );
    expect(await stats()).toEqual({
      first_timestamp: '2024-05-31T22:00:00+00:00',
      last_timestamp: '2024-06-01T22:00:00+00:00',
      count: 2,
      min: 10,
      max: 30,
      avg: 20,
      stddev: expect.closeTo(14.142135623730951, 12),
    });
    const del = await call(
      url,
      `/timeseries_data/campaign/1/?${qs([
        ['timeseries', 'Compteur secondaire'],
        ['start_time', '2024-06-01T12:00:00Z'],
        ['end_time', '2024-07-01T00:00:00Z'],
        ['data_state', 2],
      ])}`,
      { token, method: 'DELETE' },
    );
    expect(del.status).toBe(204);
    expect(await stats()).toMatchObject({ count: 1, avg: 10, stddev: null });
    expect(sim.requests('timeseries_data/campaign/delete')).toHaveLength(1);
  });

  it('aggregate: width > 1 re-aggregates per unit (sum 0.0 between data, null outside); incompatible convert_to is a 500', async () => {
    await post('{"62": {"2022-01-01T00:00:00+00:00": 1, "2022-01-01T05:30:00+00:00": 2}}', 'application/json', 'data_state=1');
    const agg = (extra: Array<[string, string | number]>) =>
      call(
        url,
        `/timeseries_data/aggregate?${qs([...ids(62), ['start_time', '2022-01-01T00:00:00Z'], ['end_time', '2022-01-01T08:00:00Z'], ['data_state', 1], ['bucket_width_unit', 'hour'], ...extra])}`,
        { token },
      );
    const sum = await agg([
      ['bucket_width_value', 2],
      ['aggregation', 'sum'],
    ]);
    expect(sum.text).toBe(
      '{"62": {"2022-01-01T00:00:00+00:00": 1.0, "2022-01-01T02:00:00+00:00": 0.0, "2022-01-01T04:00:00+00:00": 2.0, "2022-01-01T06:00:00+00:00": null}}',
    );
    const count = await agg([
      ['bucket_width_value', 4],
      ['aggregation', 'count'],
    ]);
    expect(count.text).toBe('{"62": {"2022-01-01T00:00:00+00:00": 1, "2022-01-01T04:00:00+00:00": 1}}');
    const dim = await agg([
      ['bucket_width_value', 1],
      ['convert_to', 'm'],
    ]);
    expect(dim.status).toBe(500);
    expect(dim.text).toBe('{"code":500,"status":"Internal Server Error"}\n');
    expect(
      (
        await agg([
          ['bucket_width_value', 1],
          ['convert_to', 'Wh'],
          ['aggregation', 'max'],
        ])
      ).body['62']['2022-01-01T05:00:00+00:00'],
    ).toBe(2000);
  });
});

describe('timeseries data: lookups, negotiation and limits (§7.1, §7.2, §7.9)', () => {
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ url, token } = await startLoggedIn());
  });
  const windowQ = qs([
    ['start_time', iso(NOW - HOUR)],
    ['end_time', iso(NOW)],
    ['data_state', 1],
  ]);

  it('Content-Type echoes the Accept header verbatim unless it is exactly text/csv (Werkzeug adds a charset to text/*)', async () => {
    const path = `/timeseries_data/?timeseries=1&${windowQ}`;
    const noAccept = await raw(url, { path, headers: { authorization: `Bearer ${token}` } });
    expect(noAccept.headers['content-type']).toBe('application/json');
    expect(noAccept.text.startsWith('{"1": {')).toBe(true);
    for (const [accept, contentType] of [
      ['*/*', '*/*'],
      ['application/json, text/plain, */*', 'application/json, text/plain, */*'],
      ['text/plain', 'text/plain; charset=utf-8'],
      ['text/csv, application/json', 'text/csv, application/json; charset=utf-8'],
      ['text/csv;q=1', 'text/csv;q=1; charset=utf-8'],
    ]) {
      const r = await call(url, path, { token, headers: { accept: accept! } });
      expect(r.headers.get('content-type')).toBe(contentType);
      expect(r.text.startsWith('{"1": {')).toBe(true); // JSON whatever the echo says
    }
    const agg = await call(url, `/timeseries_data/aggregate?timeseries=1&${windowQ}&bucket_width_value=1&bucket_width_unit=hour`, {
      token,
      headers: { accept: '*/*' },
    });
    expect(agg.headers.get('content-type')).toBe('*/*');
  });

  it('unknown ids: 422 "Unknown timeseries: [69]"; unknown data state: 422 with a plain string; unknown campaign: 404', async () => {
    const one = await call(url, `/timeseries_data/?timeseries=1&timeseries=69&${windowQ}`, { token });
    expect(one.text).toBe('{"code":422,"status":"Unprocessable Entity","message":"Unknown timeseries: [69]"}\n');
    const two = await call(
      url,
      `/timeseries_data/aggregate?timeseries=70&timeseries=69&${windowQ}&bucket_width_value=1&bucket_width_unit=day`,
      { token },
    );
    expect(two.body.message).toBe('Unknown timeseries: [70, 69]');
    expect((await call(url, `/timeseries_data/stats?timeseries=69&data_state=1`, { token })).body.message).toBe('Unknown timeseries: [69]');
    const state = await call(url, `/timeseries_data/?timeseries=1&${windowQ.replace('data_state=1', 'data_state=3')}`, { token });
    expect(state.text).toBe('{"code":422,"status":"Unprocessable Entity","errors":{"query":{"data_state":"Unknown data state ID"}}}\n');
    // Unknown timeseries come before the data state (§7.2).
    expect(
      (await call(url, `/timeseries_data/?timeseries=69&${windowQ.replace('data_state=1', 'data_state=3')}`, { token })).body.message,
    ).toBe('Unknown timeseries: [69]');
    const names = await call(
      url,
      `/timeseries_data/campaign/1/?${qs([
        ['timeseries', 'Dummy name'],
        ['timeseries', "l'eau"],
      ])}&${windowQ}`,
      { token },
    );
    expect(names.body.message).toBe(`Unknown timeseries: ['Dummy name', "l'eau"]`);
    const byName = await call(
      url,
      `/timeseries_data/campaign/1/?${qs([
        ['timeseries', 'Compteur manuel'],
        ['timeseries', 'Bâtiment A - Électricité'],
      ])}&${windowQ}`,
      { token },
    );
    expect(Object.keys(byName.body)).toEqual(['Bâtiment A - Électricité']);
    expect(byName.text.startsWith('{"B\\u00e2timent A - \\u00c9lectricit\\u00e9": {')).toBe(true);
    for (const route of ['', 'aggregate', 'stats']) {
      const r = await call(url, `/timeseries_data/campaign/7/${route}?timeseries=x&${windowQ}&bucket_width_value=1&bucket_width_unit=day`, {
        token,
      });
      expect(r.text).toBe(NOT_FOUND);
    }
  });

  it('required parameters and timezones from the allowed list', async () => {
    const r = await call(url, '/timeseries_data/', { token });
    expect(r.status).toBe(422);
    expect(r.body.errors.query).toEqual({
      timeseries: ['Missing data for required field.'],
      start_time: ['Missing data for required field.'],
      end_time: ['Missing data for required field.'],
      data_state: ['Missing data for required field.'],
    });
    const tz = await call(url, `/timeseries_data/?timeseries=1&${windowQ}&timezone=DTC`, { token });
    expect(tz.status).toBe(422);
    expect(tz.body.errors.query.timezone[0]).toMatch(/^Must be one of: Africa\/Abidjan, /);
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      const ok = await call(url, `/timeseries_data/?timeseries=1&${windowQ}&timezone=${encodeURIComponent(zone)}`, { token });
      expect(ok.status).toBe(200);
    }
    const kolkata = await call(url, `/timeseries_data/?timeseries=1&${windowQ}&timezone=Asia%2FKolkata`, { token });
    expect(Object.keys(kolkata.body['1'])[0]).toBe('2026-11-20T16:30:00+05:30');
    const ny = await call(url, `/timeseries_data/?timeseries=1&${windowQ}&timezone=America%2FNew_York`, {
      token,
      headers: { accept: 'text/csv' },
    });
    expect(ny.text.split('\n')[1]!.startsWith('2026-11-20T06:00:00-0500,')).toBe(true);
  });

  it('absurd requests are refused with 422, not answered slowly', async () => {
    const all = Array.from({ length: 62 }, (_, i) => ['timeseries', i + 1] as [string, number]);
    const points = await call(
      url,
      `/timeseries_data/?${qs([...all, ['start_time', '2000-01-01T00:00:00Z'], ['end_time', '2030-01-01T00:00:00Z'], ['data_state', 1]])}`,
      { token },
    );
    expect(points.status).toBe(422);
    expect(points.body.message).toMatch(/^Too many data points/);
    const buckets = await call(
      url,
      `/timeseries_data/aggregate?${qs([...ids(1), ['start_time', '2000-01-01T00:00:00Z'], ['end_time', '2030-01-01T00:00:00Z'], ['data_state', 1], ['bucket_width_value', 1], ['bucket_width_unit', 'second']])}`,
      { token },
    );
    expect(buckets.status).toBe(422);
    expect(buckets.body.message).toMatch(/^Too many buckets/);
    expect((await call(url, '/sites/', { token })).status).toBe(200);
  });

  it('a year of 10-minute data for 50 series (2.6 M points) comes back whole', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ['timeseries', i + 1] as [string, number]);
    const r = await call(
      url,
      `/timeseries_data/?${qs([...fifty, ['start_time', iso(NOW - 365 * DAY)], ['end_time', iso(NOW)], ['data_state', 1]])}`,
      { token, headers: { accept: 'text/csv' } },
    );
    expect(r.status).toBe(200);
    const lines = r.text.split('\n');
    expect(lines).toHaveLength(365 * 144 + 2); // the header, a row per 10 minutes (end excluded), and the final newline
    expect(lines[0]).toBe(`Datetime,${fifty.map(([, id]) => id).join(',')}`);
    expect([lines[1]!.slice(0, 24), lines.at(-2)!.slice(0, 24), lines.at(-1)]).toEqual([
      '2025-11-20T12:00:00+0000',
      '2026-11-20T11:50:00+0000',
      '',
    ]);
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows.every((cells) => cells.length === 51 && !cells.includes(''))).toBe(true); // every value of all 50 series
  });
});

describe('robustness and the shared machinery', () => {
  let sim: BemServerSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url, token } = await startLoggedIn());
  });

  it('garbage never crashes the server, and the next request still works', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const attempts: Array<{ method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }> = [
      { path: '/sites/%E0%A4%A' },
      { path: '/timeseries_data/?timeseries=%FF&start_time=%E0&end_time=x&data_state=1', headers: auth },
      { path: '/sites/99999999999999999999999', headers: auth },
      { path: '/timeseries/?page=99999999999999999999&page_size=1', headers: auth },
      { path: '/timeseries/?sort=&properties=%00', headers: auth },
      { path: '/timeseries_data/?timeseries=&start_time=&end_time=&data_state=&timezone=&convert_to=', headers: auth },
      {
        path: '/timeseries_data/aggregate?timeseries=1&start_time=2026-11-20T00:00:00Z&end_time=2026-11-19T00:00:00Z&data_state=1&bucket_width_value=1&bucket_width_unit=year',
        headers: auth,
      },
      {
        path: '/timeseries_data/aggregate?timeseries=1&start_time=1680-01-01T00:00:00Z&end_time=1680-01-02T00:00:00Z&data_state=1&bucket_width_value=1&bucket_width_unit=day&timezone=Europe%2FParis',
        headers: auth,
      },
      {
        method: 'POST',
        path: '/timeseries_data/?data_state=1',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"1": {"2020-01-01T00:00:00Z": {"a": [1, {"b": null}]}}}',
      },
      {
        method: 'POST',
        path: '/timeseries_data/?data_state=1',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: '"unterminated,\n"quote',
      },
      {
        method: 'POST',
        path: '/timeseries_data/?data_state=1',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '9'.repeat(400),
      },
      { method: 'POST', path: '/sites/', headers: { ...auth, 'content-type': 'application/json' }, body: '[1,2,3]' },
      { method: 'POST', path: '/auth/token', headers: { 'content-type': 'application/json' }, body: 'null' },
      {
        method: 'POST',
        path: '/auth/token',
        headers: { 'content-type': 'application/json' },
        body: '{"email": ["x"], "password": {"a": 1}}',
      },
      {
        method: 'PUT',
        path: '/sites/1',
        headers: { ...auth, 'if-match': ',,,W/', 'content-type': 'application/json' },
        body: '{"name": null}',
      },
      {
        method: 'DELETE',
        path: '/timeseries_data/?timeseries=1&start_time=2030-01-01T00:00:00Z&end_time=2020-01-01T00:00:00Z&data_state=1',
        headers: auth,
      },
      {
        path: '/timeseries_data/?timeseries=1&start_time=2026-11-20T00:00:00Z&end_time=2026-11-20T01:00:00Z&data_state=1',
        headers: { ...auth, accept: '' },
      },
      { path: '/about/', headers: { authorization: 'Bearer ' + 'x'.repeat(5000) } },
      { method: 'OPTIONS', path: '/sites/' },
      { method: 'HEAD', path: '/sites/', headers: auth },
    ];
    // A reversed window over a series that has written points.
    await call(url, '/timeseries_data/?data_state=1', { token, body: { '62': { '2020-01-01T00:00:00+00:00': 1 } } });
    for (const route of ['', 'aggregate']) {
      attempts.push({
        path: `/timeseries_data/${route}?timeseries=62&timeseries=1&start_time=2021-01-01T00:00:00Z&end_time=2019-01-01T00:00:00Z&data_state=1&bucket_width_value=1&bucket_width_unit=day`,
        headers: auth,
      });
    }
    for (const a of attempts) {
      const r = await raw(url, a);
      expect(r.status, `${a.method ?? 'GET'} ${a.path}`).toBeLessThan(500);
    }
    expect((await call(url, '/sites/', { token })).status).toBe(200);
    expect((await login(sim, url)).access).toBeTruthy();
  });

  it('route names in the request log, for faults and for counting calls', async () => {
    sim.clearLog();
    const w = qs([
      ['start_time', iso(NOW - HOUR)],
      ['end_time', iso(NOW)],
      ['data_state', 1],
    ]);
    await call(url, '/about/');
    await call(url, '/sites');
    await call(url, '/sites/', { token });
    await call(url, '/sites/1', { token });
    await call(url, '/timeseries/', { token });
    await call(url, '/timeseries_by_zones/', { token });
    await call(url, '/timeseries_data_states/', { token });
    await call(url, '/timeseries_property_data/', { token });
    await call(url, `/timeseries_data/?timeseries=1&${w}`, { token });
    await call(url, `/timeseries_data/aggregate?timeseries=1&${w}&bucket_width_value=1&bucket_width_unit=hour`, { token });
    await call(url, '/timeseries_data/stats?timeseries=1&data_state=1', { token });
    await call(url, '/timeseries_data/?data_state=1', { token, body: {} });
    await call(url, `/timeseries_data/?timeseries=62&${w}`, { token, method: 'DELETE' });
    await call(url, `/timeseries_data/campaign/1/?timeseries=Compteur%20manuel&${w}`, { token });
    await call(url, '/timeseries_data/campaign/1/stats?timeseries=Compteur%20manuel&data_state=1', { token });
    await call(url, '/nowhere', { token });
    expect(sim.requests().map((e) => e.route)).toEqual([
      'about',
      'redirect',
      'sites',
      'sites/item',
      'timeseries',
      'timeseries_by_zones',
      'timeseries_data_states',
      'timeseries_property_data',
      'timeseries_data',
      'timeseries_data/aggregate',
      'timeseries_data/stats',
      'timeseries_data/post',
      'timeseries_data/delete',
      'timeseries_data/campaign',
      'timeseries_data/campaign/stats',
      'unknown',
    ]);
    expect(sim.requests('timeseries_data')[0]!.query.timeseries).toBe('1');
    expect(sim.requests('timeseries_data')[0]!.authorized).toBe(true);
  });

  it('faults and latency of the shared machinery apply by route name', async () => {
    sim.addFault({ route: 'timeseries_data', status: 503, times: 1, body: 'upstream down' });
    const w = qs([...ids(1), ['start_time', iso(NOW - HOUR)], ['end_time', iso(NOW)], ['data_state', 1]]);
    expect((await call(url, `/timeseries_data/?${w}`, { token })).status).toBe(503);
    expect((await call(url, `/timeseries_data/?${w}`, { token })).status).toBe(200);
    sim.latencyMs = 50;
    const t0 = Date.now();
    await call(url, '/about/');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    sim.latencyMs = 0;
  });

  it('the 413 and 500 the server makes itself use the flask-smorest error shape', async () => {
    const big = await raw(url, {
      method: 'POST',
      path: '/timeseries_data/?data_state=1',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: Buffer.alloc(11 * 1024 * 1024, 0x31),
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toEqual({ code: 413, status: 'Request Entity Too Large' });
  });
});
