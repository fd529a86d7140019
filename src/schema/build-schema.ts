import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from './type-graphql.js';
import type { UpstreamModule } from '../upstreams/module.js';
import { ConnectionResolver } from './connection.resolver.js';
import { FrameResolver } from './frame.resolver.js';
import { LiveResolver } from './live.resolver.js';
import { LocationResolver } from './location.resolver.js';
import { NodeResolver } from './node.resolver.js';
import { ParameterResolver } from './parameter.resolver.js';
import { SensorResolver } from './sensor.resolver.js';
import { defineUpstreamEnum } from './upstream-enum.js';
import { UpstreamResolver } from './upstream.resolver.js';

/** The resolvers of the unified model; each module adds its own. */
const coreResolvers = [
  LocationResolver,
  ParameterResolver,
  SensorResolver,
  FrameResolver,
  ConnectionResolver,
  UpstreamResolver,
  NodeResolver,
  LiveResolver,
] as const;

/**
 * type-graphql asks for a PubSub as soon as there is a subscription, though every subscription
 * here brings its own `subscribe` (src/live/stream.ts): this one is never used.
 */
const unusedPubSub = {
  publish(): void {
    throw new Error('subscriptions bring their own subscribe function: nothing publishes through type-graphql');
  },
  subscribe(): never {
    throw new Error('subscriptions bring their own subscribe function: nothing subscribes through type-graphql');
  },
};

const built = new Map<string, GraphQLSchema>();

/**
 * The executable schema for these modules: the unified model, the `Upstream` enum with one value
 * per module, and each module's own types and resolvers. Built once per module list and process.
 */
export function buildGatewaySchema(modules: readonly UpstreamModule[]): GraphQLSchema {
  const key = modules.map((m) => m.name).join(',');
  let schema = built.get(key);
  if (!schema) {
    // Synchronous from setting the enum to the end of the build: no other build can interleave.
    defineUpstreamEnum(modules);
    schema = buildSchemaSync({
      resolvers: [...coreResolvers, ...modules.flatMap((m) => m.resolvers ?? [])],
      validate: false,
      pubSub: unusedPubSub,
    });
    built.set(key, schema);
  }
  return schema;
}

/** schema.graphql as committed: printed from the code, sorted. */
export function printGatewaySchema(modules: readonly UpstreamModule[]): string {
  return printSchema(lexicographicSortSchema(buildGatewaySchema(modules))) + '\n';
}
