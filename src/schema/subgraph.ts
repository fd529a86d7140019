// The gateway as an Apollo Federation 2 subgraph: the same schema with the federation link, `@key`
// on the entities (Location, Sensor, Parameter, Connection, by global id), `_service { sdl }` and
// `_entities`. A reference is resolved by the same lookups as the root fields (the catalogues, and
// the request's loaders for what is read below it), so 100 references of one upstream cost what
// one list of 100 would. A reference that is malformed or names nothing is null with a typed error
// for that entity only.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import {
  executeSync,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  lexicographicSortSchema,
  parse,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { GatewayContext } from '../context.js';
import type { UpstreamModule } from '../upstreams/module.js';
import { buildGatewaySchema } from './build-schema.js';
import { FIND } from './node.resolver.js';
import { NODE_TYPES, nodeTypeOf, type NodeKind } from './node.type.js';
import { createResolversMap } from './type-graphql.js';

/** Federation 2, and the directives this subgraph uses. */
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

const built = new Map<GraphQLSchema, GraphQLSchema>();

/** The executable subgraph schema over the plain one (built once per module list and process). */
export function buildGatewaySubgraph(modules: readonly UpstreamModule[]): GraphQLSchema {
  const plain = buildGatewaySchema(modules);
  let schema = built.get(plain);
  if (!schema) {
    const resolvers = createResolversMap(plain) as Record<string, object>;
    // The entities are the Node types, each found by its kind's lookup.
    for (const [kind, type] of Object.entries(NODE_TYPES) as Array<[NodeKind, string]>) {
      const find = FIND[kind];
      resolvers[type] = {
        ...resolvers[type],
        // The error names the representation's id, as an argument would be named. It is returned, not
        // thrown: graphql-jit drops a rejected promise at the end of a list instead of giving it its
        // null, and `_entities` must answer one entry per representation, in order.
        __resolveReference: (ref: { id?: unknown }, ctx: GatewayContext) =>
          find(ctx, String(ref.id ?? ''), 'representations.id').catch((err: unknown) => err),
      };
    }
    // The interface's type comes from the id (type-graphql's resolveType is not in the map).
    resolvers.Node = { __resolveType: (value: { id: string }) => nodeTypeOf(value) ?? null };
    // type-graphql's map is a plain resolver map; @apollo/subgraph types its own more narrowly.
    // Sorted, as schema.graphql is: the committed subgraph.graphql reads the same way.
    const sdl = printSchemaWithDirectives(lexicographicSortSchema(plain));
    schema = buildSubgraphSchema({ typeDefs: parse(`${LINK}\n${sdl}`), resolvers: resolvers as never });
    internalEnumDefaults(schema);
    built.set(plain, schema);
  }
  return schema;
}

/**
 * buildSubgraphSchema reads default values from the SDL before it gives enums their internal values
 * (type-graphql's `Aggregation.AVG` is 'avg'): a defaulted enum argument would arrive as 'AVG'.
 * The defaults are mapped to the internal values here, once, on the built schema.
 */
function internalEnumDefaults(schema: GraphQLSchema): void {
  const fix = (input: { type: GraphQLInputType; defaultValue?: unknown }) => {
    const type = getNamedType(input.type);
    if (!isEnumType(type) || input.defaultValue === undefined) return;
    const internal = (v: unknown) => (typeof v === 'string' ? (type.getValue(v)?.value ?? v) : v);
    input.defaultValue = Array.isArray(input.defaultValue) ? input.defaultValue.map(internal) : internal(input.defaultValue);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type)) Object.values(type.getFields()).forEach(fix);
    if (isObjectType(type) || isInterfaceType(type)) for (const field of Object.values(type.getFields())) field.args.forEach(fix);
  }
}

/** subgraph.graphql as committed: what `_service { sdl }` answers, which a platform composes. */
export function printGatewaySubgraph(modules: readonly UpstreamModule[]): string {
  const result = executeSync({ schema: buildGatewaySubgraph(modules), document: parse('{ _service { sdl } }') });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null)?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(`the subgraph did not answer _service { sdl }: ${JSON.stringify(result.errors ?? null)}`);
  return `${sdl}\n`;
}
