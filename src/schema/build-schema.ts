import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ConnectionResolver } from './connection.resolver.js';
import { LocationResolver } from './location.resolver.js';
import { ParameterResolver } from './parameter.resolver.js';
import { SensorResolver } from './sensor.resolver.js';
import { SensorPropertyResolver } from './sensor-property.resolver.js';
import { UpstreamResolver } from './upstream.resolver.js';
import { WriteResolver } from './write.resolver.js';

let built: Promise<GraphQLSchema> | null = null;

/** The executable schema (built once per process: type-graphql metadata is global). */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      LocationResolver,
      ParameterResolver,
      SensorResolver,
      SensorPropertyResolver,
      ConnectionResolver,
      UpstreamResolver,
      WriteResolver,
    ],
    validate: false,
  });
  return built;
}

/** schema.graphql as committed: printed from the code, sorted. */
export async function printGatewaySchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildGatewaySchema())) + '\n';
}
