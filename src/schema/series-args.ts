import { ArgsType, Field, Int } from './type-graphql.js';
import { BucketInput } from './bucket.types.js';
import { DateTimeScalar } from './scalars.js';

/** The arguments of every series read (Sensor.series, timeSeries, frame): one window rule, one way to shape. */
@ArgsType()
export class WindowArgs {
  @Field(() => DateTimeScalar, { description: 'Start of the window, included.' })
  from!: number;

  @Field(() => DateTimeScalar, {
    description:
      'End of the window, excluded: windows are [from, to) on every upstream, so a day at 10 minutes is 144 points and adjacent windows share none.',
  })
  to!: number;

  @Field(() => BucketInput, {
    nullable: true,
    description:
      'Aggregate into buckets, on every upstream. The upstream computes them where its answer is the same (BEMServer aggregates, FlexMeasures resampling); the gateway otherwise.',
  })
  bucket!: BucketInput | null;

  @Field(() => String, {
    defaultValue: 'UTC',
    description: 'IANA time zone in which DAY, WEEK, MONTH and YEAR buckets start at local midnight, e.g. `Europe/Brussels`.',
  })
  timeZone!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Convert the values into this unit, e.g. `MW`, `km/h`, `°F`, `EUR/kWh`; refused when it does not measure what the sensor's unit does.",
  })
  unit!: string | null;

  @Field(() => String, { nullable: true, description: 'Data state, e.g. Raw or Clean (BEMServer sensors only; default Raw).' })
  dataState!: string | null;
}

/** A series read that may be reduced for drawing. */
@ArgsType()
export class SeriesArgs extends WindowArgs {
  @Field(() => Int, {
    nullable: true,
    description:
      "At most this many points, for drawing (set it to the chart's width in pixels): the series is reduced per pixel column to its first, smallest, largest and last point (M4), so every peak and the window's minimum and maximum stay. After buckets.",
  })
  maxPoints!: number | null;
}
