// A real federated graph (issue 15): the gateway's subgraph composed with a small second subgraph
// that extends Sensor by key, by both composition libraries (Apollo's and The Guild's), served by
// two real federation gateways in this process over loopback HTTP (Apollo Gateway, and Hive
// Gateway's runtime). Answers join both subgraphs; the simulator's request log shows that the
// references the second subgraph hands over are resolved in batches. Nothing leaves loopback: the
// supergraph is given, never fetched, neither gateway has a key to report with, and Apollo
// Gateway's own telemetry is off (APOLLO_TELEMETRY_DISABLED, set for every test in
// vitest.config.ts: on, it probes cloud metadata addresses and sends metrics to apollographql.com).
import { composeServices as composeApollo } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices as composeGuild } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const MAINTENANCE_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Sensor @key(fields: "id") {
    id: ID!
    maintenance: Maintenance
  }
  type Maintenance {
    technician: String!
    dueInDays: Int!
  }
  type Query {
    "Sensors whose station is due a visit: references to the monitoring subgraph's sensors."
    sensorsDue: [Sensor!]!
  }
`;

let app: TestApp;
let due: string[];
const stops: Array<() => Promise<unknown>> = [];
const supergraphs: Record<string, string> = {};
const gateways: Record<string, string> = {};

/** The second subgraph: a maintenance team's, keyed on the gateway's sensor ids. */
async function startMaintenance(): Promise<string> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(MAINTENANCE_SDL),
    resolvers: {
      Query: { sensorsDue: () => due.map((id) => ({ id })) },
      Sensor: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        maintenance: (s: { id: string }) => ({ technician: s.id.length % 2 ? 'An' : 'Bo', dueInDays: s.id.length }),
      },
    } as never,
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginUsageReportingDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  stops.push(() => server.stop());
  return url;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

beforeAll(async () => {
  if (process.env.APOLLO_TELEMETRY_DISABLED !== '1') throw new Error('Apollo Gateway telemetry must be off (vitest.config.ts)');
  app = await startTestApp();
  const listed = await gql(app.url, '{ sensors(upstream: MEETNET, first: 40) { nodes { id } } }');
  due = (listed.data!.sensors.nodes as Array<{ id: string }>).map((n) => n.id);
  const maintenanceUrl = await startMaintenance();
  const sdl = (await gql(app.url, '{ _service { sdl } }')).data!._service.sdl as string;
  const services = [
    { name: 'monitoring', typeDefs: parse(sdl), url: app.url },
    { name: 'maintenance', typeDefs: parse(MAINTENANCE_SDL), url: maintenanceUrl },
  ];
  const apollo = composeApollo(services);
  if (apollo.errors) throw new Error(`Apollo composition: ${apollo.errors.map((e) => e.message).join('; ')}`);
  supergraphs.apollo = apollo.supergraphSdl;
  const guild = composeGuild(services);
  if (guild.errors) throw new Error(`The Guild's composition: ${guild.errors.map((e) => e.message).join('; ')}`);
  supergraphs.guild = guild.supergraphSdl;

  // Apollo Gateway with the supergraph given (no uplink, no managed federation, no usage reports).
  const apolloGateway = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: supergraphs.apollo }),
    plugins: [ApolloServerPluginUsageReportingDisabled()],
  });
  gateways.apollo = (await startStandaloneServer(apolloGateway, { listen: { port: 0, host: '127.0.0.1' } })).url;
  stops.push(() => apolloGateway.stop());
  // Hive Gateway's runtime on Node's http server, on The Guild's supergraph.
  // Errors unmasked: a failing join says why in the test output.
  const hive = createGatewayRuntime({ supergraph: supergraphs.guild, logging: false, maskedErrors: false });
  gateways.hive = await listen(createServer(hive));
  stops.push(async () => hive.dispose());
}, 60_000);
afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await app?.stop();
});
beforeEach(() => app.simulators.meetnet!.clearLog());

describe('composition', () => {
  it('both libraries compose the subgraph with one that extends Sensor', () => {
    for (const supergraph of Object.values(supergraphs)) {
      expect(supergraph).toContain('join__graph');
      expect(supergraph).toMatch(/type Sensor[^{]*@join__type\(graph: MAINTENANCE, key: "id"\)/);
      expect(supergraph).toMatch(/type Sensor[^{]*@join__type\(graph: MONITORING, key: "id"\)/);
    }
  });
});

describe.each([
  ['Apollo Gateway', 'apollo'],
  ['Hive Gateway', 'hive'],
])('through %s', (_label, which) => {
  it('joins the two subgraphs from either side', async () => {
    const res = await gql(
      gateways[which]!,
      '{ sensor(id: "meetnet:sensor:MP7WVC") { name unit maintenance { technician dueInDays } } }',
      undefined,
      {
        authorization: '',
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.sensor).toMatchObject({ unit: 'm/s', maintenance: { technician: expect.any(String), dueInDays: 21 } });
    expect(res.data!.sensor.name).toContain('Westhinder');
  });

  it('40 references from the other subgraph: names and latest values in one batch (one currentData call)', async () => {
    const res = await gql(gateways[which]!, '{ sensorsDue { id name latest { value } maintenance { technician } } }', undefined, {
      authorization: '',
    });
    expect(res.errors).toBeUndefined();
    const sensors = res.data!.sensorsDue as Array<{ id: string; name: string; maintenance: { technician: string } }>;
    expect(sensors.map((s) => s.id)).toEqual(due);
    expect(sensors.every((s) => s.name.length > 0 && s.maintenance.technician)).toBe(true);
    const sim = app.simulators.meetnet!;
    expect(sim.requests('currentData')).toHaveLength(1);
    expect(sim.requests('catalog').length).toBeLessThanOrEqual(1);
  });
});
