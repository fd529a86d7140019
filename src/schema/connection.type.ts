import { Directive, Field, ID, ObjectType } from './type-graphql.js';
import type { UpstreamName } from '../shared/domain.js';
import { Page } from './common.type.js';
import { UpstreamEnum } from './upstream-enum.js';
import { NodeInterface } from './node.type.js';

// An entity of the federated graph: other subgraphs reference it by its global id.
@Directive('@key(fields: "id")')
@ObjectType('Connection', {
  implements: NodeInterface,
  description:
    'A FlexMeasures grid connection (a charging station, a meter), named by its USEF entity address. Meter data and prognoses hang off it.',
})
export class ConnectionType {
  @Field(() => ID, { description: 'Global ID, e.g. `flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4`.' })
  id!: string;

  @Field(() => UpstreamEnum)
  upstream!: UpstreamName;

  @Field(() => String, {
    description: 'USEF entity address, e.g. `ea1.2021-01.io.flexmeasures.company:fm1.4` (older servers: `...:3:4`; both are understood).',
  })
  entityAddress!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType('ConnectionPage')
export class ConnectionPage extends Page(ConnectionType) {}
