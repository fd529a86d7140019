import { Field, Float, InputType, Int, ObjectType, registerEnumType } from './type-graphql.js';
import type { SeriesBucket } from '../upstreams/series.js';
import { DateTimeScalar } from './scalars.js';

export enum BucketUnit {
  SECOND = 'second',
  MINUTE = 'minute',
  HOUR = 'hour',
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
  YEAR = 'year',
}
registerEnumType(BucketUnit, {
  name: 'BucketUnit',
  description: 'Width unit of an aggregation bucket. DAY starts at midnight, WEEK on Monday, MONTH on the 1st, YEAR on 1 January (UTC).',
});

export enum Aggregation {
  AVG = 'avg',
  SUM = 'sum',
  MIN = 'min',
  MAX = 'max',
  COUNT = 'count',
}
registerEnumType(Aggregation, { name: 'Aggregation', description: 'How the values of a bucket are combined.' });

@InputType('BucketInput', {
  description:
    'Aggregate a series into buckets (BEMServer): one value per bucket, labelled by its start; empty buckets are null (0 for COUNT).',
})
export class BucketInput {
  @Field(() => Int, { defaultValue: 1, description: 'Width in units; more than 1 only for SECOND, MINUTE and HOUR.' })
  width!: number;

  @Field(() => BucketUnit)
  unit!: BucketUnit;

  @Field(() => Aggregation, { defaultValue: Aggregation.AVG })
  aggregation!: Aggregation;
}

export function toSeriesBucket(b: BucketInput | null | undefined): SeriesBucket | null {
  return b ? { widthValue: b.width, widthUnit: b.unit, aggregation: b.aggregation } : null;
}

@ObjectType('SensorStats', { description: 'Summary of all the data of a series, computed by the upstream (BEMServer).' })
export class SensorStatsType {
  @Field(() => DateTimeScalar, { nullable: true })
  firstTime!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastTime!: number | null;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true })
  min!: number | null;

  @Field(() => Float, { nullable: true })
  max!: number | null;

  @Field(() => Float, { nullable: true })
  avg!: number | null;

  @Field(() => Float, { nullable: true, description: 'Sample standard deviation.' })
  stddev!: number | null;
}
