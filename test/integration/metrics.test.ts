// Prometheus metrics over HTTP, as a scraper reads them: requests by operation and outcome, upstream
// calls by upstream, route and outcome, token events, breakers, Node's own; METRICS_TOKEN and
// METRICS_PORT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { freePort } from '../helpers/redis.js';

const DASHBOARD = `query Dashboard { sensor(id: "meetnet:sensor:MP7WVC") { latest { value } series(from: "2026-11-19T00:00:00Z", to: "2026-11-19T06:00:00Z") { count } } }`;

/** The /metrics text of the gateway at `url` (its GraphQL URL). */
const scrape = (url: string) => fetch(url.replace('/graphql', '/metrics')).then((r) => r.text());

/** The value of one sample of the scrape, by its name and labels as written. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe('/metrics on the GraphQL port', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('counts requests by operation and outcome, upstream calls by route and outcome, token logins, breakers and the runtime', async () => {
    expect((await gql(app.url, DASHBOARD)).errors).toBeUndefined();
    expect((await gql(app.url, DASHBOARD)).errors).toBeUndefined();
    const deep = `query Deep { sensor(id: "meetnet:sensor:MP7WVC") { ${'location { sensors { '.repeat(7)}id${' } }'.repeat(7)} } }`;
    expect((await gql(app.url, deep)).errors![0]!.extensions!.limit).toBe('MAX_QUERY_DEPTH');
    const res = await fetch(app.url.replace('/graphql', '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'gateway_graphql_requests_total{operation="Dashboard",outcome="ok"}')).toBe(2);
    expect(sample(text, 'gateway_graphql_requests_total{operation="refused",outcome="refused"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count{operation="Dashboard",outcome="ok"}')).toBe(2);
    // Each request reads its window: history is not cached (yet).
    expect(sample(text, 'gateway_upstream_calls_total{upstream="meetnet",route="getData",outcome="200"}')).toBe(2);
    expect(sample(text, 'gateway_upstream_call_duration_seconds_count{upstream="meetnet",route="getData"}')).toBe(2);
    expect(sample(text, 'gateway_upstream_token_events_total{upstream="meetnet",event="login"}')).toBe(1);
    expect(sample(text, 'gateway_upstream_breaker_state{upstream="meetnet"}')).toBe(0);
    expect(sample(text, 'gateway_upstream_calls_in_flight{upstream="meetnet",state="running"}')).toBe(0);
    expect(sample(text, 'gateway_upstream_calls_in_flight{upstream="meetnet",state="rate_limited"}')).toBe(0);
    expect(sample(text, 'gateway_redis_up')).toBeNull(); // no REDIS_URL
    expect(text).toMatch(/^gateway_nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^gateway_nodejs_heap_size_used_bytes \d/m);
  });

  it("a client's operationName never makes a label of its own unless its operation ran", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Q { __typename }', operationName: `evil_${i}` }),
      });
      expect(res.status).toBe(400);
    }
    const text = await scrape(app.url);
    expect(text).not.toContain('evil_');
    expect(sample(text, 'gateway_graphql_requests_total{operation="refused",outcome="refused"}')).toBe(6);
  });

  it('an upstream failure is counted by its reason', async () => {
    app.simulators.meetnet!.addFault({ route: 'getData', destroy: true, times: 3 });
    await gql(app.url, DASHBOARD.replace('06:00', '07:00'));
    const text = await scrape(app.url);
    expect(sample(text, 'gateway_upstream_calls_total{upstream="meetnet",route="getData",outcome="ECONNRESET"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="Dashboard",outcome="partial"}')).toBe(1);
  });
});

describe('batches and the latest-value cache', () => {
  it('three series of one window: one batch of three; latest values: misses, then hits', async () => {
    const app = await startTestApp({ LATEST_TTL_MS: '60000' });
    try {
      const ids = ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP0WC3', 'meetnet:sensor:BL7WRS'];
      const series = ids.map(
        (id, i) => `s${i}: sensor(id: "${id}") { series(from: "2026-11-19T00:00:00Z", to: "2026-11-19T01:00:00Z") { count } }`,
      );
      expect((await gql(app.url, `{ ${series.join(' ')} }`)).errors).toBeUndefined();
      const latest = `{ ${ids
        .slice(0, 2)
        .map((id, i) => `l${i}: sensor(id: "${id}") { latest { value } }`)
        .join(' ')} }`;
      expect((await gql(app.url, latest)).errors).toBeUndefined();
      expect((await gql(app.url, latest)).errors).toBeUndefined();
      const text = await scrape(app.url);
      expect(sample(text, 'gateway_upstream_batch_size_count{upstream="meetnet",loader="series"}')).toBe(1);
      expect(sample(text, 'gateway_upstream_batch_size_sum{upstream="meetnet",loader="series"}')).toBe(3);
      expect(sample(text, 'gateway_upstream_batch_size_sum{upstream="meetnet",loader="latest"}')).toBe(2);
      expect(sample(text, 'gateway_latest_cache_lookups_total{upstream="meetnet",result="miss"}')).toBe(2);
      expect(sample(text, 'gateway_latest_cache_lookups_total{upstream="meetnet",result="hit"}')).toBe(2);
      // The catalogue: loaded once from Meetnet, every other use from the cache.
      expect(sample(text, 'gateway_catalogue_lookups_total{upstream="meetnet",result="load"}')).toBe(1);
      expect(sample(text, 'gateway_catalogue_lookups_total{upstream="meetnet",result="hit"}')).toBeGreaterThan(3);
    } finally {
      await app.stop();
    }
  });
});

describe('METRICS_TOKEN and METRICS_PORT', () => {
  it('a scrape without the token is refused; with METRICS_PORT the GraphQL port has no /metrics', async () => {
    const port = await freePort();
    const app = await startTestApp({ METRICS_TOKEN: 'scrape-secret-42', METRICS_PORT: String(port) });
    try {
      expect((await fetch(app.url.replace('/graphql', '/metrics'))).status).not.toBe(200);
      const url = `http://127.0.0.1:${port}/metrics`;
      const refused = await fetch(url);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('scrape-secret-42');
      const ok = await fetch(url, { headers: { authorization: 'Bearer scrape-secret-42' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('gateway_graphql_requests_total');
      expect(app.logLines.join('\n')).not.toContain('scrape-secret-42');
    } finally {
      await app.stop();
    }
  });
});
