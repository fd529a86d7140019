// The gateway as an Apollo Federation 2 subgraph (issue 15): `_service { sdl }` with every
// directive, `_entities` resolved through the same lookups and loaders as the root fields (batched,
// proven by the simulator's request log), a typed error for each reference that names nothing, and
// the committed subgraph.graphql.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printGatewaySubgraph } from '../../src/schema/subgraph.js';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

let app: TestApp;
let plain: TestApp;

beforeAll(async () => {
  [app, plain] = await Promise.all([startTestApp(), startTestApp({ FEDERATION: 'off' })]);
});
afterAll(async () => {
  await Promise.all([app.stop(), plain.stop()]);
});

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Sensor { id name unit latest { value } }
    ... on Location { id name }
    ... on Parameter { id name }
    ... on Connection { id name }
  }
}`;

describe('the subgraph', () => {
  it('answers _service { sdl } with the federation link and @key on the four entities', async () => {
    const res = await gql(app.url, '{ _service { sdl } }');
    expect(res.errors).toBeUndefined();
    const sdl = res.data!._service.sdl as string;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])');
    for (const type of ['Location', 'Sensor', 'Parameter', 'Connection']) {
      expect(sdl).toMatch(new RegExp(`type ${type}\\s[^{]*@key\\(fields: "id"\\)`));
    }
    // What the platform composes is committed beside schema.graphql (npm run schema writes both).
    expect(readFileSync(new URL('../../subgraph.graphql', import.meta.url), 'utf8')).toBe(printGatewaySubgraph(upstreamModules));
    expect(`${sdl}\n`).toBe(printGatewaySubgraph(upstreamModules));
  });

  it('100 Meetnet sensor references: one catalogue read and one currentData call, not 100', async () => {
    const listed = await gql(app.url, '{ sensors(upstream: MEETNET, first: 100) { nodes { id } } }');
    const ids = (listed.data!.sensors.nodes as Array<{ id: string }>).map((n) => n.id);
    expect(ids).toHaveLength(100);
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    const res = await gql(app.url, ENTITIES, { representations: ids.map((id) => ({ __typename: 'Sensor', id })) });
    expect(res.errors).toBeUndefined();
    const entities = res.data!._entities as Array<{ __typename: string; id: string; name: string; latest: unknown }>;
    expect(entities.map((e) => e.id)).toEqual(ids);
    expect(entities.every((e) => e.__typename === 'Sensor' && e.name.length > 0)).toBe(true);
    expect(sim.requests('catalog').length).toBeLessThanOrEqual(1);
    expect(sim.requests('currentData')).toHaveLength(1);
  });

  it('each entity type by its id, in the order asked', async () => {
    const representations = [
      { __typename: 'Location', id: 'meetnet:location:MP7' },
      { __typename: 'Parameter', id: 'meetnet:parameter:WVC' },
      { __typename: 'Connection', id: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4' },
      { __typename: 'Sensor', id: 'bemserver:sensor:1' },
    ];
    const res = await gql(app.url, ENTITIES, { representations });
    expect(res.errors).toBeUndefined();
    expect((res.data!._entities as Array<{ __typename: string; id: string }>).map((e) => [e.__typename, e.id])).toEqual(
      representations.map((r) => [r.__typename, r.id]),
    );
  });

  it('a malformed or unknown id is null with a typed error for that entity only', async () => {
    const representations = [
      { __typename: 'Sensor', id: 'meetnet:sensor:MP7WVC' },
      { __typename: 'Sensor', id: 'not-an-id' },
      { __typename: 'Sensor', id: 'meetnet:sensor:NOPE42' },
      { __typename: 'Location', id: 'meetnet:location:MP7' },
    ];
    const res = await gql(app.url, ENTITIES, { representations });
    const entities = res.data!._entities as Array<{ id: string } | null>;
    expect(entities[0]!.id).toBe('meetnet:sensor:MP7WVC');
    expect(entities[1]).toBeNull();
    expect(entities[2]).toBeNull();
    expect(entities[3]!.id).toBe('meetnet:location:MP7');
    expect(res.errors!.map((e) => e.path)).toEqual([
      ['_entities', 1],
      ['_entities', 2],
    ]);
    expect(res.errors!.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(res.errors![1]!.message).toContain('meetnet:sensor:NOPE42');
  });

  it('a defaulted enum argument keeps its internal value (aggregation AVG is sent as avg)', async () => {
    const sim = app.simulators.bemserver!;
    sim.clearLog();
    const res = await gql(
      app.url,
      '{ timeSeries(sensorIds: ["bemserver:sensor:1"], from: "2026-11-19T00:00:00Z", to: "2026-11-19T06:00:00Z", bucket: { unit: HOUR }) { count } }',
    );
    expect(res.errors).toBeUndefined();
    expect(sim.requests('timeseries_data/aggregate').map((r) => r.query.aggregation)).toEqual(['avg']);
  });

  it('a reference that names nothing at the end of the list keeps its place (one entry per representation)', async () => {
    // A malformed id fails before any await: graphql-jit dropped such a rejection at a list's end.
    for (const bad of ['meetnet:sensor:NOPE', 'meetnet:sensor:NOPE42']) {
      const representations = [
        { __typename: 'Sensor', id: 'meetnet:sensor:MP7WVC' },
        { __typename: 'Sensor', id: bad },
      ];
      const res = await gql(app.url, ENTITIES, { representations });
      expect(res.data!._entities).toHaveLength(2);
      expect(res.data!._entities[1]).toBeNull();
      expect(res.errors!.map((e) => e.path)).toEqual([['_entities', 1]]);
    }
  });

  it('FEDERATION=off serves the plain schema', async () => {
    const res = await gql(plain.url, '{ _service { sdl } }');
    expect(res.errors![0]!.message).toContain('Cannot query field "_service"');
  });
});

describe('Relay object identification', () => {
  it('node(id) finds each kind of object by its global id', async () => {
    const ids = ['meetnet:location:MP7', 'meetnet:parameter:WVC', 'meetnet:sensor:MP7WVC', 'bemserver:sensor:1'];
    for (const id of ids) {
      const res = await gql(app.url, `{ node(id: "${id}") { __typename id ... on Sensor { unit } } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data!.node.id).toBe(id);
    }
    const sensor = await gql(app.url, '{ node(id: "meetnet:sensor:MP7WVC") { __typename ... on Sensor { unit } } }');
    expect(sensor.data!.node).toEqual({ __typename: 'Sensor', unit: 'm/s' });
  });

  it('nodes(ids): 40 sensors with their latest values are one currentData call; what names nothing is null in place', async () => {
    const listed = await gql(app.url, '{ sensors(upstream: MEETNET, first: 40) { nodes { id } } }');
    const ids = (listed.data!.sensors.nodes as Array<{ id: string }>).map((n) => n.id);
    const sim = app.simulators.meetnet!;
    sim.clearLog();
    const asked = [...ids, 'not-an-id', 'meetnet:sensor:NOPE42'];
    const res = await gql(app.url, 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Sensor { latest { value } } } }', { ids: asked });
    const nodes = res.data!.nodes as Array<{ id: string } | null>;
    expect(nodes.slice(0, 40).map((n) => n!.id)).toEqual(ids);
    expect(nodes).toHaveLength(42);
    expect(nodes.slice(40)).toEqual([null, null]);
    expect(res.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['nodes', 40], 'BAD_USER_INPUT'],
      [['nodes', 41], 'BAD_USER_INPUT'],
    ]);
    expect(sim.requests('currentData')).toHaveLength(1);
  });
});
