import { Field, Float, ObjectType, registerEnumType } from './type-graphql.js';
import type { Sensor } from '../shared/domain.js';
import type { ResponseBudget } from './limits.js';
import { DateTimeScalar } from './scalars.js';
import { SensorType } from './sensor.type.js';

export enum FillEnum {
  NONE = 'none',
  PREVIOUS = 'previous',
  LINEAR = 'linear',
  ZERO = 'zero',
}
registerEnumType(FillEnum, {
  name: 'Fill',
  description: "How a frame column's gaps are filled: its nulls, and the instants only other columns have.",
  valuesConfig: {
    NONE: { description: 'Left null.' },
    PREVIOUS: { description: 'The last value before, carried forward (to the end of the window).' },
    LINEAR: { description: 'Interpolated in time between the values either side; null before the first and after the last.' },
    ZERO: { description: '0.' },
  },
});

@ObjectType('FrameColumn', { description: "One sensor's values on the frame's time axis." })
export class FrameColumnType {
  constructor(
    private readonly sensorData: Sensor,
    private readonly valueUnit: string | null,
    private readonly data: (number | null)[],
    private readonly budget: ResponseBudget,
  ) {}

  @Field(() => SensorType)
  get sensor(): Sensor {
    return this.sensorData;
  }

  @Field(() => String, { nullable: true, description: "Unit of the values: the sensor's, or the one the read asked for." })
  get unit(): string | null {
    return this.valueUnit;
  }

  @Field(() => [Float], { nullable: 'items', description: 'One value per instant of `Frame.timestamps`.' })
  get values(): (number | null)[] {
    this.budget.spend(this.data.length / 2);
    return this.data;
  }
}

@ObjectType('Frame', {
  description:
    'Several series on one time axis, ready for a chart: `timestamps` and, per sensor, a column of values on them. Also at GET /frame.csv and /frame.json.',
})
export class FrameType {
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
    private readonly times: number[],
    private readonly cols: Array<FrameColumnType | Error>,
    private readonly budget: ResponseBudget,
  ) {}

  @Field(() => DateTimeScalar, { description: 'Start of the window (included).' })
  get from(): number {
    return this.fromMs;
  }

  @Field(() => DateTimeScalar, { description: 'End of the window (excluded).' })
  get to(): number {
    return this.toMs;
  }

  @Field(() => [DateTimeScalar], { description: 'The time axis: every instant any column has a point at (every bucket, with buckets).' })
  get timestamps(): number[] {
    this.budget.spend(this.times.length / 2);
    return this.times;
  }

  @Field(() => [FrameColumnType], {
    nullable: 'items',
    description: 'One per sensor, in the order asked; null (with an error naming it) for a sensor that could not be read.',
  })
  get columns(): Array<FrameColumnType | Error> {
    return this.cols;
  }
}
