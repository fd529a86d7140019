// What one request may ask, refused before anything runs with LIMIT_EXCEEDED naming the limit, the
// value asked and the value allowed (HTTP 400): the attacks of issue 12 among them, each answered
// without a single upstream call. And the points an answer carries, counted as it is written.
import { buildClientSchema, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const YEAR = 365 * 86_400_000;
const NOW = Date.parse('2026-11-20T00:00:00Z');
const TEN_YEARS = `from: "${new Date(NOW - 10 * YEAR).toISOString()}", to: "${new Date(NOW).toISOString()}"`;
const ONE_DAY = `from: "2026-11-19T00:00:00Z", to: "2026-11-20T00:00:00Z"`;
let app: TestApp;
let tenMinute: string[];

beforeAll(async () => {
  app = await startTestApp();
  // Every catalogue read once: the cost of what follows is worked out from them, from the cache.
  await gql(app.url, '{ sensors(first: 1) { totalCount } }');
  const res = await gql(app.url, '{ sensors(upstream: MEETNET, first: 1000) { nodes { id intervalMinutes } } }');
  tenMinute = res
    .data!.sensors.nodes.filter((s: { intervalMinutes: number | null }) => s.intervalMinutes === 10)
    .map((s: { id: string }) => s.id);
});
afterAll(() => app.stop());

const ids = (list: string[]) => list.map((id) => `"${id}"`).join(', ');

/** Sends `query` and expects it refused before any upstream call. */
async function refused(query: string, variables?: Record<string, unknown>) {
  for (const sim of Object.values(app.simulators)) sim?.clearLog();
  const res = await gql(app.url, query, variables);
  expect(res.status).toBe(400);
  expect(res.data).toBeUndefined();
  expect(res.errors).toHaveLength(1);
  for (const sim of Object.values(app.simulators)) expect(sim!.requests().filter((r) => r.route !== 'token')).toEqual([]);
  return res.errors![0]!;
}

describe('limits checked before anything runs', () => {
  it('the crash query (one sensor 30 times over ten years, points): MAX_QUERY_COST, and the gateway goes on', async () => {
    const err = await refused(
      `{ timeSeries(sensorIds: [${ids(Array(30).fill(tenMinute[0]))}], ${TEN_YEARS}) { sensor { id } points { time value } } }`,
    );
    expect(err.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST', allowed: 2_000_000 });
    expect(err.extensions!.asked).toBeGreaterThan(2_000_000);
    expect(err.message).toMatch(
      /^the operation would cost too much: at least \d+ asked, 2000000 allowed \(MAX_QUERY_COST\); its cost is one per field/,
    );
    expect((await gql(app.url, '{ upstreams { name } }')).data!.upstreams.length).toBeGreaterThan(0);
  });

  it('24 distinct 10-minute sensors over ten years, also when the window comes in variables: MAX_QUERY_COST', async () => {
    const err = await refused(
      'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { points { time value } } }',
      {
        ids: tenMinute.slice(0, 24),
        from: new Date(NOW - 10 * YEAR).toISOString(),
        to: new Date(NOW).toISOString(),
      },
    );
    expect(err.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
  });

  it('variables count as execution will see them: a window from a variable default, a bucket unit given as a variable', async () => {
    // Left out of the request, $from takes its default: ten years, as if written in the query.
    const byDefault = await refused(
      `query($from: DateTime = "${new Date(NOW - 10 * YEAR).toISOString()}") { timeSeries(sensorIds: [${ids(tenMinute.slice(0, 5))}], from: $from, to: "${new Date(NOW).toISOString()}") { points { time value } } }`,
    );
    expect(byDefault.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
    // An enum in a variable is counted by its value (1 s buckets), not missed by its name.
    const bySecond = await refused(
      `query($b: BucketInput) { timeSeries(sensorIds: [${ids(tenMinute.slice(0, 1))}], from: "2026-10-01T00:00:00Z", to: "2026-10-31T00:00:00Z", bucket: $b) { values } }`,
      { b: { unit: 'SECOND' } },
    );
    expect(bySecond.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
  });

  it('a series is weighed by its window over its step: a bucketed one is cheap, a sensor walk with series is not', async () => {
    // Ten years of one sensor in daily buckets: 3,651 points, well within the cost.
    const bem = (await gql(app.url, '{ sensors(upstream: BEMSERVER, first: 1) { nodes { id } } }')).data!.sensors.nodes[0].id;
    const ok = await gql(app.url, `{ sensor(id: "${bem}") { series(${TEN_YEARS}, bucket: { width: 1, unit: DAY }) { count } } }`);
    expect(ok.status).toBe(200);
    const err = await refused(
      `{ sensors(first: 1000) { nodes { series(from: "2025-11-20T00:00:00Z", to: "2026-11-20T00:00:00Z") { values } } } }`,
    );
    expect(err.extensions!.limit).toBe('MAX_QUERY_COST');
  });

  it('the nesting bomb (location → sensors seven times): MAX_QUERY_DEPTH with the depth asked', async () => {
    let nest = 'id';
    for (let i = 0; i < 7; i++) nest = `location { sensors { ${nest} } }`;
    const err = await refused(`{ sensor(id: "${tenMinute[0]}") { ${nest} } }`);
    expect(err).toEqual({
      message: 'the operation nests too deep: 16 asked, 12 allowed (MAX_QUERY_DEPTH)',
      extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_DEPTH', asked: 16, allowed: 12 },
    });
  });

  it('the alias bomb (5,000 aliases of upstreams, 15,000 upstream calls before): MAX_ALIASES, no call at all', async () => {
    const err = await refused(`{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: upstreams { name }`).join(' ')} }`);
    expect(err).toEqual({
      message: 'too many aliased fields: 5000 asked, 50 allowed (MAX_ALIASES)',
      extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_ALIASES', asked: 5000, allowed: 50 },
    });
  });

  it('aliases within the limit still ask each upstream once per request', async () => {
    for (const sim of Object.values(app.simulators)) sim?.clearLog();
    const res = await gql(app.url, `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: upstreams { name reachable }`).join(' ')} }`);
    expect(res.errors).toBeUndefined();
    expect(app.simulators.meetnet!.requests('ping')).toHaveLength(1);
  });

  it('too many top-level fields: MAX_ROOT_FIELDS', async () => {
    const err = await refused(`{ ${Array.from({ length: 21 }, (_, i) => `r${i}: upstreams { name }`).join(' ')} }`);
    expect(err).toEqual({
      message: 'too many top-level fields: 21 asked, 20 allowed (MAX_ROOT_FIELDS)',
      extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_ROOT_FIELDS', asked: 21, allowed: 20 },
    });
  });

  it('fragments spread twice at each of 30 levels are walked once each, not 2^30 times', async () => {
    let fragments = 'fragment F30 on Location { id }';
    for (let i = 29; i >= 0; i--) fragments += ` fragment F${i} on Location { id name ...F${i + 1} ...F${i + 1} }`;
    const res = await gql(app.url, `{ locations(first: 5) { nodes { ...F0 } } } ${fragments}`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.locations.nodes).toHaveLength(5);
  });

  it("GraphiQL's and the code generators' introspection query passes: its 15 levels of ofType do not count as depth", async () => {
    const res = await gql(app.url, getIntrospectionQuery());
    expect(res.errors).toBeUndefined();
    expect(
      buildClientSchema(res.data as never)
        .getQueryType()!
        .getFields().sensors,
    ).toBeDefined();
  });

  it('an introspection query that nests its lists (fields of the types of fields…) is refused by validation', async () => {
    const err = await refused('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
    expect(err).toMatchObject({ message: 'Maximum introspection depth exceeded', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});

describe('what an answer carries', () => {
  it('duplicate sensor IDs are read once and answered at each place', async () => {
    app.simulators.meetnet!.clearLog();
    const res = await gql(
      app.url,
      `{ timeSeries(sensorIds: [${ids([tenMinute[0]!, tenMinute[0]!, tenMinute[0]!])}], ${ONE_DAY}) { sensor { id } count } }`,
    );
    expect(res.data!.timeSeries).toHaveLength(3);
    const calls = app.simulators.meetnet!.requests('getData');
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0]!.body).split(tenMinute[0]!.split(':')[2]!).length - 1).toBe(1);
  });

  it('MAX_RESPONSE_POINTS: series past the ceiling are left out, each with the limit named', async () => {
    const small = await startTestApp({ MAX_RESPONSE_POINTS: '1000' });
    try {
      // Ten sensors, a day each at ten minutes: 145 points apiece, 1,450 in all; `timestamps` and `values` are half a point each.
      const res = await gql(small.url, `{ timeSeries(sensorIds: [${ids(tenMinute.slice(0, 10))}], ${ONE_DAY}) { timestamps values } }`);
      expect(res.status).toBe(200);
      const kept = res.data!.timeSeries.filter((t: unknown) => t !== null);
      expect(kept).toHaveLength(6); // 6 × 145 = 870 points; the seventh would make 1,015
      // The seventh's timestamps fit (942.5), its values do not; the rest fit in no part (not written, not counted).
      expect(res.errors!.map((e) => e.path)).toEqual([
        ['timeSeries', 6, 'values'],
        ...[7, 8, 9].flatMap((i) => [
          ['timeSeries', i, 'timestamps'],
          ['timeSeries', i, 'values'],
        ]),
      ]);
      // (A few samples are missing, as on the real Meetnet: the figures are a little under 145 per day.)
      const first = res.errors![0]!;
      expect(first.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_RESPONSE_POINTS', allowed: 1000 });
      expect(first.extensions!.asked).toBeGreaterThan(1000);
      expect(first.message).toBe(
        `the answer would carry too many points: ${first.extensions!.asked} asked, 1000 allowed (MAX_RESPONSE_POINTS); ask for fewer sensors, a shorter window, or buckets`,
      );
    } finally {
      await small.stop();
    }
  });
});
