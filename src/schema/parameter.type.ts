import { Directive, Field, ID, ObjectType } from './type-graphql.js';
import type { UpstreamName } from '../shared/domain.js';
import { UpstreamEnum } from './upstream-enum.js';
import { NodeInterface } from './node.type.js';

// An entity of the federated graph: other subgraphs reference it by its global id.
@Directive('@key(fields: "id")')
@ObjectType('Parameter', {
  implements: NodeInterface,
  description: 'What is measured (wind speed, tide, power, price...), with its unit and category.',
})
export class ParameterType {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:parameter:WVC`.' })
  id!: string;

  @Field(() => UpstreamEnum)
  upstream!: UpstreamName;

  @Field(() => String, { description: "The upstream's own code, e.g. `WVC`." })
  code!: string;

  @Field(() => String, { nullable: true, description: 'Unit as the upstream writes it, e.g. `m/s`, `cm`, `°C`.' })
  unit!: string | null;
}
