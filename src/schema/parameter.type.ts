import { Field, ID, ObjectType } from 'type-graphql';
import { UpstreamName } from '../shared/domain.js';

@ObjectType('Parameter', { description: 'What is measured (wind speed, tide, power, price...), with its unit and category.' })
export class ParameterType {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:parameter:WVC`.' })
  id!: string;

  @Field(() => UpstreamName)
  upstream!: UpstreamName;

  @Field(() => String, { description: "The upstream's own code, e.g. `WVC`." })
  code!: string;

  @Field(() => String, { nullable: true, description: 'Unit as the upstream writes it, e.g. `m/s`, `cm`, `°C`.' })
  unit!: string | null;
}
