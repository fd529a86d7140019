import { Field, ID, ObjectType } from 'type-graphql';
import { UpstreamName } from '../shared/domain.js';
import { Page } from './common.type.js';

@ObjectType('Connection', {
  description:
    'A FlexMeasures grid connection (a charging station, a meter), named by its USEF entity address. Meter data and prognoses hang off it.',
})
export class ConnectionType {
  @Field(() => ID, { description: 'Global ID, e.g. `flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4`.' })
  id!: string;

  @Field(() => UpstreamName)
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
