import { Field, Float, Int, ObjectType } from './type-graphql.js';
import type { Sensor } from '../shared/domain.js';
import type { SeriesResult } from '../upstreams/series.js';
import { SensorType } from './sensor.type.js';
import type { ResponseBudget } from './limits.js';
import { DateTimeScalar } from './scalars.js';

@ObjectType('Point', { description: 'One measurement.', simpleResolvers: true })
export class PointType {
  @Field(() => DateTimeScalar)
  time!: number;

  @Field(() => Float, { nullable: true, description: 'Null where the upstream reports a gap on a regular time axis.' })
  value!: number | null;
}

/**
 * The values of one sensor over a window. Kept columnar inside; `points` is built only when a
 * client asks for it, so `timestamps` + `values` never pay for thousands of small objects.
 */
@ObjectType('TimeSeries', {
  description:
    'Values of one sensor over a window, ascending in time with no duplicated instant. Ask for `timestamps` and `values` (columnar, fastest) or `points`.',
})
export class TimeSeriesType {
  constructor(
    readonly sensorData: Sensor,
    readonly fromMs: number,
    readonly toMs: number,
    private readonly data: SeriesResult,
    /** The points the answer may still carry: each list of this series asked for spends from it. */
    private readonly budget: ResponseBudget,
    /** The unit of its values: the sensor's unless the read converted them (none for counts). */
    private readonly valueUnit: string | null = sensorData.unit,
  ) {}

  private pointObjects: PointType[] | null = null;

  @Field(() => SensorType)
  get sensor(): Sensor {
    return this.sensorData;
  }

  @Field(() => DateTimeScalar, { description: 'Start of the requested window (included).' })
  get from(): number {
    return this.fromMs;
  }

  @Field(() => DateTimeScalar, { description: 'End of the requested window (excluded).' })
  get to(): number {
    return this.toMs;
  }

  @Field(() => String, { nullable: true, description: "Unit of the values: the sensor's, or the one the read asked for." })
  get unit(): string | null {
    return this.valueUnit;
  }

  @Field(() => [PointType])
  get points(): PointType[] {
    const { times, values } = this.data;
    this.budget.spend(times.length);
    // Built once, however many aliases ask for it.
    if (this.pointObjects) return this.pointObjects;
    const out = new Array<PointType>(times.length);
    for (let i = 0; i < times.length; i++) out[i] = { time: times[i]!, value: values[i] ?? null };
    this.pointObjects = out;
    return out;
  }

  @Field(() => [DateTimeScalar], { description: 'Instants of the points, in order; pairs with `values`.' })
  get timestamps(): number[] {
    // A point is its time and its value: each column is half of it.
    this.budget.spend(this.data.times.length / 2);
    return this.data.times;
  }

  @Field(() => [Float], { nullable: 'items', description: 'Values of the points, in order; pairs with `timestamps`.' })
  get values(): (number | null)[] {
    this.budget.spend(this.data.values.length / 2);
    return this.data.values;
  }

  @Field(() => Float, { nullable: true, description: 'Smallest value in the window; null when there is none.' })
  get min(): number | null {
    return this.data.min;
  }

  @Field(() => Float, { nullable: true, description: 'Largest value in the window; null when there is none.' })
  get max(): number | null {
    return this.data.max;
  }

  @Field(() => Int, {
    description:
      'Number of points of this answer that carry a value: after buckets (each bucket one point) and maxPoints (the points kept for drawing), not the raw points read.',
  })
  get count(): number {
    let n = 0;
    for (const v of this.data.values) if (v !== null) n++;
    return n;
  }
}
