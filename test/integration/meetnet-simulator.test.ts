// The built-in Meetnet simulator over real HTTP: the contract's §8 behaviour (login, ping, catalog,
// currentData, getData and their quirks), the shared simulator machinery (request log, faults,
// latency, replay, bad input) and the plausibility of the generated values.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorServer, type SimRequest } from '../../src/simulators/index.js';
import {
  createMeetnetSimulator,
  type MeetnetSimulator,
  type MeetnetSimulatorOptions,
} from '../../src/upstreams/meetnet/simulator/index.js';
import { isGap, meetnetValue } from '../../src/upstreams/meetnet/simulator/data.js';
import type {
  CatalogResponse,
  CurrentDataResponse,
  GetDataResponse,
  LPData,
  PingResponse,
  TokenResponse,
} from '../../src/upstreams/meetnet/wire.js';
import { until } from '../helpers/until.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const FIXTURES = new URL('../fixtures/meetnet', import.meta.url).pathname;

const started: MeetnetSimulator[] = [];

/** A simulator on a free port, closed after all tests. */
async function startSim(options: MeetnetSimulatorOptions = {}): Promise<{ sim: MeetnetSimulator; url: string }> {
  const sim = createMeetnetSimulator({ clock: () => NOW, ...options });
  started.push(sim);
  const url = await sim.listen();
  return { sim, url };
}

afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

function loginForm(username: string, password: string, grantType = 'password'): URLSearchParams {
  return new URLSearchParams({ grant_type: grantType, username, password });
}

async function login(sim: MeetnetSimulator, url: string): Promise<string> {
  const res = await fetch(`${url}/Token`, { method: 'POST', body: loginForm(sim.username, sim.password) });
  expect(res.status).toBe(200);
  return ((await res.json()) as TokenResponse).access_token;
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function getData(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: GetDataResponse & { Message?: string }; text: string }> {
  const res = await fetch(`${url}/V2/getData`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as GetDataResponse & { Message?: string }, text };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const meetnetTs = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
const points = (lp: LPData | undefined) => lp?.Values ?? [];

// ---------------------------------------------------------------------------------------------

describe('POST /Token', () => {
  let sim: MeetnetSimulator;
  let url: string;
  beforeAll(async () => ({ sim, url } = await startSim({ username: 'jane@company.org', password: 'P4ssw0rd' })));

  it('issues a bearer token with the OWIN fields in order and RFC 1123 dates on the simulator clock', async () => {
    const res = await fetch(`${url}/Token`, { method: 'POST', body: loginForm('jane@company.org', 'P4ssw0rd') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    const body = JSON.parse(text) as TokenResponse;
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in', 'userName', '.issued', '.expires']);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(3599);
    expect(body.userName).toBe('jane@company.org');
    expect(body['.issued']).toBe('Fri, 20 Nov 2026 12:00:00 GMT');
    expect(body['.expires']).toBe('Fri, 20 Nov 2026 12:59:59 GMT');
    expect(body.access_token.length).toBeGreaterThanOrEqual(32);
    const second = await login(sim, url);
    expect(second).not.toBe(body.access_token); // random, not derived from the clock
  });

  it('tolerates the malformed Content-Type De-Wind-Nu sends (§2)', async () => {
    const res = await fetch(`${url}/Token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded charset=UTF-8' },
      body: 'grant_type=password&username=jane%40company.org&password=P4ssw0rd',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as TokenResponse).access_token).toBeTruthy();
  });

  it('refuses wrong credentials with 400 {"Message":"Login failed"} by default', async () => {
    const res = await fetch(`${url}/Token`, { method: 'POST', body: loginForm('jane@company.org', 'wrong') });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ Message: 'Login failed' });
    const res2 = await fetch(`${url}/Token`, { method: 'POST', body: loginForm('someone@else.org', 'P4ssw0rd') });
    expect(res2.status).toBe(400);
  });

  it("refuses wrong credentials with OWIN's invalid_grant when loginFailure is 'oauth'", async () => {
    const { url: oauthUrl } = await startSim({ loginFailure: 'oauth' });
    const res = await fetch(`${oauthUrl}/Token`, { method: 'POST', body: loginForm('simulator@example.com', 'nope') });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
    const ok = await fetch(`${oauthUrl}/Token`, { method: 'POST', body: loginForm('simulator@example.com', 'simulator') });
    expect(ok.status).toBe(200); // the defaults
  });

  it('answers unsupported_grant_type for a missing or other grant_type, and for JSON bodies', async () => {
    const other = await fetch(`${url}/Token`, { method: 'POST', body: loginForm('jane@company.org', 'P4ssw0rd', 'client_credentials') });
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual({ error: 'unsupported_grant_type' });
    const missing = await fetch(`${url}/Token`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'jane@company.org', password: 'P4ssw0rd' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'unsupported_grant_type' });
    const json = await fetch(`${url}/Token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'jane@company.org', password: 'P4ssw0rd' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'unsupported_grant_type' });
  });

  it('answers 404 on /V2/Token: login is not versioned (§1)', async () => {
    const res = await fetch(`${url}/V2/Token`, { method: 'POST', body: loginForm('jane@company.org', 'P4ssw0rd') });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { Message: string };
    expect(body.Message).toMatch(/^No HTTP resource was found that matches the request URI 'http:\/\/127\.0\.0\.1:\d+\/V2\/Token'\.$/);
  });

  it('exposes the account', () => {
    expect(sim.username).toBe('jane@company.org');
    expect(sim.password).toBe('P4ssw0rd');
  });
});

describe('GET /V2/ping and GET /V2/catalog', () => {
  let sim: MeetnetSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim());
    token = await login(sim, url);
  });

  it('ping: {"Customer": null} anonymously or with a bad token, the account with a valid one', async () => {
    const anon = await fetch(`${url}/V2/ping`);
    expect(anon.status).toBe(200);
    expect(await anon.text()).toBe('{"Customer":null}');
    const bad = await fetch(`${url}/V2/ping`, { headers: bearer('not-a-token') });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ Customer: null });
    const good = await fetch(`${url}/V2/ping`, { headers: { authorization: `bearer ${token}` } }); // lowercase scheme works
    expect(await good.json()).toEqual({
      Customer: { FullName: 'Simulator Account', Login: 'simulator@example.com' },
    } satisfies PingResponse);
  });

  it('catalog without a token: 401 with exactly the Web API body', async () => {
    const res = await fetch(`${url}/V2/catalog`);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"Message":"Authorization has been denied for this request."}');
    const bad = await fetch(`${url}/V2/catalog`, { headers: bearer('forged') });
    expect(bad.status).toBe(401);
  });

  it('catalog: the 2020 catalog with the account as Customer and the real key order', async () => {
    const res = await fetch(`${url}/V2/catalog`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const text = await res.text();
    // ParameterTypes listed by SortOrder (§4.1); JSON.parse would put integer keys first.
    expect([...text.matchAll(/"(\d)":\{"ID":\d/g)].map((m) => m[1])).toEqual(['1', '2', '4', '3', '0']);
    expect(text).toContain('"Description":[{"Culture":"nl-BE"');
    const c = JSON.parse(text) as CatalogResponse;
    expect(Object.keys(c)).toEqual(['Customer', 'Locations', 'Parameters', 'ParameterTypes', 'AvailableData', 'ProjectionWKT']);
    expect(c.Customer).toEqual({ FullName: 'Simulator Account', Login: 'simulator@example.com' });
    expect(c.Locations).toHaveLength(35);
    expect(c.Parameters).toHaveLength(22);
    expect(c.AvailableData).toHaveLength(165);
    expect(Object.keys(c.ParameterTypes).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(c.AvailableData.find((a) => a.ID === 'MP7WVC')).toEqual({
      ID: 'MP7WVC',
      Location: 'MP7',
      Parameter: 'WVC',
      CurrentInterval: 10,
      Publications: ['live_data_pub'],
    });
    expect(c.ProjectionWKT).toMatch(/^GEOGCS\["WGS 84"/);
  });

  it('serves a catalog given in the options', async () => {
    const base = JSON.parse(
      readFileSync(new URL('../../src/upstreams/meetnet/simulator/catalog-2020.json', import.meta.url), 'utf8'),
    ) as CatalogResponse;
    const small: CatalogResponse = { ...base, AvailableData: base.AvailableData.filter((a) => a.Location === 'MP7') };
    const { sim: s2, url: u2 } = await startSim({ catalog: small });
    const t2 = await login(s2, u2);
    const c = (await (await fetch(`${u2}/V2/catalog`, { headers: bearer(t2) })).json()) as CatalogResponse;
    expect(c.AvailableData.map((a) => a.ID)).toEqual(small.AvailableData.map((a) => a.ID));
    const cur = (await (await fetch(`${u2}/V2/currentData`, { headers: bearer(t2) })).json()) as CurrentDataResponse;
    expect(cur.every((i) => i.ID.startsWith('MP7'))).toBe(true);
  });
});

describe('/V2/currentData', () => {
  let sim: MeetnetSimulator;
  let url: string;
  let token: string;
  let live: string[];
  beforeAll(async () => {
    ({ sim, url } = await startSim());
    token = await login(sim, url);
    const c = (await (await fetch(`${url}/V2/catalog`, { headers: bearer(token) })).json()) as CatalogResponse;
    live = c.AvailableData.filter((a) => a.CurrentInterval > 0)
      .map((a) => a.ID)
      .sort();
  });

  it('needs a token', async () => {
    const res = await fetch(`${url}/V2/currentData`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ Message: 'Authorization has been denied for this request.' });
  });

  it('GET: every live series, sorted by ID, latest non-gap grid point at or before now, `+00:00` timestamps', async () => {
    const res = await fetch(`${url}/V2/currentData`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const items = (await res.json()) as CurrentDataResponse;
    expect(items.map((i) => i.ID)).toEqual(live); // 150 series; CurrentInterval 0 left out
    expect(items).toHaveLength(150);
    expect(items.some((i) => i.ID === 'MP2WS5')).toBe(false); // CurrentInterval 0
    for (const item of items) {
      expect(Object.keys(item)).toEqual(['ID', 'Timestamp', 'Value']);
      expect(item.Timestamp).toMatch(TS_RE);
      const t = Date.parse(item.Timestamp);
      expect(t).toBeLessThanOrEqual(NOW);
      expect(t).toBeGreaterThan(NOW - 6 * HOUR);
      expect(isGap(item.ID, t, 0.01)).toBe(false);
      expect(item.Value).toBe(meetnetValue(item.ID.slice(3), item.ID.slice(0, 3), t));
    }
    // On the grid: MP7WVC every 10 min, a wave buoy every 30 min; now is on both grids.
    const wvc = items.find((i) => i.ID === 'MP7WVC')!;
    expect(Date.parse(wvc.Timestamp) % (10 * MIN)).toBe(0);
    const gha = items.find((i) => i.ID === 'A2BGHA')!;
    expect(Date.parse(gha.Timestamp) % (30 * MIN)).toBe(0);
  });

  it('GET ignores ?ids= (§5.1)', async () => {
    const items = (await (
      await fetch(`${url}/V2/currentData?ids=MP7WVC,MP7WRS`, { headers: bearer(token) })
    ).json()) as CurrentDataResponse;
    expect(items).toHaveLength(150);
  });

  it('POST JSON {"IDs"} filters, leaves unknown IDs out and sorts by ID', async () => {
    const res = await fetch(`${url}/V2/currentData`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ IDs: ['ZDIWRS', 'MP7WVC', 'NOPE00', 'ZDITLU', 'MP2WS5'] }),
    });
    const items = (await res.json()) as CurrentDataResponse;
    expect(items.map((i) => i.ID)).toEqual(['MP7WVC', 'ZDITLU', 'ZDIWRS']);
  });

  it('POST JSON with the key spelled "Ids" (Json.NET is case-insensitive)', async () => {
    const res = await fetch(`${url}/V2/CurrentData`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ Ids: ['MP7WRS'] }),
    });
    expect(((await res.json()) as CurrentDataResponse).map((i) => i.ID)).toEqual(['MP7WRS']);
  });

  it('POST form IDs= (one or repeated) filters; only unknown IDs give []', async () => {
    const one = await fetch(`${url}/V2/currentData`, {
      method: 'POST',
      headers: bearer(token),
      body: new URLSearchParams({ IDs: 'BVHGH1' }),
    });
    expect(((await one.json()) as CurrentDataResponse).map((i) => i.ID)).toEqual(['BVHGH1']);
    const many = await fetch(`${url}/V2/currentData`, {
      method: 'POST',
      headers: bearer(token),
      body: new URLSearchParams([
        ['IDs', 'MP7WVC'],
        ['IDs', 'A2BGHA'],
      ]),
    });
    expect(((await many.json()) as CurrentDataResponse).map((i) => i.ID)).toEqual(['A2BGHA', 'MP7WVC']);
    const none = await fetch(`${url}/V2/currentData`, {
      method: 'POST',
      headers: bearer(token),
      body: new URLSearchParams({ IDs: 'XXXYYY' }),
    });
    expect(await none.json()).toEqual([]);
  });

  it('follows the clock', async () => {
    const later = NOW + 2 * HOUR + 7 * MIN;
    sim.setClock(() => later);
    try {
      const fresh = await login(sim, url); // the first token expired at NOW + 3599 s
      const items = (await (
        await fetch(`${url}/V2/currentData`, { method: 'POST', headers: bearer(fresh), body: new URLSearchParams({ IDs: 'MP7WVC' }) })
      ).json()) as CurrentDataResponse;
      const t = Date.parse(items[0]!.Timestamp);
      expect(t).toBeLessThanOrEqual(later);
      expect(t).toBeGreaterThan(NOW + HOUR);
    } finally {
      sim.setClock(() => NOW);
    }
  });
});

describe('POST /V2/getData', () => {
  let sim: MeetnetSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim({ gapRate: 0 }));
    token = await login(sim, url);
  });

  it('needs a token', async () => {
    const res = await fetch(`${url}/V2/getData`, { method: 'POST', body: JSON.stringify({}) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ Message: 'Authorization has been denied for this request.' });
  });

  it('returns the grid points in [StartTime, EndTime], both ends inclusive, with the recorded key order', async () => {
    const start = Date.parse('2026-11-19T00:00:00Z');
    const { status, body } = await getData(url, token, { StartTime: iso(start), EndTime: iso(start + 6 * HOUR), IDs: ['MP7WVC'] });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['StartTime', 'EndTime', 'Intervals', 'Values']);
    expect(body.Intervals).toEqual([10]);
    const lp = body.Values![0]!;
    expect(Object.keys(lp)).toEqual(['ID', 'StartTime', 'EndTime', 'MinValue', 'MaxValue', 'Values']);
    const pts = points(lp);
    expect(pts).toHaveLength(37); // 00:00 … 06:00 every 10 min
    expect(pts[0]).toEqual({ Timestamp: '2026-11-19T00:00:00+00:00', Value: meetnetValue('WVC', 'MP7', start) });
    expect(pts.at(-1)!.Timestamp).toBe('2026-11-19T06:00:00+00:00');
    expect(lp.StartTime).toBe('2026-11-19T00:00:00+00:00');
    expect(lp.EndTime).toBe('2026-11-19T06:00:00+00:00');
    expect(body.StartTime).toBe(lp.StartTime);
    expect(body.EndTime).toBe(lp.EndTime);
    for (let i = 0; i < pts.length; i++) {
      expect(pts[i]!.Timestamp).toBe(meetnetTs(start + i * 10 * MIN));
      expect(pts[i]!.Timestamp).toMatch(TS_RE);
    }
    expect(lp.MinValue).toBe(Math.min(...pts.map((p) => p.Value!)));
    expect(lp.MaxValue).toBe(Math.max(...pts.map((p) => p.Value!)));
  });

  it('starts at the next grid point when StartTime is off the grid (§6.2: 12:20:15 → 12:30)', async () => {
    const { body } = await getData(url, token, {
      StartTime: '2026-05-07T12:20:15Z',
      EndTime: '2026-05-07T13:00:00Z',
      IDs: ['OMPWVC'],
    });
    expect(points(body.Values![0]).map((p) => p.Timestamp)).toEqual([
      '2026-05-07T12:30:00+00:00',
      '2026-05-07T12:40:00+00:00',
      '2026-05-07T12:50:00+00:00',
      '2026-05-07T13:00:00+00:00',
    ]);
  });

  it('clips the end to now; top-level Start/End are the extent of the returned points', async () => {
    const { body } = await getData(url, token, {
      StartTime: '2026-11-20T10:00:00.000Z',
      EndTime: '2026-11-21T10:00:00.000Z',
      IDs: ['MP7WVC', 'A2BGHA'],
    });
    const wvc = body.Values!.find((v) => v.ID === 'MP7WVC')!;
    const gha = body.Values!.find((v) => v.ID === 'A2BGHA')!;
    expect(wvc.EndTime).toBe('2026-11-20T12:00:00+00:00');
    expect(points(wvc)).toHaveLength(13);
    expect(points(gha).map((p) => p.Timestamp)).toEqual([
      '2026-11-20T10:00:00+00:00',
      '2026-11-20T10:30:00+00:00',
      '2026-11-20T11:00:00+00:00',
      '2026-11-20T11:30:00+00:00',
      '2026-11-20T12:00:00+00:00',
    ]);
    expect(body.StartTime).toBe('2026-11-20T10:00:00+00:00');
    expect(body.EndTime).toBe('2026-11-20T12:00:00+00:00');
    expect(body.Intervals).toEqual([10, 30]);
  });

  it('orders series by descending ID, whatever the request order; unknown IDs left out; duplicates once', async () => {
    const { body } = await getData(url, token, {
      StartTime: '2021-12-14T23:00:00.000Z',
      EndTime: '2021-12-15T23:00:00.000Z',
      IDs: ['MP7WC3', 'MP7WRS', 'NOPE00', 'MP7WVC', 'MP7WC3'],
    });
    expect(body.Values!.map((v) => v.ID)).toEqual(['MP7WVC', 'MP7WRS', 'MP7WC3']); // as recorded (§6.2)
  });

  it('lists series with CurrentInterval 0 with Values [] and null extent; only unknown IDs give Values []', async () => {
    const { body } = await getData(url, token, {
      StartTime: '2026-11-19T00:00:00Z',
      EndTime: '2026-11-19T01:00:00Z',
      IDs: ['MP2WS5', 'MP1WS5'],
    });
    expect(body.Values!.map((v) => v.ID)).toEqual(['MP2WS5', 'MP1WS5']);
    expect(body.Values![0]).toEqual({ ID: 'MP2WS5', StartTime: null, EndTime: null, MinValue: null, MaxValue: null, Values: [] });
    expect(points(body.Values![1])).toHaveLength(13); // 5-minute tide gauge
    expect(body.Intervals).toEqual([5]);
    const unknown = await getData(url, token, { StartTime: '2026-11-19T00:00:00Z', EndTime: '2026-11-19T01:00:00Z', IDs: ['NOPE00'] });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ StartTime: null, EndTime: null, Intervals: [], Values: [] });
  });

  it('a window without points: the series is present with Values [] (future window)', async () => {
    const { body } = await getData(url, token, { StartTime: '2026-12-01T00:00:00Z', EndTime: '2026-12-02T00:00:00Z', IDs: ['MP7WVC'] });
    expect(body.Values).toEqual([{ ID: 'MP7WVC', StartTime: null, EndTime: null, MinValue: null, MaxValue: null, Values: [] }]);
    expect(body.StartTime).toBeNull();
  });

  it('rejects a span over 365 days with 400 {"Message"}, accepts exactly 365 days', async () => {
    const tooLong = await getData(url, token, { StartTime: '2025-11-19T00:00:00Z', EndTime: '2026-11-20T00:00:00Z', IDs: ['A2BGHA'] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({ Message: 'The requested period is longer than 365 days.' });
    const year = await getData(url, token, { StartTime: '2025-11-20T00:00:00Z', EndTime: '2026-11-20T00:00:00Z', IDs: ['A2BGHA'] });
    expect(year.status).toBe(200);
    expect(points(year.body.Values![0])).toHaveLength(365 * 48 + 1);
  });

  it('uses the configured span limit in the message, and null means no limit', async () => {
    const { sim: s30, url: u30 } = await startSim({ maxSpanDays: 30 });
    const t30 = await login(s30, u30);
    const r = await getData(u30, t30, { StartTime: '2026-10-01T00:00:00Z', EndTime: '2026-11-01T00:00:00Z', IDs: ['A2BGHA'] });
    expect(r.status).toBe(400);
    expect(r.body.Message).toBe('The requested period is longer than 30 days.');
    const { sim: sNo, url: uNo } = await startSim({ maxSpanDays: null, gapRate: 0 });
    const tNo = await login(sNo, uNo);
    const long = await getData(uNo, tNo, { StartTime: '2025-01-01T00:00:00Z', EndTime: '2026-03-01T00:00:00Z', IDs: ['A2BGHA'] });
    expect(long.status).toBe(200);
    expect(points(long.body.Values![0]).length).toBe(424 * 48 + 1); // 2025-01-01 … 2026-03-01
  });

  it('From/Till instead of StartTime/EndTime: 200 with no points, not an error (§6.1)', async () => {
    const { status, body } = await getData(url, token, {
      From: '2026-11-19T00:00:00Z',
      Till: '2026-11-20T00:00:00Z',
      IDs: ['MP7WVC', 'MP7WRS'],
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['StartTime', 'EndTime', 'Intervals', 'Values']);
    expect(body.StartTime).toBeNull();
    expect(body.Values!.map((v) => v.ID)).toEqual(['MP7WVC', 'MP7WRS']);
    expect(body.Values!.every((v) => v.Values!.length === 0)).toBe(true);
  });

  it('unparseable dates: 400 with a Message', async () => {
    const { status, body } = await getData(url, token, { StartTime: 'yesterday', EndTime: '2026-11-20T00:00:00Z', IDs: ['MP7WVC'] });
    expect(status).toBe(400);
    expect(typeof body.Message).toBe('string');
    const bad = await getData(url, token, { StartTime: '2026-02-30T00:00:00Z', EndTime: '2026-03-01T00:00:00Z', IDs: ['MP7WVC'] });
    expect(bad.status).toBe(400);
  });

  it('accepts the date forms clients send and form encoding with repeated IDs', async () => {
    const form = new URLSearchParams([
      ['StartTime', '2026-11-19'],
      ['EndTime', '2026-11-19 01:00:00+01:00'], // = 00:00 UTC
      ['IDs', 'MP7WVC'],
      ['IDs', 'MP7WRS'],
    ]);
    const res = await fetch(`${url}/V2/getData`, { method: 'POST', headers: bearer(token), body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as GetDataResponse;
    expect(body.Values!.map((v) => v.ID)).toEqual(['MP7WVC', 'MP7WRS']);
    expect(points(body.Values![0]).map((p) => p.Timestamp)).toEqual(['2026-11-19T00:00:00+00:00']);
    const single = await fetch(`${url}/V2/getData`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'StartTime=2026-11-19+00%3A00%3A00&EndTime=2026-11-19T00%3A30%3A00.000Z&IDs=BVHGH1',
    });
    const sb = (await single.json()) as GetDataResponse;
    expect(points(sb.Values![0]).map((p) => p.Timestamp)).toEqual(['2026-11-19T00:00:00+00:00', '2026-11-19T00:30:00+00:00']);
  });

  it('a body in another media type (text/plain): 415, as Web API has no formatter for it', async () => {
    const res = await fetch(`${url}/V2/getData`, {
      method: 'POST',
      headers: bearer(token), // fetch labels a string body text/plain
      body: 'StartTime=2026-11-19&EndTime=2026-11-20&IDs=MP7WVC',
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { Message: string }).Message).toBe(
      "The request entity's media type 'text/plain' is not supported for this resource.",
    );
  });

  it('is deterministic', async () => {
    const req = { StartTime: '2026-11-01T00:00:00Z', EndTime: '2026-11-02T00:00:00Z', IDs: ['MP7WVC', 'A2BGHA'] };
    const a = await getData(url, token, req);
    const b = await getData(url, token, req);
    expect(a.text).toBe(b.text);
  });

  it('a year of 10-minute data for 40 series (about 2 M points) comes whole, in one answer', async () => {
    const c = (await (await fetch(`${url}/V2/catalog`, { headers: bearer(token) })).json()) as CatalogResponse;
    const ids = c.AvailableData.filter((a) => a.CurrentInterval === 10)
      .slice(0, 40)
      .map((a) => a.ID);
    expect(ids).toHaveLength(40);
    const res = await fetch(`${url}/V2/getData`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ StartTime: '2025-11-20T12:00:00Z', EndTime: '2026-11-20T12:00:00Z', IDs: ids }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as GetDataResponse;
    expect(body.Values!.map((v) => v.ID).sort()).toEqual([...ids].sort());
    for (const v of body.Values!) {
      // No gaps (gapRate 0): every 10-minute instant of the year, both ends included.
      expect(v.Values).toHaveLength(365 * 144 + 1);
      expect([v.StartTime, v.EndTime]).toEqual(['2025-11-20T12:00:00+00:00', '2026-11-20T12:00:00+00:00']);
    }
    const logged = sim.requests('getData').at(-1)!;
    expect((logged.body as { IDs: string[] }).IDs).toEqual(ids);
    expect([logged.status, logged.faulted]).toEqual([200, false]);
  });
});

describe('getData gaps and disorder', () => {
  it('omits gaps (deterministic, clustered) instead of null-filling them', async () => {
    const { sim, url } = await startSim({ gapRate: 0.2 });
    const token = await login(sim, url);
    const start = Date.parse('2026-11-10T00:00:00Z');
    const end = start + 2 * DAY;
    const { body } = await getData(url, token, { StartTime: iso(start), EndTime: iso(end), IDs: ['MP7WVC'] });
    const got = new Set(points(body.Values![0]).map((p) => Date.parse(p.Timestamp)));
    let missing = 0;
    let longestRun = 0;
    let run = 0;
    for (let t = start; t <= end; t += 10 * MIN) {
      const gap = isGap('MP7WVC', t, 0.2);
      expect(got.has(t)).toBe(!gap);
      if (gap) {
        missing++;
        run++;
        longestRun = Math.max(longestRun, run);
      } else run = 0;
    }
    expect(missing).toBeGreaterThan(20); // about 20 % of 289
    expect(missing).toBeLessThan(100);
    expect(longestRun).toBeGreaterThanOrEqual(2); // gaps come in runs
    expect(points(body.Values![0]).every((p) => p.Value !== null)).toBe(true);
  });

  it('gap rate: the long-run fraction of missing slots follows gapRate; 0 means none', () => {
    let g1 = 0;
    let g0 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const t = Date.UTC(2025, 0, 1) + i * 10 * MIN;
      if (isGap('OMPWVC', t, 0.01)) g1++;
      if (isGap('OMPWVC', t, 0)) g0++;
    }
    expect(g1 / n).toBeGreaterThan(0.005);
    expect(g1 / n).toBeLessThan(0.02);
    expect(g0).toBe(0);
  });

  it('unordered: the same points shuffled with a few duplicates; Min/Max and extent unchanged', async () => {
    const req = { StartTime: '2026-11-18T00:00:00Z', EndTime: '2026-11-20T00:00:00Z', IDs: ['MP7WVC', 'MP7WRS'] };
    const { sim: s1, url: u1 } = await startSim();
    const { sim: s2, url: u2 } = await startSim({ unordered: true });
    const ordered = (await getData(u1, await login(s1, u1), req)).body;
    const shuffled = (await getData(u2, await login(s2, u2), req)).body;
    for (let i = 0; i < 2; i++) {
      const a = ordered.Values![i]!;
      const b = shuffled.Values![i]!;
      expect(b.ID).toBe(a.ID);
      const ts = points(b).map((p) => p.Timestamp);
      expect(ts).not.toEqual([...ts].sort()); // not sorted
      expect(ts.length).toBeGreaterThan(points(a).length); // duplicates
      expect(new Set(ts)).toEqual(new Set(points(a).map((p) => p.Timestamp)));
      expect([b.StartTime, b.EndTime, b.MinValue, b.MaxValue]).toEqual([a.StartTime, a.EndTime, a.MinValue, a.MaxValue]);
      const sortedBack = [...new Map(points(b).map((p) => [p.Timestamp, p])).values()].sort((x, y) => (x.Timestamp < y.Timestamp ? -1 : 1));
      expect(sortedBack).toEqual(points(a)); // re-keying by Timestamp restores the series
    }
  });
});

describe('tokens expire', () => {
  it('on the simulator clock after expires_in; ping then answers Customer null', async () => {
    let now = NOW;
    const { sim, url } = await startSim({ clock: () => now });
    const token = await login(sim, url);
    now = NOW + 3598_000;
    expect((await fetch(`${url}/V2/catalog`, { headers: bearer(token) })).status).toBe(200);
    now = NOW + 3599_000;
    const res = await fetch(`${url}/V2/catalog`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ Message: 'Authorization has been denied for this request.' });
    expect(await (await fetch(`${url}/V2/ping`, { headers: bearer(token) })).json()).toEqual({ Customer: null });
    const fresh = await login(sim, url);
    expect((await fetch(`${url}/V2/currentData`, { headers: bearer(fresh) })).status).toBe(200);
  });

  it('after tokenLifetimeSeconds, via setClock', async () => {
    const { sim, url } = await startSim({ tokenLifetimeSeconds: 60 });
    const res = await fetch(`${url}/Token`, { method: 'POST', body: loginForm(sim.username, sim.password) });
    const body = (await res.json()) as TokenResponse;
    expect(body.expires_in).toBe(60);
    expect(body['.expires']).toBe('Fri, 20 Nov 2026 12:01:00 GMT');
    sim.setClock(() => NOW + 61_000);
    expect(sim.now()).toBe(NOW + 61_000);
    expect((await fetch(`${url}/V2/catalog`, { headers: bearer(body.access_token) })).status).toBe(401);
  });

  it('all at once with expireTokens()', async () => {
    const { sim, url } = await startSim();
    const a = await login(sim, url);
    const b = await login(sim, url);
    sim.expireTokens();
    for (const t of [a, b]) {
      expect((await fetch(`${url}/V2/getData`, { method: 'POST', headers: bearer(t), body: '{}' })).status).toBe(401);
    }
    const c = await login(sim, url);
    expect((await fetch(`${url}/V2/catalog`, { headers: bearer(c) })).status).toBe(200);
    expect(sim.issuedTokens()).toEqual([a, b, c]); // expired ones included
  });
});

describe('request log', () => {
  it('records every request with its route, auth outcome and status', async () => {
    let now = NOW;
    const { sim, url } = await startSim({ clock: () => now });
    const token = await login(sim, url);
    now += 1000;
    await fetch(`${url}/V2/ping`);
    await fetch(`${url}/V2/catalog`);
    await fetch(`${url}/V2/currentData?ids=MP7WVC`, { headers: bearer(token) });
    await getData(url, token, { StartTime: '2026-11-19T00:00:00Z', EndTime: '2026-11-19T01:00:00Z', IDs: ['MP7WVC'] });
    await fetch(`${url}/nowhere`);
    const log = sim.requests();
    expect(log.map((e) => [e.route, e.method, e.status, e.authorized])).toEqual([
      ['token', 'POST', 200, true],
      ['ping', 'GET', 200, null],
      ['catalog', 'GET', 401, false],
      ['currentData', 'GET', 200, true],
      ['getData', 'POST', 200, true],
      ['unknown', 'GET', 404, null],
    ]);
    expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((x, y) => x - y));
    expect(new Set(log.map((e) => e.seq)).size).toBe(6);
    expect(log[0]!.at).toBe(NOW);
    expect(log[1]!.at).toBe(NOW + 1000);
    expect(log[0]!.body).toEqual({ grant_type: 'password', username: 'simulator@example.com', password: 'simulator' });
    expect(log[3]!.path).toBe('/V2/currentData');
    expect(log[3]!.query).toEqual({ ids: 'MP7WVC' });
    expect(log[4]!.body).toEqual({ StartTime: '2026-11-19T00:00:00Z', EndTime: '2026-11-19T01:00:00Z', IDs: ['MP7WVC'] });
    expect(log.every((e) => e.faulted === false)).toBe(true);
    expect(sim.requests('catalog')).toHaveLength(1);
    expect(sim.requests('token')[0]!.status).toBe(200);
    sim.clearLog();
    expect(sim.requests()).toEqual([]);
    await fetch(`${url}/V2/ping`);
    expect(sim.log).toHaveLength(1);
    expect(sim.log[0]!.seq).toBe(7); // numbering goes on after clearLog
  });
});

describe('faults, latency, replay', () => {
  let sim: MeetnetSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim());
    token = await login(sim, url);
  });
  afterEach(() => {
    sim.clearFaults();
    sim.latencyMs = 0;
  });

  it('a status fault replaces the answer of its route only, and counts down its times', async () => {
    sim.addFault({ route: 'catalog', status: 503, body: '<h1>Service Unavailable</h1>', contentType: 'text/html', times: 2 });
    expect(sim.faults).toHaveLength(1);
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200); // other route untouched
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/V2/catalog`, { headers: bearer(token) });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(await res.text()).toBe('<h1>Service Unavailable</h1>');
    }
    expect(sim.faults).toHaveLength(0);
    expect((await fetch(`${url}/V2/catalog`, { headers: bearer(token) })).status).toBe(200);
    const entries = sim.requests('catalog').slice(-3);
    expect(entries.map((e) => [e.status, e.faulted])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
  });

  it('a fault without a route hits every route; a JSON body gets a JSON content type', async () => {
    sim.addFault({ status: 500, body: '{"Message":"An error has occurred."}', times: 2 });
    const a = await fetch(`${url}/V2/ping`);
    const b = await fetch(`${url}/Token`, { method: 'POST', body: loginForm(sim.username, sim.password) });
    expect([a.status, b.status]).toEqual([500, 500]);
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await a.json()).toEqual({ Message: 'An error has occurred.' });
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200);
  });

  it('hang: never answers (the client times out); the request is logged with status null', async () => {
    sim.addFault({ route: 'getData', hang: true, times: 1 });
    const t0 = performance.now();
    await expect(
      fetch(`${url}/V2/getData`, { method: 'POST', headers: bearer(token), body: '{}', signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const last = sim.requests('getData').at(-1)!;
    expect(last.status).toBeNull();
    expect(last.faulted).toBe(true);
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200); // the server is fine
  });

  it('destroy: the socket is dropped without an answer', async () => {
    sim.addFault({ route: 'currentData', destroy: true });
    await expect(fetch(`${url}/V2/currentData`, { headers: bearer(token) })).rejects.toThrow(/fetch failed/);
    sim.clearFaults();
    expect((await fetch(`${url}/V2/currentData`, { headers: bearer(token) })).status).toBe(200);
  });

  it('delayMs alone delays the normal answer', async () => {
    sim.addFault({ route: 'ping', delayMs: 250, times: 1 });
    const t0 = performance.now();
    const res = await fetch(`${url}/V2/ping`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Customer: null });
    await fetch(`${url}/V2/ping`);
    expect(
      sim
        .requests('ping')
        .slice(-2)
        .map((e) => [e.faulted, e.waitMs]),
    ).toEqual([
      [true, 250],
      [false, 0],
    ]); // used up
  });

  it('latencyMs is added to every answer and can change at run time', async () => {
    sim.latencyMs = 400;
    expect(sim.latencyMs).toBe(400);
    const t0 = performance.now();
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    expect(sim.requests('ping').at(-1)!.waitMs).toBe(400);
    sim.latencyMs = 0;
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200);
    expect(sim.requests('ping').at(-1)!.waitMs).toBe(0); // nothing added any more
    expect(() => (sim.latencyMs = -1)).toThrow(RangeError);
    const { sim: slow, url: slowUrl } = await startSim({ latencyMs: 150 });
    const t2 = performance.now();
    await fetch(`${slowUrl}/V2/ping`);
    expect(performance.now() - t2).toBeGreaterThanOrEqual(140);
    expect(slow.requests('ping').at(-1)!.waitMs).toBe(150);
  });

  it('replay serves recorded bodies verbatim, still behind the token', async () => {
    const currentData = readFileSync(`${FIXTURES}/currentData_2020-01-02_surfbot.json`, 'utf8');
    const recorded = readFileSync(`${FIXTURES}/getData_2021-12-15_MP7_dewindnu.json`, 'utf8');
    const { sim: r, url: ru } = await startSim({ replay: { currentData, getData: recorded } });
    const t = await login(r, ru);
    expect((await fetch(`${ru}/V2/currentData`)).status).toBe(401);
    const cd = await fetch(`${ru}/V2/currentData`, { method: 'POST', headers: bearer(t), body: new URLSearchParams({ IDs: 'MP7WVC' }) });
    expect(await cd.text()).toBe(currentData); // verbatim: "62.0" and all, unfiltered
    const gd = await getData(ru, t, { StartTime: '2021-12-14T23:00:00.000Z', EndTime: '2021-12-15T23:00:00.000Z', IDs: ['MP7WVC'] });
    expect(gd.text).toBe(recorded);
    expect(gd.body.Values!.map((v) => v.ID)).toEqual(['MP7WVC', 'MP7WRS', 'MP7WC3']);
  });
});

describe('routing and bad input', () => {
  let sim: MeetnetSimulator;
  let url: string;
  let token: string;
  beforeAll(async () => {
    ({ sim, url } = await startSim());
    token = await login(sim, url);
  });

  it('matches routes case-insensitively and accepts a trailing slash (§1)', async () => {
    expect(await (await fetch(`${url}/v2/PING/`)).json()).toEqual({ Customer: null });
    expect((await fetch(`${url}/V2/Catalog/`, { headers: bearer(token) })).status).toBe(200);
    expect((await fetch(`${url}/token/`, { method: 'POST', body: loginForm(sim.username, sim.password) })).status).toBe(200);
    expect((await fetch(`${url}/V2/CurrentData`, { headers: bearer(token) })).status).toBe(200);
    const gd = await fetch(`${url}/v2/getdata/`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ StartTime: '2026-11-19T00:00:00Z', EndTime: '2026-11-19T00:10:00Z', IDs: ['MP7WVC'] }),
    });
    expect(gd.status).toBe(200);
    expect(sim.requests('getData').at(-1)!.path).toBe('/v2/getdata/');
  });

  it('answers unknown paths with the Web API 404 message and wrong methods with 405', async () => {
    const res = await fetch(`${url}/V3/catalog?x=1`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { Message: string }).Message).toMatch(
      /^No HTTP resource was found that matches the request URI 'http:\/\/.+\/V3\/catalog\?x=1'\.$/,
    );
    const wrong = await fetch(`${url}/V2/getData`, { headers: bearer(token) });
    expect(wrong.status).toBe(405);
    expect(((await wrong.json()) as { Message: string }).Message).toContain("does not support http method 'GET'");
  });

  it('malformed JSON: 400 with a Message, and the server keeps going', async () => {
    for (const path of ['/V2/getData', '/V2/currentData']) {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: '{"StartTime": "2026-11-19T00:00:00Z", IDs: [',
      });
      expect(res.status).toBe(400);
      expect(typeof ((await res.json()) as { Message: unknown }).Message).toBe('string');
    }
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200);
  });

  it('a body over 10 MB: 413', async () => {
    const res = await fetch(`${url}/V2/getData`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: `{"IDs":["${'A'.repeat(10 * 1024 * 1024)}"]}`,
    });
    expect(res.status).toBe(413);
    expect(typeof ((await res.json()) as { Message: unknown }).Message).toBe('string');
    expect((await fetch(`${url}/V2/ping`)).status).toBe(200);
  });
});

describe('SimulatorServer (generic)', () => {
  const echo = (req: SimRequest) => ({
    status: 200,
    route: 'echo',
    body: { method: req.method, path: req.path, query: req.query, body: req.body ?? null, kind: req.bodyKind, error: req.bodyError },
  });

  it('parses queries, JSON and form bodies (repeated keys become arrays), odd content types', async () => {
    const s = new SimulatorServer('echo', echo);
    const url = await s.listen();
    try {
      expect(s.url).toBe(url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const q = await (await fetch(`${url}/a%20b/c?x=1&x=2&y=3`)).json();
      expect(q).toMatchObject({ method: 'GET', path: '/a b/c', query: { x: ['1', '2'], y: '3' }, body: null, kind: 'none' });
      const form = await (
        await fetch(`${url}/f`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded charset=UTF-8' },
          body: 'a=1&a=2&b=x+y',
        })
      ).json();
      expect(form).toMatchObject({ body: { a: ['1', '2'], b: 'x y' }, kind: 'form' });
      const json = await (
        await fetch(`${url}/j`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"k":[1]}' })
      ).json();
      expect(json).toMatchObject({ body: { k: [1] }, kind: 'json', error: null });
      const broken = (await (
        await fetch(`${url}/j`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })
      ).json()) as { error: string | null };
      expect(broken.error).toEqual(expect.any(String));
      const sniffed = await (await fetch(`${url}/s`, { method: 'POST', body: new Blob(['{"n":2}']) })).json();
      expect(sniffed).toMatchObject({ body: { n: 2 }, kind: 'json' });
    } finally {
      await s.close();
    }
    expect(() => s.url).toThrow(/not listening/);
  });

  it('memoize (benchmarks): an identical 2xx read of a listed route is answered again without the handler, and still logged', async () => {
    let calls = 0;
    const s = new SimulatorServer(
      'memo',
      (req) => {
        calls++;
        return req.path === '/write'
          ? { status: 200, route: 'write', body: { n: calls } }
          : req.path === '/fail'
            ? { status: 503, route: 'read' }
            : { status: 200, route: 'read', body: { n: calls } };
      },
      { memoize: { routes: ['read'], ms: 60_000 } },
    );
    const url = await s.listen();
    try {
      const post = (path: string, body: string) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json());
      expect(await post('/read', '{"ids":[1]}')).toEqual({ n: 1 });
      expect(await post('/read', '{"ids":[1]}')).toEqual({ n: 1 }); // the same answer, the handler not called
      expect(await post('/read', '{"ids":[2]}')).toEqual({ n: 2 }); // another body: computed
      expect(await post('/write', '{"ids":[1]}')).toEqual({ n: 3 }); // a route not listed: always computed
      expect(await post('/write', '{"ids":[1]}')).toEqual({ n: 4 });
      await fetch(`${url}/fail`);
      await fetch(`${url}/fail`);
      expect(calls).toBe(6); // an error answer is never kept
      expect(s.requestsReceived).toBe(7);
    } finally {
      await s.close();
    }
  });

  it('turns a throwing handler into a 500 and stays up', async () => {
    let calls = 0;
    const s = new SimulatorServer(
      'boom',
      () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { status: 204, route: 'ok' };
      },
      { errorBody: (status, message) => ({ status, message }) },
    );
    const url = await s.listen();
    try {
      const res = await fetch(`${url}/x`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ status: 500, message: 'An error has occurred.' });
      expect((await fetch(`${url}/x`)).status).toBe(204);
      expect(s.requests().map((e) => [e.route, e.status])).toEqual([
        ['unknown', 500],
        ['ok', 204],
      ]);
    } finally {
      await s.close();
    }
  });

  it('close() ends hanging and keep-alive connections instead of waiting for the clients', async () => {
    const s = new SimulatorServer('hang', () => ({ status: 200, route: 'r', body: {} }), { clock: () => 42 });
    const url = await s.listen();
    expect(s.now()).toBe(42);
    await fetch(`${url}/keepalive`); // leaves an idle keep-alive socket
    s.addFault({ hang: true });
    const pending = fetch(`${url}/hang`).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => s.requests().some((e) => e.path === '/hang')); // it is in, and will never be answered
    // This fetch has no timeout of its own (undici's are minutes): close() resolves only because it ends the connection.
    await s.close();
    expect(await pending).toBe('failed');
    expect(s.requests().map((e) => [e.path, e.status, e.waitMs])).toEqual([
      ['/keepalive', 200, 0],
      ['/hang', null, 0],
    ]);
  });
});

describe('plausible values', () => {
  let url: string;
  let token: string;
  beforeAll(async () => {
    let sim: MeetnetSimulator;
    ({ sim, url } = await startSim({ gapRate: 0 }));
    token = await login(sim, url);
  });

  it('tide (WS5, cm TAW): a few metres of range around ~250 cm, high water every ~12 h 25 min', async () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    const { body } = await getData(url, token, { StartTime: iso(start), EndTime: iso(start + 15 * DAY), IDs: ['MP7WS5'] });
    const pts = points(body.Values![0]).map((p) => ({ t: Date.parse(p.Timestamp), v: p.Value! }));
    expect(pts).toHaveLength(15 * 288 + 1); // 5-minute gauge
    const values = pts.map((p) => p.v);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-50);
    expect(Math.max(...values)).toBeLessThanOrEqual(600);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(250);
    expect(values.every(Number.isInteger)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(200);
    expect(mean).toBeLessThan(300);
    // High waters: the maximum of a ±3 h window, first sample of a rounding plateau.
    const w = 36;
    const highs: number[] = [];
    for (let i = w; i < pts.length - w; i++) {
      const v = pts[i]!.v;
      let top = true;
      for (let j = i - w; j <= i + w && top; j++) if (pts[j]!.v > v || (j < i && pts[j]!.v === v)) top = false;
      if (top) highs.push(pts[i]!.t);
    }
    expect(highs.length).toBeGreaterThanOrEqual(27); // 15 days / 12.42 h ≈ 29
    const spacing = (highs.at(-1)! - highs[0]!) / (highs.length - 1) / MIN;
    expect(spacing).toBeGreaterThan(745 - 10);
    expect(spacing).toBeLessThan(745 + 10);
  });

  it('spring/neap: the tidal range changes over the 14.77-day cycle', () => {
    const rangeOfDay = (day0: number) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let t = day0; t < day0 + 25 * HOUR; t += 10 * MIN) {
        const v = meetnetValue('WS5', 'MP1', t);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return hi - lo;
    };
    const ranges = Array.from({ length: 15 }, (_, d) => rangeOfDay(Date.UTC(2026, 10, 1) + d * DAY));
    expect(Math.max(...ranges) - Math.min(...ranges)).toBeGreaterThan(80);
  });

  it('wind direction (WRS) stays in [0, 360), integral, and veers through several quadrants; speeds are consistent', async () => {
    const { body } = await getData(url, token, {
      StartTime: '2026-10-01T00:00:00Z',
      EndTime: '2026-11-20T00:00:00Z',
      IDs: ['MP7WRS', 'MP7WVC', 'MP7WC3'],
    });
    const [wvc, wrs, wc3] = body.Values!; // descending ID: WVC, WRS, WC3
    expect([wvc!.ID, wrs!.ID, wc3!.ID]).toEqual(['MP7WVC', 'MP7WRS', 'MP7WC3']);
    const dirs = points(wrs).map((p) => p.Value!);
    expect(dirs.every((d) => Number.isInteger(d) && d >= 0 && d < 360)).toBe(true);
    expect(new Set(dirs.map((d) => Math.floor(d / 90))).size).toBeGreaterThanOrEqual(3);
    const speeds = points(wvc).map((p) => p.Value!);
    expect(Math.min(...speeds)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...speeds)).toBeLessThanOrEqual(18);
    expect(Math.max(...speeds) - Math.min(...speeds)).toBeGreaterThan(5);
    const gusts = points(wc3).map((p) => p.Value!);
    for (let i = 0; i < speeds.length; i += 97) expect(gusts[i]! / speeds[i]!).toBeGreaterThan(1.2);
  });

  it('solar radiation (ZON) is zero at night and positive around noon', async () => {
    const { body } = await getData(url, token, { StartTime: '2026-11-19T00:00:00Z', EndTime: '2026-11-19T23:50:00Z', IDs: ['ZDIZON'] });
    const byHour = new Map<number, number[]>();
    for (const p of points(body.Values![0])) {
      const h = new Date(p.Timestamp).getUTCHours();
      byHour.set(h, [...(byHour.get(h) ?? []), p.Value!]);
    }
    for (const h of [0, 1, 2, 3, 4, 5, 18, 19, 20, 21, 22, 23]) expect(byHour.get(h)!.every((v) => v === 0)).toBe(true);
    expect(Math.max(...byHour.get(11)!, ...byHour.get(12)!)).toBeGreaterThan(20);
    expect(Math.max(...points(body.Values![0]).map((p) => p.Value!))).toBeLessThan(600); // low November sun
  });

  it('temperatures, humidity, pressure, waves stay in their physical ranges', () => {
    const feb = Date.UTC(2026, 1, 5, 12);
    const aug = Date.UTC(2026, 7, 5, 12);
    let febSum = 0;
    let augSum = 0;
    for (let d = 0; d < 10; d++) {
      febSum += meetnetValue('TLU', 'MP7', feb + d * DAY);
      augSum += meetnetValue('TLU', 'MP7', aug + d * DAY);
    }
    expect(augSum / 10 - febSum / 10).toBeGreaterThan(8);
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 7 * HOUR) {
      const tzw = meetnetValue('TZW', 'A2B', t);
      expect(tzw).toBeGreaterThanOrEqual(5);
      expect(tzw).toBeLessThanOrEqual(20);
      const hum = meetnetValue('HUM', 'ZDI', t);
      expect(hum).toBeGreaterThanOrEqual(60);
      expect(hum).toBeLessThanOrEqual(98);
      const ldr = meetnetValue('LDR', 'MP4', t);
      expect(ldr).toBeGreaterThanOrEqual(985);
      expect(ldr).toBeLessThanOrEqual(1035);
      const gha = meetnetValue('GHA', 'WHI', t);
      expect(gha).toBeGreaterThanOrEqual(30);
      expect(gha).toBeLessThanOrEqual(250);
      expect(meetnetValue('H01', 'WHI', t)).toBeGreaterThan(meetnetValue('GH1', 'WHI', t));
      const gtz = meetnetValue('GTZ', 'WHI', t);
      expect(gtz).toBeGreaterThanOrEqual(3);
      expect(gtz).toBeLessThanOrEqual(7);
      const sv3 = meetnetValue('SV3', 'MP0', t);
      expect(sv3).toBeGreaterThanOrEqual(0);
      expect(sv3).toBeLessThanOrEqual(1.5);
      expect(meetnetValue('NSI', 'OMP', t)).toBeGreaterThanOrEqual(0);
      const unknown = meetnetValue('QQQ', 'MP7', t);
      expect(unknown).toBeGreaterThanOrEqual(0);
      expect(unknown).toBeLessThanOrEqual(100);
    }
  });

  it('rain (NSI) is mostly zero; current direction (SR3) flips between flood and ebb', () => {
    let dry = 0;
    let n = 0;
    const dirs = new Set<number>();
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2026, 3, 1); t += 10 * MIN) {
      n++;
      if (meetnetValue('NSI', 'ZDI', t) === 0) dry++;
    }
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2026, 0, 2); t += 30 * MIN)
      dirs.add(Math.round(meetnetValue('SR3', 'MP0', t) / 180) % 2);
    expect(dry / n).toBeGreaterThan(0.6);
    expect(dry).toBeLessThan(n); // but it does rain
    expect(dirs.size).toBe(2); // both flood (≈65°) and ebb (≈245°) sectors
  });
});
