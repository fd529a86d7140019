// The README's FlexMeasures and BEMServer queries (not its mutations: they would change the data)
// answered by a gateway on the simulators and by one on the real servers: the same shape, errors
// included. Ids of the simulators' portfolio are swapped for the data set's (issue 14).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { shape } from './conformance.js';
import { answers, realUpstreams } from './targets.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SIM_AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';

/** The README's GraphQL queries that name FlexMeasures or BEMServer. */
const queries = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((q) => !q.trimStart().startsWith('mutation') && /flexmeasures|FLEXMEASURES|bemserver|BEMSERVER/.test(q));

/** Nulls in lists of values read as numbers: the shape of a series does not depend on its gaps. */
function valuesAsNumbers(v: unknown): unknown {
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x === 'number') ? v.map(() => 0) : v.map(valuesAsNumbers);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, valuesAsNumbers(x)]));
  return v;
}

let sim: TestApp;
let real: TestApp;
let swap: (query: string) => string;

beforeAll(async () => {
  const { env, dataset } = realUpstreams();
  await answers(`${env.FLEXMEASURES_BASE_URL}/api/`);
  sim = await startTestApp();
  real = await startTestApp({
    FLEXMEASURES_BASE_URL: env.FLEXMEASURES_BASE_URL!,
    FLEXMEASURES_EMAIL: env.FLEXMEASURES_EMAIL!,
    FLEXMEASURES_PASSWORD: env.FLEXMEASURES_PASSWORD!,
    BEMSERVER_BASE_URL: env.BEMSERVER_BASE_URL!,
    BEMSERVER_EMAIL: env.BEMSERVER_EMAIL!,
    BEMSERVER_PASSWORD: env.BEMSERVER_PASSWORD!,
  });
  const fmId = (name: string) => dataset.flexmeasures.find((s) => s.name === name)!.id;
  // The real server's entity addresses carry its own authority (its host name and the date it was set up).
  const address = (await gql(real.url, `{ sensor(id: "flexmeasures:sensor:${fmId('CS 1')}") { entityAddress } }`)).data!.sensor
    .entityAddress as string;
  const authority = address.slice(0, address.lastIndexOf(':'));
  // The simulators' charging station 4 and solar park (sensor 31) are the data set's CS 1 and solar park.
  swap = (q) =>
    q
      .replaceAll(`${SIM_AUTHORITY}:fm1.4`, `${authority}:fm1.${fmId('CS 1')}`)
      .replaceAll(`${SIM_AUTHORITY}:3:31`, `${authority}:1:${fmId('Solar park Oostende')}`)
      .replaceAll('flexmeasures:sensor:31', `flexmeasures:sensor:${fmId('Solar park Oostende')}`);
}, 60_000);
afterAll(async () => {
  await Promise.all([sim?.stop(), real?.stop()]);
});

it('the README has FlexMeasures and BEMServer queries to check', () => {
  expect(queries.length).toBeGreaterThanOrEqual(4);
});

it.each(
  queries.map(
    (q, i) =>
      [
        i + 1,
        q
          .split('\n')
          .find((l) => /\w/.test(l))!
          .trim(),
        q,
      ] as const,
  ),
)('README query %i (%s …) has the same shape on the real servers', async (_n, _first, query) => {
  const [a, b] = await Promise.all([gql(sim.url, query), gql(real.url, swap(query))]);
  expect(a.errors, 'the simulators answer it without errors').toBeUndefined();
  expect(b.errors, 'the real servers answer it without errors').toBeUndefined();
  // Which values are null depends on the data (sub-meters without any, no prognoses on the real
  // server, a README window older than the data set): a value is a number or null either way.
  expect(shape(valuesAsNumbers(b.data))).toEqual(shape(valuesAsNumbers(a.data)));
});
