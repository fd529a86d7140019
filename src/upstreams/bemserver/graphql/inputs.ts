// The input of BEMServer's write mutation.
import { Field, Float, ID, InputType } from '../../../schema/type-graphql.js';
import { DateTimeScalar } from '../../../schema/scalars.js';

@InputType('DataPointInput')
export class DataPointInput {
  @Field(() => DateTimeScalar)
  time!: number;

  @Field(() => Float, { nullable: true, description: 'null points are skipped.' })
  value!: number | null;
}

@InputType('TimeseriesDataInput', {
  description: 'Points of a BEMServer timeseries. Points the upstream already has are kept as they are (first write wins).',
})
export class TimeseriesDataInput {
  @Field(() => ID, { description: 'e.g. bemserver:sensor:12' })
  sensorId!: string;

  @Field(() => String, { nullable: true, description: 'Data state, e.g. Raw (default) or Clean.' })
  dataState?: string | null;

  @Field(() => [DataPointInput])
  points!: DataPointInput[];
}
