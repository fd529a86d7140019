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
  description:
    "Width unit of an aggregation bucket. DAY starts at local midnight in the read's `timeZone`, WEEK on Monday, MONTH on the 1st, YEAR on 1 January.",
});

export enum Aggregation {
  MEAN = 'mean',
  MIN = 'min',
  MAX = 'max',
  SUM = 'sum',
  COUNT = 'count',
  FIRST = 'first',
  LAST = 'last',
  AVG = 'avg',
}
registerEnumType(Aggregation, {
  name: 'Aggregation',
  description: 'How the values of a bucket are combined; null values are left out (a bucket of none is null, COUNT 0).',
  valuesConfig: {
    MEAN: { description: 'Arithmetic mean.' },
    FIRST: { description: 'The earliest value.' },
    LAST: { description: 'The latest value.' },
    AVG: { deprecationReason: 'Use MEAN (the same).' },
  },
});

@InputType('BucketInput', {
  description:
    'Buckets of a series: one value per bucket [start, start + width), labelled by its start, every bucket of the window listed; empty buckets are null (0 for COUNT).',
})
export class BucketInput {
  @Field(() => Int, { defaultValue: 1, description: 'Width in units; more than 1 only for SECOND, MINUTE and HOUR.' })
  width!: number;

  @Field(() => BucketUnit)
  unit!: BucketUnit;

  @Field(() => Aggregation, { defaultValue: Aggregation.MEAN })
  aggregation!: Aggregation;
}

export function toSeriesBucket(b: BucketInput | null | undefined): SeriesBucket | null {
  if (!b) return null;
  return { widthValue: b.width, widthUnit: b.unit, aggregation: b.aggregation === Aggregation.AVG ? 'mean' : b.aggregation };
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
