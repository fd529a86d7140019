// Precompiled execution (graphql-jit, the default) against graphql-js (GRAPHQL_JIT=off): two
// gateways on simulators set to the same clock must answer every operation byte for byte alike,
// errors included: status, data, messages, paths, codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let jit: TestApp;
let plain: TestApp;

async function start(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp(env);
  for (const sim of Object.values(app.simulators)) sim?.setClock(() => NOW);
  return app;
}

beforeAll(async () => {
  [jit, plain] = await Promise.all([start({ GRAPHQL_JIT: 'on' }), start({ GRAPHQL_JIT: 'off' })]);
});
afterAll(async () => {
  await Promise.all([jit?.stop(), plain?.stop()]);
});

const window = { from: '2026-11-19T12:00:00Z', to: '2026-11-20T12:00:00Z' };
const dashboard = `query Dashboard($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id unit name latest { time value } } from to unit timestamps values min max count }
}`;

const cases: Array<[string, string, Record<string, unknown>?, string?]> = [
  [
    'a dashboard over the three upstreams',
    dashboard,
    { ids: ['meetnet:sensor:MP7WVC', 'flexmeasures:sensor:4', 'bemserver:sensor:1'], ...window },
  ],
  [
    'an unknown sensor: null at its place and an error naming it',
    dashboard,
    { ids: ['meetnet:sensor:MP7WVC', 'meetnet:sensor:ZZZZZZ'], ...window },
  ],
  ['a malformed sensor ID', dashboard, { ids: ['not-an-id'], ...window }],
  [
    'a DateTime without offset (variable coercion)',
    dashboard,
    { ids: ['meetnet:sensor:MP7WVC'], from: '2026-11-19T12:00:00', to: window.to },
  ],
  ['a missing variable', dashboard, { ids: ['meetnet:sensor:MP7WVC'], from: window.from }],
  ['a variable of the wrong type', dashboard, { ids: 'meetnet:sensor:MP7WVC', ...window }],
  ['to before from', dashboard, { ids: ['meetnet:sensor:MP7WVC'], from: window.to, to: window.from }],
  [
    'points, aliases, fragments, @skip and @include',
    `query P($id: ID!, $from: DateTime!, $to: DateTime!, $withPoints: Boolean!) {
      one: sensor(id: $id) { ...S series(from: $from, to: $to) { points @include(if: $withPoints) { time value } count } }
      two: sensor(id: $id) { __typename id @skip(if: $withPoints) }
    }
    fragment S on Sensor { __typename id unit location { id name(language: NL) position { latitude longitude } } parameter { id code } }`,
    { id: 'meetnet:sensor:MP7WVC', withPoints: true, ...window },
  ],
  [
    'instants at the ends of the calendar, as variables (they are re-read after coercion)',
    'query($id: ID!, $from: DateTime!, $to: DateTime!) { sensor(id: $id) { series(from: $from, to: $to) { count } } }',
    { id: 'meetnet:sensor:MP7WVC', from: '0100-01-01T00:00:00+01:00', to: '9999-12-31T23:59:00-14:00' },
  ],
  [
    'an instant before year 100 (no 1900s reading)',
    'query($t: DateTime!) { sensor(id: "meetnet:sensor:MP7WVC") { series(from: $t, to: $t) { count } } }',
    { t: '0050-06-01T00:00:00Z' },
  ],
  [
    // 2^15 paths from a kilobyte of fragments: compiled, it took 20 s and 2.3 GB; it runs on graphql-js.
    'a query whose fragments multiply past what is worth compiling',
    `{ location(id: "meetnet:location:MP7") { ...F0 } }\n${Array.from({ length: 15 }, (_, i) => `fragment F${i} on Location { a: parent { ...F${i + 1} } b: parent { ...F${i + 1} } }`).join('\n')}\nfragment F15 on Location { id }`,
  ],
  ['a query nested 200 levels deep', `{ location(id: "meetnet:location:MP7") { ${'parent { '.repeat(200)} id ${'} '.repeat(200)} id } }`],
  [
    'an enum as a variable',
    `query L($lang: Language!) { locations(first: 3) { nodes { id name(language: $lang) } totalCount } }`,
    { lang: 'FR' },
  ],
  [
    'an enum value that does not exist',
    `query L($lang: Language!) { locations(first: 3) { nodes { id name(language: $lang) } } }`,
    { lang: 'XX' },
  ],
  [
    'a list over all upstreams with pages',
    `{ sensors(first: 5) { nodes { id upstream unit intervalMinutes } pageInfo { hasNextPage endCursor } totalCount } }`,
  ],
  ['one of two named operations', `query A { upstreams { name } } query B { parameters(first: 2) { nodes { id } } }`, {}, 'B'],
  ['an operation name that does not exist', `query A { upstreams { name } }`, {}, 'C'],
  [
    'introspection',
    `{ __schema { queryType { name } types { name kind } } __type(name: "TimeSeries") { fields { name type { name kind ofType { name } } } } }`,
  ],
  [
    'a mutation with an input object whose non-null field has a default',
    `mutation W($input: MeterDataInput!) { writeMeterData(input: $input) { status valuesSent } }`,
    {
      input: {
        connectionId: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.6',
        start: '2026-11-20T01:00:00Z',
        values: [-0.0055],
      },
    },
  ],
  [
    'a mutation the gateway refuses before sending',
    `mutation W($input: MeterDataInput!) { writeMeterData(input: $input) { status } }`,
    {
      input: {
        connectionId: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.6',
        start: '2026-11-20T01:00:00Z',
        values: [1],
        unit: 'furlongs',
      },
    },
  ],
];

const send = (app: TestApp, query: string, variables?: Record<string, unknown>, operationName?: string) =>
  fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  }).then(async (r) => {
    const raw = await r.text();
    return { status: r.status, raw, body: JSON.parse(raw) };
  });

describe('graphql-jit answers exactly as graphql-js', () => {
  it('a null variable for a non-null argument with a default: the same data; every error graphql-jit reports is one graphql-js reports', async () => {
    // graphql-js stops at the first failing item of a list whose nulls propagate; graphql-jit
    // reports each failing item. Both answer the same data, status and kind of error.
    const query = 'query($lang: Language = FR) { locations(first: 2) { nodes { id name(language: $lang) } } }';
    const [a, b] = await Promise.all([send(jit, query, { lang: null }), send(plain, query, { lang: null })]);
    expect(a.status).toBe(b.status);
    expect(a.body.data).toEqual(b.body.data);
    expect(b.body.errors.length).toBeGreaterThan(0);
    for (const e of a.body.errors)
      expect(b.body.errors.map((x: { message: string; extensions: unknown }) => [x.message, x.extensions])).toContainEqual([
        e.message,
        e.extensions,
      ]);
  });

  it.each(cases)('%s', async (_name, query, variables, operationName) => {
    const [a, b] = await Promise.all([send(jit, query, variables, operationName), send(plain, query, variables, operationName)]);
    expect(a.status).toBe(b.status);
    expect(a.raw).toBe(b.raw);
    // Each case answers something (data or errors), so equality is not of two empty answers.
    expect(a.body.data !== undefined || a.body.errors !== undefined).toBe(true);
  });
});
