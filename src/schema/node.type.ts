// Relay's object identification: every type with a global id is a Node. The kind is the id's
// second part: `meetnet:sensor:MP7WVC` is a Sensor.
import { Field, ID, InterfaceType } from './type-graphql.js';

/** The GraphQL type of each kind of global id. */
export const NODE_TYPES = { location: 'Location', sensor: 'Sensor', parameter: 'Parameter', connection: 'Connection' } as const;
export type NodeKind = keyof typeof NODE_TYPES;

/** The kind of a global id, or null when it names none. */
export function nodeKind(id: string): NodeKind | null {
  const kind = id.split(':')[1];
  return kind !== undefined && Object.hasOwn(NODE_TYPES, kind) ? (kind as NodeKind) : null;
}

/** The GraphQL type of an object with a global id (the Node interface's type resolution). */
export function nodeTypeOf(value: { id: string }): string | undefined {
  const kind = nodeKind(value.id);
  return kind ? NODE_TYPES[kind] : undefined;
}

@InterfaceType('Node', { description: 'An object with a global ID, found again with `node(id)` (Relay).', resolveType: nodeTypeOf })
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:sensor:MP7WVC`.' })
  id!: string;
}
