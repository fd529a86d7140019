// The upstream policy (src/upstreams/policy.ts, src/upstreams/http-client.ts) against simulators
// that misbehave on purpose: a hanging upstream costs one timeout, not three; no retry starts that
// could not end before the request's deadline; the circuit breaker fails fast while an upstream
// fails and closes again once a trial call succeeds; one upstream's calls are bounded across all
// requests; the rate limit queues calls instead of failing them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { UpstreamHttp } from '../../src/upstreams/http-client.js';
import { createMeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { UpstreamPolicy } from '../../src/upstreams/policy.js';
import { REDIS_URL, startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const SENSOR = 'meetnet:sensor:MP7WVC';
const series = (id: string) => `{ sensor(id: "${id}") { series(from: "2026-11-19T00:00:00Z", to: "2026-11-19T06:00:00Z") { count } } }`;

describe('timeouts, retries and the deadline', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MEETNET_TIMEOUT_MS: '500', MEETNET_RETRIES: '2', REQUEST_DEADLINE_MS: '1500' });
  });
  afterAll(() => app.stop());

  it('a hanging upstream costs one call and its timeout: a timeout is never retried', async () => {
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    sim.addFault({ route: 'getData', hang: true, times: 3 });
    const res = await gql(app.url, series(SENSOR));
    sim.clearFaults();
    expect(res.errors![0]).toMatchObject({
      message: 'Meetnet did not answer getData within 500 ms',
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet', reason: 'TIMEOUT' },
    });
    expect(sim.requests('getData')).toHaveLength(1);
  });

  it('a 503 is retried (with backoff) up to MEETNET_RETRIES', async () => {
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    sim.addFault({ route: 'getData', status: 503, times: 2 });
    const res = await gql(app.url, series(SENSOR));
    expect(res.errors).toBeUndefined();
    expect(sim.requests('getData').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('no retry starts that could not end before the request deadline (a Retry-After of 2 s, 1.5 s to live)', async () => {
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    sim.addFault({ route: 'getData', status: 503, headers: { 'retry-after': '2' }, times: 3 });
    const res = await gql(app.url, series(SENSOR));
    sim.clearFaults();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet', status: 503 });
    expect(sim.requests('getData')).toHaveLength(1);
  });
});

describe('the circuit breaker', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MEETNET_RETRIES: '0', MEETNET_BREAKER_MIN_CALLS: '3', MEETNET_BREAKER_OPEN_MS: '1000' });
  });
  afterAll(() => app.stop());

  it('opens after failures, fails fast without calling, lets one trial through later and closes on its success', async () => {
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    sim.addFault({ route: 'getData', status: 500 });
    // Three calls within 10 s (the catalogue's among them), more than half failed: open.
    for (let i = 0; i < 2; i++) {
      const res = await gql(app.url, series(SENSOR));
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500 });
    }
    expect(sim.requests('getData')).toHaveLength(2);
    // Open: refused at once, the upstream left alone; other upstreams are not concerned.
    const fast = await gql(app.url, series(SENSOR));
    expect(fast.errors![0]).toMatchObject({
      message: 'Meetnet is failing: the gateway holds its calls back for up to 1 s, then tries again',
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet', reason: 'CIRCUIT_OPEN', retryAfterSeconds: 1 },
    });
    expect(sim.requests('getData')).toHaveLength(2);
    expect((await gql(app.url, series('bemserver:sensor:1'))).errors).toBeUndefined();
    // The upstream recovers; after the open period one trial call goes out and closes the breaker.
    sim.clearFaults();
    await new Promise((r) => setTimeout(r, 1100));
    const trial = await gql(app.url, series(SENSOR));
    expect(trial.errors).toBeUndefined();
    expect(sim.requests('getData')).toHaveLength(3);
    const after = await gql(app.url, series(SENSOR).replace('06:00', '07:00'));
    expect(after.errors).toBeUndefined();
    expect(sim.requests('getData')).toHaveLength(4);
  });
});

describe('one upstream bounded across requests', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ FLEXMEASURES_MAX_CONCURRENT: '2' });
  });
  afterAll(() => app.stop());

  it('FLEXMEASURES_MAX_CONCURRENT=2: six requests for six sensors at once, never more than two calls at the upstream', async () => {
    const sim = app.simulators.flexmeasures!;
    const ids = (await gql(app.url, '{ sensors(upstream: FLEXMEASURES, first: 6) { nodes { id } } }')).data!.sensors.nodes.map(
      (n: { id: string }) => n.id,
    ) as string[];
    expect(ids).toHaveLength(6);
    sim.clearLog();
    sim.addFault({ route: 'sensorData', delayMs: 150 });
    sim.resetPeakConcurrency();
    const answers = await Promise.all(ids.map((id) => gql(app.url, series(id))));
    sim.clearFaults();
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(sim.requests('sensorData')).toHaveLength(6);
    expect(sim.peakConcurrency).toBe(2);
  });
});

describe('catalogues while their upstream is down', () => {
  it('served stale, and said so: extensions.staleCatalogues in the answer, the seconds in the metrics', async () => {
    let now = 1_000_000;
    const app = await startTestApp({ CATALOG_TTL_MS: '60000' }, { catalogClock: () => now });
    try {
      const query = '{ sensors(upstream: MEETNET, first: 2) { nodes { id } } }';
      const fresh = await gql(app.url, query);
      expect(fresh.errors).toBeUndefined();
      expect(fresh.extensions).toBeUndefined();
      now += 61_000; // past its TTL: the next use refreshes it, and Meetnet is down
      app.simulators.meetnet!.addFault({ route: 'catalog', destroy: true });
      const stale = await gql(app.url, query);
      expect(stale.errors).toBeUndefined();
      expect(stale.data).toEqual(fresh.data);
      expect(stale.extensions).toEqual({ staleCatalogues: [{ upstream: 'meetnet', failingSince: expect.stringMatching(/^\d{4}-/) }] });
      await new Promise((r) => setTimeout(r, 20));
      const scrape = await (await fetch(app.url.replace('/graphql', '/metrics'))).text();
      const line = scrape.split('\n').find((l) => l.startsWith('gateway_upstream_catalogue_stale_seconds{upstream="meetnet"}'))!;
      expect(Number(line.split(' ')[1])).toBeGreaterThan(0);
      expect(scrape).toContain('gateway_upstream_catalogue_stale_seconds{upstream="bemserver"} 0');
    } finally {
      await app.stop();
    }
  });
});

describe('refused logins', () => {
  it('a wrong password under load: a handful of logins, not hundreds; every answer UPSTREAM_AUTH_FAILED; a second replica tries none', async () => {
    const sim = createMeetnetSimulator({ username: 'svc@example.org', password: 'the-right-one' });
    const env = {
      MEETNET_BASE_URL: await sim.listen(),
      MEETNET_USERNAME: 'svc@example.org',
      MEETNET_PASSWORD: 'a-wrong-one',
      REDIS_URL,
      REDIS_KEY_PREFIX: uniquePrefix(),
    };
    const [one, two] = [await startTestApp(env), await startTestApp(env)];
    try {
      const answers = [];
      // 400 queries in waves of 50, as a busy dashboard's viewers would send them.
      for (let wave = 0; wave < 8; wave++)
        answers.push(...(await Promise.all(Array.from({ length: 50 }, () => gql(one.url, series(SENSOR))))));
      for (const a of answers) expect(a.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'meetnet' });
      expect(answers.at(-1)!.errors![0]!.message).toMatch(
        /refused the service account's login \(HTTP 400\); check MEETNET_USERNAME and MEETNET_PASSWORD; no new login for \d+ s \(1 refused in a row\)/,
      );
      const logins = sim.requests('token').length;
      console.log(`refused logins: ${answers.length} queries → ${logins} login attempt(s) at the upstream`);
      expect(logins).toBe(1);
      // The calls that waited for the token are counted as such, not as failures of their routes.
      const scrape = await (await fetch(one.url.replace('/graphql', '/metrics'))).text();
      expect(scrape).toMatch(/gateway_upstream_calls_total\{upstream="meetnet",route="catalog",outcome="NO_TOKEN"\} \d+\n/);
      expect(scrape).not.toMatch(/route="catalog",outcome="(?!NO_TOKEN)/);
      expect(scrape).toMatch(/gateway_upstream_token_events_total\{upstream="meetnet",event="login-held-back"\} \d+/);
      // The other replica reads the refusal from Redis: no login of its own.
      const other = await gql(two.url, series(SENSOR));
      expect(other.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'meetnet' });
      expect(sim.requests('token')).toHaveLength(1);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
      await sim.close();
    }
  });
});

describe('the rate limit', () => {
  it('queues what passes the limit: 7 calls at 3 per window, no 4 within any window, all answered', async () => {
    const arrivals: number[] = [];
    const server = createServer((_req, res) => {
      arrivals.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const logger = createLogger({ level: 'silent', secrets: new SecretRegistry() });
      const settings = {
        maxConcurrent: 16,
        ratePerMinute: 3,
        rateWindowMs: 400,
        breakerErrorPercent: 50,
        breakerMinCalls: 10,
        breakerOpenMs: 1000,
      };
      const http = new UpstreamHttp({
        upstream: 'pier',
        label: 'Pier',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        timeoutMs: 2000,
        retries: 0,
        logger,
        policy: new UpstreamPolicy({ name: 'pier', label: 'Pier' }, settings, logger),
      });
      const calls = Array.from({ length: 7 }, (_, i) =>
        http.json({ route: 'ping', method: 'GET', path: `/ping/${i}`, idempotent: true, auth: null }, (b) => b),
      );
      expect(await Promise.all(calls)).toEqual(Array(7).fill({ ok: true }));
      expect(arrivals).toHaveLength(7);
      for (let i = 0; i + 3 < arrivals.length; i++) expect(arrivals[i + 3]! - arrivals[i]!).toBeGreaterThanOrEqual(340);
    } finally {
      server.close();
    }
  });
});
