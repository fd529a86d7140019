import type { Sensor } from '../shared/domain.js';
import { DateTimeScalar } from './scalars.js';
import { SensorType } from './sensor.type.js';
import { Field, Float, ID, ObjectType } from './type-graphql.js';

@ObjectType('LatestValueEvent', {
  description: "A sensor's latest value: its current one when the subscription starts, then each new one.",
})
export class LatestValueEventType {
  @Field(() => ID, { description: 'Global ID of the sensor, as subscribed.' })
  sensorId!: string;

  @Field(() => SensorType, { nullable: true })
  sensor!: Sensor | null;

  @Field(() => DateTimeScalar, { description: 'When the value was measured.' })
  time!: number;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => String, { nullable: true, description: "The sensor's unit." })
  unit!: string | null;
}
