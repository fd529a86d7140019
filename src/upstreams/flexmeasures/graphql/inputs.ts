// The inputs of FlexMeasures' write mutations.
import { Field, Float, ID, InputType, registerEnumType } from '../../../schema/type-graphql.js';
import { DateTimeScalar } from '../../../schema/scalars.js';

export enum WeatherKind {
  TEMPERATURE = 'temperature',
  IRRADIANCE = 'irradiance',
  WIND_SPEED = 'wind speed',
}
registerEnumType(WeatherKind, { name: 'WeatherKind', description: 'What a weather sensor measures.' });

@InputType()
class SeriesInput {
  @Field(() => DateTimeScalar, { description: 'Start of the first value.' })
  start!: number;

  @Field(() => [Float], { description: 'Values in order, one per `resolution` step.' })
  values!: number[];

  @Field(() => String, {
    nullable: true,
    description:
      "ISO 8601 duration of one value, e.g. PT15M. A multiple of the sensor's resolution is upsampled (each value repeated), as the upstream does. Default: the sensor's resolution.",
  })
  resolution?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO 8601 duration of all values together; must equal values × resolution when both are given.',
  })
  duration?: string | null;
}

@InputType('MeterDataInput', { description: 'Measured power of a connection.' })
export class MeterDataInput extends SeriesInput {
  @Field(() => ID, { description: 'e.g. flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4' })
  connectionId!: string;

  @Field(() => String, { defaultValue: 'MW', description: 'MW (v1_1 accepts only MW; v3_0 also kW and W).' })
  unit!: string;

  @Field(() => String, { nullable: true, description: 'Belief horizon, zero or negative (after the fact), e.g. -PT10M. Default PT0H.' })
  horizon?: string | null;
}

@InputType('PrognosisInput', { description: 'Prognosed power of a connection.' })
export class PrognosisInput extends SeriesInput {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => String, { defaultValue: 'MW' })
  unit!: string;

  @Field(() => String, { description: 'How long before each value it was forecast, e.g. PT6H (positive).' })
  horizon!: string;
}

@InputType('PriceDataInput', { description: 'Prices of a market. Name the market by `sensorId` or by `market` name (e.g. epex_da).' })
export class PriceDataInput extends SeriesInput {
  @Field(() => ID, { nullable: true })
  sensorId?: string | null;

  @Field(() => String, { nullable: true })
  market?: string | null;

  @Field(() => String, { defaultValue: 'EUR/MWh', description: 'EUR/MWh or KRW/kWh, as the market sensor has it.' })
  unit!: string;

  @Field(() => String, { nullable: true, description: 'Belief horizon, e.g. PT35H for day-ahead prices. Default PT0H.' })
  horizon?: string | null;
}

@InputType('WeatherDataInput', {
  description: 'Weather observations or forecasts. Name the sensor by `sensorId`, or by `kind` with its `latitude` and `longitude`.',
})
export class WeatherDataInput extends SeriesInput {
  @Field(() => ID, { nullable: true })
  sensorId?: string | null;

  @Field(() => WeatherKind, { nullable: true })
  kind?: WeatherKind | null;

  @Field(() => Float, { nullable: true })
  latitude?: number | null;

  @Field(() => Float, { nullable: true })
  longitude?: number | null;

  @Field(() => String, { description: '°C for temperature, kW/m² for irradiance, m/s for wind speed.' })
  unit!: string;

  @Field(() => String, { nullable: true, description: 'Belief horizon: positive for forecasts. Default PT0H.' })
  horizon?: string | null;
}
