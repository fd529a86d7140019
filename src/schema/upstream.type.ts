import { Field, Int, ObjectType } from './type-graphql.js';
import type { UpstreamName } from '../shared/domain.js';
import { UpstreamEnum } from './upstream-enum.js';

@ObjectType('UpstreamStatus', { description: 'Whether an upstream answers now, and which API version the gateway speaks to it.' })
export class UpstreamStatusType {
  @Field(() => UpstreamEnum)
  name!: UpstreamName;

  @Field(() => Boolean)
  reachable!: boolean;

  @Field(() => String, { nullable: true, description: 'API version in use, e.g. `V2` for Meetnet.' })
  apiVersion!: string | null;

  @Field(() => Int, { nullable: true, description: 'Round trip of the probe call, in milliseconds.' })
  latencyMs!: number | null;

  @Field(() => Boolean, { description: 'True when the gateway talks to its built-in simulator, not the real API.' })
  simulated!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it is not reachable.' })
  message!: string | null;

  @Field(() => String, { nullable: true, description: "The upstream software's own version, where it says (FlexMeasures)." })
  serverVersion?: string | null;
}
