import { Directive, Field, Float, ID, Int, ObjectType } from './type-graphql.js';
import type { UpstreamName } from '../shared/domain.js';
import { Page } from './common.type.js';
import { DateTimeScalar } from './scalars.js';
import { UpstreamEnum } from './upstream-enum.js';
import { NodeInterface } from './node.type.js';

@ObjectType('LatestValue', { description: 'The most recent measurement, however old.' })
export class LatestValueType {
  @Field(() => DateTimeScalar)
  time!: number;

  @Field(() => Float, { nullable: true })
  value!: number | null;
}

// An entity of the federated graph: other subgraphs reference it by its global id.
@Directive('@key(fields: "id")')
@ObjectType('Sensor', {
  implements: NodeInterface,
  description: 'One series that produces values: a Meetnet location + parameter (`MP7WVC`), a FlexMeasures sensor, a BEMServer timeseries.',
})
export class SensorType {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:sensor:MP7WVC`.' })
  id!: string;

  @Field(() => UpstreamEnum)
  upstream!: UpstreamName;

  @Field(() => String, { description: "The upstream's own ID, e.g. `MP7WVC`." })
  nativeId!: string;

  @Field(() => String, { nullable: true })
  unit!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Minutes between two measurements; null when the series is not measured at present.',
  })
  intervalMinutes!: number | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone the upstream keeps the series in, where it says.' })
  timezone?: string | null;

  // Fields only one upstream has are added by its module (src/upstreams/<name>/graphql/).
}

@ObjectType('SensorPage')
export class SensorPage extends Page(SensorType) {}
