// Benchmark child: a bare Apollo Server 5 answering from memory what the gateway answers from its
// caches (a latest value) and from an upstream (a year of 10-minute points): the cost of GraphQL
// execution alone, for comparison.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const typeDefs = `#graphql
  type Point { time: String! value: Float }
  type LatestValue { time: String! value: Float }
  type TimeSeries { count: Int! timestamps: [String!]! values: [Float]! points: [Point!]! }
  type Sensor { id: ID! unit: String latest: LatestValue series(from: String!, to: String!): TimeSeries }
  type Query { sensor(id: ID!): Sensor }
`;
const N = 52_560;
const start = Date.parse('2025-11-20T00:00:00Z');
const timestamps = Array.from({ length: N }, (_, i) => new Date(start + i * 600_000).toISOString());
const values = Array.from({ length: N }, (_, i) => Math.round((8 + 4 * Math.sin(i / 50)) * 100) / 100);
const points = timestamps.map((time, i) => ({ time, value: values[i] }));
const sensor = {
  id: 'meetnet:sensor:MP7WVC',
  unit: 'm/s',
  latest: { time: timestamps[N - 1], value: values[N - 1] },
  series: () => ({ count: N, timestamps, values, points }),
};
const server = new ApolloServer({ typeDefs, resolvers: { Query: { sensor: () => sensor } } });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.stdout.write(`${JSON.stringify({ url })}\n`);
