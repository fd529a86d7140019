// The GraphQL enum `Upstream`, made from the module list: one value per upstream (`MEETNET`), its
// internal value the module's name (`meetnet`). type-graphql reads an enum's values when it builds
// a schema, so the values are set just before each build (buildGatewaySchema), from its modules.
import { registerEnumType } from './type-graphql.js';
import type { UpstreamModule } from '../upstreams/module.js';

/** The enum object type-graphql knows as `Upstream`: `{ MEETNET: 'meetnet', … }`. */
export const UpstreamEnum: Record<string, string> = {};
const valuesConfig: Record<string, { description: string }> = {};

registerEnumType(UpstreamEnum, { name: 'Upstream', description: 'The REST APIs behind the gateway.', valuesConfig });

/** Sets the enum's values to these modules', in their order. */
export function defineUpstreamEnum(modules: readonly Pick<UpstreamModule, 'name' | 'description'>[]): void {
  for (const key of Object.keys(UpstreamEnum)) {
    delete UpstreamEnum[key];
    delete valuesConfig[key];
  }
  for (const m of modules) {
    const key = m.name.toUpperCase();
    UpstreamEnum[key] = m.name;
    valuesConfig[key] = { description: m.description };
  }
}
