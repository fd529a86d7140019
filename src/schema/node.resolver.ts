// `node(id)` and `nodes(ids)` (Relay): any object by its global id, through the same lookups (and
// loaders) as the root fields.
import type { GatewayContext } from '../context.js';
import { badInput } from '../shared/errors.js';
import { findConnection } from './connection.resolver.js';
import { findLocation } from './location.resolver.js';
import { NODE_TYPES, NodeInterface, nodeKind, type NodeKind } from './node.type.js';
import { findParameter } from './parameter.resolver.js';
import { findSensor } from './sensor.resolver.js';
import { Arg, Ctx, ID, Query, Resolver } from './type-graphql.js';

/** Each kind's lookup: the root fields', node(s)' and the federation entities' (subgraph.ts). */
export const FIND: Record<NodeKind, (ctx: GatewayContext, id: string, argument: string) => Promise<unknown>> = {
  location: findLocation,
  sensor: findSensor,
  parameter: findParameter,
  connection: findConnection,
};

/** Most ids one `nodes` query may ask for. */
const MAX_NODES = 500;

function findNode(ctx: GatewayContext, id: string, argument: string): Promise<unknown> {
  const kind = nodeKind(id);
  if (!kind) {
    const kinds = Object.keys(NODE_TYPES).join(', ');
    return Promise.reject(
      badInput(`${argument}: "${id.slice(0, 80)}" is not a global ID (upstream:kind:native, kind one of ${kinds})`, { argument }),
    );
  }
  return FIND[kind](ctx, id, argument);
}

@Resolver()
export class NodeResolver {
  @Query(() => NodeInterface, { nullable: true, description: 'Any object by its global ID (Relay).' })
  node(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<unknown> {
    return findNode(ctx, id, 'id');
  }

  @Query(() => [NodeInterface], {
    nullable: 'items',
    description: `Objects by their global IDs, in the order given; an ID that names nothing is null with an error at its place. At most ${MAX_NODES}.`,
  })
  async nodes(@Ctx() ctx: GatewayContext, @Arg('ids', () => [ID]) ids: string[]): Promise<unknown[]> {
    if (ids.length > MAX_NODES) throw badInput(`ids: at most ${MAX_NODES} per query, got ${ids.length}`, { argument: 'ids' });
    // Each failure as an Error in its place (null there, the error at its path): graphql-jit drops
    // a rejected promise at the end of a list instead of giving it its null.
    return Promise.all(ids.map((id, i) => findNode(ctx, id, `ids[${i}]`).catch((err: unknown) => err)));
  }
}
