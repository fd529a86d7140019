import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { UpstreamName } from '../shared/domain.js';
import { Page } from './common.type.js';
import { DateTimeScalar } from './scalars.js';

@ObjectType('LatestValue', { description: 'The most recent measurement, however old.' })
export class LatestValueType {
  @Field(() => DateTimeScalar)
  time!: number;

  @Field(() => Float, { nullable: true })
  value!: number | null;
}

@ObjectType('Sensor', {
  description: 'One series that produces values: a Meetnet location + parameter (`MP7WVC`), a FlexMeasures sensor, a BEMServer timeseries.',
})
export class SensorType {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:sensor:MP7WVC`.' })
  id!: string;

  @Field(() => UpstreamName)
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

  @Field(() => [String], { description: 'Publication channels (Meetnet), e.g. `live_data_pub`, `hist_data_pub`.' })
  publications!: string[];

  @Field(() => String, { nullable: true, description: 'IANA time zone the upstream keeps the series in (FlexMeasures).' })
  timezone?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'USEF entity address (FlexMeasures), e.g. `ea1.2021-01.io.flexmeasures.company:fm1.4`.',
  })
  entityAddress?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True when positive values mean consumption (FlexMeasures sensor attribute); null when the upstream does not say.',
  })
  consumptionIsPositive?: boolean | null;
}

@ObjectType('SensorPage')
export class SensorPage extends Page(SensorType) {}
