// The BEMServer client against the simulator over real HTTP: auth (login, refresh, failure),
// pagination, data in one call or split by URL length, aggregates, stats, writes and their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../src/auth/token-store.js';
import { RefreshRejectedError, TokenProvider } from '../../src/auth/token-provider.js';
import { extensions, rejection } from '../helpers/errors.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { UpstreamHttp, type AuthScheme } from '../../src/upstreams/http-client.js';
import { BemServerClient } from '../../src/upstreams/bemserver/client.js';
import { createBemServerSimulator, type BemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 3_600_000;
const EMAIL = 'svc@example.org';
const PASSWORD = 'bem-client-test-pw';
const secrets = new SecretRegistry();
// Kept, so that tests can read what the operator is told (an upstream's reason for refusing a login).
const logLines: string[] = [];
const logger = createLogger({ level: 'warn', secrets, write: (line) => logLines.push(line) });

let sim: BemServerSimulator;
let http: UpstreamHttp;
let now = NOW;
let tokens: TokenProvider;
let client: BemServerClient;

function make(options: { maxUrlLength?: number; concurrency?: number } = {}): BemServerClient {
  const opts = { maxUrlLength: options.maxUrlLength ?? 6000, concurrency: options.concurrency ?? 4 };
  const bare = new BemServerClient(http, null, opts);
  tokens = new TokenProvider({
    key: 'bemserver',
    store: new MemoryTokenStore(),
    login: () => bare.login(EMAIL, PASSWORD),
    refresh: (r) => bare.refresh(r),
    secrets,
    logger,
  });
  const auth: AuthScheme = { getToken: () => tokens.getToken(), invalidate: (t) => tokens.invalidate(t), header: (t) => `Bearer ${t}` };
  return new BemServerClient(http, auth, opts);
}

beforeAll(async () => {
  sim = createBemServerSimulator({ email: EMAIL, password: PASSWORD, clock: () => now });
  const url = await sim.listen();
  http = new UpstreamHttp({ upstream: 'bemserver', label: 'BEMServer', baseUrl: url, timeoutMs: 3000, retries: 1, logger });
  client = make();
});
afterAll(() => sim.close());

describe('auth', () => {
  it('login: a JWT pair whose lifetimes come from the tokens, against the server clock', async () => {
    const r = await new BemServerClient(http, null, { maxUrlLength: 6000, concurrency: 1 }).login(EMAIL, PASSWORD);
    expect(r.token.split('.')).toHaveLength(3);
    // The simulator runs two days behind the real clock: lifetimes are still 15 minutes and 60 days.
    expect(r.expiresInMs).toBeGreaterThan(14 * MINUTE);
    expect(r.expiresInMs).toBeLessThanOrEqual(15 * MINUTE);
    expect(r.refreshExpiresInMs).toBeGreaterThan(59 * 24 * HOUR);
    expect(sim.requests('token').at(-1)!.body).toEqual({ email: EMAIL, password: PASSWORD });
  });

  it('wrong credentials answer HTTP 200 {"status":"failure"}: UPSTREAM_AUTH_FAILED, never a token', async () => {
    const err = await rejection(new BemServerClient(http, null, { maxUrlLength: 6000, concurrency: 1 }).login(EMAIL, 'not-the-password'));
    expect(err.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(err.message).toBe(
      'BEMServer refused the service account\'s login (status "failure"); check BEMSERVER_EMAIL and BEMSERVER_PASSWORD',
    );
  });

  it('refresh gives a new pair; an access token in its place or an expired refresh token is RefreshRejectedError', async () => {
    const bare = new BemServerClient(http, null, { maxUrlLength: 6000, concurrency: 1 });
    const first = await bare.login(EMAIL, PASSWORD);
    now = NOW + MINUTE;
    try {
      const second = await bare.refresh(first.refreshToken!);
      expect(second.token).not.toBe(first.token);
      expect(sim.requests('refresh').at(-1)!.headers.authorization).toBe(`Bearer ${first.refreshToken}`);
      await expect(bare.refresh(first.token)).rejects.toBeInstanceOf(RefreshRejectedError);
      now = NOW + 61 * 24 * HOUR;
      await expect(bare.refresh(second.refreshToken!)).rejects.toThrow(/expired_token/);
    } finally {
      now = NOW;
    }
  });

  it('a 401 expired_token on a data call: one refresh, the call replayed, no new login', async () => {
    const c = make();
    await c.about();
    await c.list('campaigns', '/campaigns/', (b) => b as unknown[]);
    sim.clearLog();
    now = NOW + 16 * MINUTE;
    try {
      const campaigns = await c.list('campaigns', '/campaigns/', (b) => b as unknown[]);
      expect(campaigns.length).toBeGreaterThan(0);
      expect(sim.requests('campaigns').map((e) => e.status)).toEqual([401, 200]);
      expect(sim.requests('refresh')).toHaveLength(1);
      expect(sim.requests('token')).toHaveLength(0);
      expect(tokens.refreshes).toBe(1);
      expect(tokens.logins).toBe(1);
    } finally {
      now = NOW;
    }
  });

  it('tokens signed with a rotated secret (invalid_token): the refresh is refused too, so one new login', async () => {
    const c = make();
    await c.list('sites', '/sites/', (b) => b as unknown[]);
    sim.rotateSecret();
    sim.clearLog();
    const sites = await c.list('sites', '/sites/', (b) => b as unknown[]);
    expect(sites.length).toBe(2);
    expect(sim.requests('refresh').map((e) => e.status)).toEqual([401]);
    expect(sim.requests('token')).toHaveLength(1);
  });
});

describe('lists', () => {
  it('walks every page of /timeseries/ (100 per page, sorted by name), fetching the rest together', async () => {
    sim.clearLog();
    const all = await client.walk('timeseries', '/timeseries/', (b) => b as Array<{ id: number }>);
    const total = sim.timeseriesIds().length;
    expect(all).toHaveLength(total);
    expect(new Set(all.map((t) => t.id)).size).toBe(total);
    const pages = sim.requests('timeseries');
    expect(pages.map((p) => p.query.page)).toEqual(Array.from({ length: Math.ceil(total / 100) }, (_, i) => String(i + 1)));
    expect(pages.every((p) => p.query.sort === 'name' && p.query.page_size === '100')).toBe(true);
  });

  it('walks a small page size too: many pages, each item once', async () => {
    sim.clearLog();
    const links = await client.walk('timeseries_by_spaces', '/timeseries_by_spaces/', (b) => b as Array<{ id: number }>);
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links.map((l) => l.id)).size).toBe(links.length);
  });
});

describe('pages that do not add up (link lists have no ORDER BY, §4 quirk 6)', () => {
  const walkLinks = () => client.walk('timeseries_by_spaces', '/timeseries_by_spaces/', (b) => b as Array<{ id: number }>);

  it('a row skipped between pages: the list is read again, and comes whole', async () => {
    sim.clearLog();
    const truth = await walkLinks();
    const page = await fetch(`${http.options.baseUrl}/timeseries_by_spaces/?page=1&page_size=100`, {
      headers: { authorization: `Bearer ${await tokens.getToken()}` },
    });
    const rows = (await page.json()) as unknown[];
    // The first read of page 1 lacks a row, as a page boundary moving under OFFSET would make it.
    sim.addFault({
      route: 'timeseries_by_spaces',
      times: 1,
      status: 200,
      body: JSON.stringify(rows.slice(1)),
      headers: { 'x-pagination': page.headers.get('x-pagination')! },
    });
    sim.clearLog();
    const links = await walkLinks();
    expect(links.map((l) => l.id).sort((a, b) => a - b)).toEqual(truth.map((l) => l.id).sort((a, b) => a - b));
    expect(sim.requests('timeseries_by_spaces').length).toBe(2 * Math.ceil(truth.length / 100));
  });

  it('pages that never add up are UPSTREAM_BAD_RESPONSE, not a silently short catalogue', async () => {
    const page = await fetch(`${http.options.baseUrl}/timeseries_by_spaces/?page=1&page_size=100`, {
      headers: { authorization: `Bearer ${await tokens.getToken()}` },
    });
    const rows = (await page.json()) as unknown[];
    sim.addFault({
      route: 'timeseries_by_spaces',
      status: 200,
      body: JSON.stringify([...rows.slice(1), rows[1]]),
      headers: { 'x-pagination': page.headers.get('x-pagination')! },
    });
    try {
      const err = await walkLinks().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
      expect(String((err as Error).message)).toContain('changed while being read');
    } finally {
      sim.clearFaults();
    }
  });
});

describe('data', () => {
  const ids = () => sim.timeseriesIds().slice(0, 50).map(String);

  it('50 timeseries in one call: repeated keys, Z datetimes (no raw +), end excluded, exact Accept', async () => {
    sim.clearLog();
    const data = await client.data(ids(), { startMs: NOW - 2 * HOUR, endMs: NOW, dataStateId: 1 }, null);
    expect(data.size).toBe(50);
    const calls = sim.requests('timeseries_data');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query.timeseries).toEqual(ids());
    expect(calls[0]!.query.start_time).toBe(new Date(NOW - 2 * HOUR).toISOString());
    expect(calls[0]!.headers.accept).toBe('application/json');
    for (const s of data.values()) {
      expect(s.times.every((t, i) => i === 0 || t > s.times[i - 1]!)).toBe(true);
      expect(s.times.every((t) => t >= NOW - 2 * HOUR && t < NOW)).toBe(true);
      expect(s.values.length).toBeLessThanOrEqual(12);
    }
  });

  it('split only where the URL would exceed the limit: every id exactly once', async () => {
    const small = make({ maxUrlLength: 350 });
    sim.clearLog();
    const data = await small.data(ids(), { startMs: NOW - HOUR, endMs: NOW, dataStateId: 1 }, null);
    expect(data.size).toBe(50);
    const calls = sim.requests('timeseries_data');
    expect(calls.length).toBeGreaterThan(1);
    const asked = calls.flatMap((c) => [c.query.timeseries].flat());
    expect(asked.sort()).toEqual(ids().sort());
    for (const c of calls) expect(new URLSearchParams(c.query as Record<string, string>).toString().length).toBeLessThan(350);
  });

  it('aggregates: hourly means on the bucket grid with every bucket present', async () => {
    const [id] = ids();
    const res = await client.data(
      [id!],
      { startMs: NOW - 6 * HOUR, endMs: NOW, dataStateId: 1 },
      { widthValue: 1, widthUnit: 'hour', aggregation: 'avg' },
    );
    const s = res.get(id!)!;
    expect(s.times).toEqual(Array.from({ length: 6 }, (_, i) => NOW - 6 * HOUR + i * HOUR));
    const raw = (await client.data([id!], { startMs: NOW - 6 * HOUR, endMs: NOW - 5 * HOUR, dataStateId: 1 }, null)).get(id!)!;
    const mean = (raw.values as number[]).reduce((a, b) => a + b, 0) / raw.values.length;
    expect(s.values[0]).toBeCloseTo(mean, 9);
  });

  it('stats for many timeseries in one call', async () => {
    sim.clearLog();
    const stats = await client.stats(ids().slice(0, 10), 1);
    expect(stats.size).toBe(10);
    expect(sim.requests('timeseries_data/stats')).toHaveLength(1);
    for (const s of stats.values()) {
      if (s.count === 0) continue;
      expect(s.lastTimestamp!).toBeLessThanOrEqual(NOW);
      expect(s.min!).toBeLessThanOrEqual(s.max!);
    }
  });

  it('an unknown timeseries or data state is UPSTREAM_REJECTED with the upstream message and fields', async () => {
    const unknown = await rejection(client.data(['999999'], { startMs: NOW - HOUR, endMs: NOW, dataStateId: 1 }, null));
    expect(extensions(unknown)).toMatchObject({ upstream: 'bemserver', status: 422 });
    expect(unknown.message).toContain('Unknown timeseries: [999999]');
    const state = await rejection(client.data(ids().slice(0, 1), { startMs: NOW - HOUR, endMs: NOW, dataStateId: 77 }, null));
    expect(extensions(state)!.fields).toEqual(['query.data_state']);
    expect(state.message).toContain('Unknown data state ID');
  });

  it('writes JSON points (201, body null); a non-numeric value is a 422 naming the problem', async () => {
    const manual = sim.timeseriesIds({ kind: 'manual' })[0]!;
    await client.postData({ [manual]: { '2026-11-20T06:00:00+00:00': 5, '2026-11-20T07:00:00+00:00': 6 } }, 1);
    expect([...sim.stored(manual, 1).entries()]).toEqual([
      [Date.parse('2026-11-20T06:00:00Z'), 5],
      [Date.parse('2026-11-20T07:00:00Z'), 6],
    ]);
    const bad = await rejection(client.postData({ [manual]: { '2026-11-20T08:00:00+00:00': 'lots' as unknown as number } }, 1));
    expect(extensions(bad)).toMatchObject({ status: 422, upstreamMessage: 'Invalid values' });
  });
});
