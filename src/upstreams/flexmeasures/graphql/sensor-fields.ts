// The Sensor fields only FlexMeasures has: the entity address and the sign convention.
import { FieldResolver, Resolver, Root } from '../../../schema/type-graphql.js';
import { SensorType } from '../../../schema/sensor.type.js';
import type { Sensor } from '../../../shared/domain.js';
import { isFlexMeasuresSensor } from '../mapping.js';

@Resolver(() => SensorType)
export class FlexMeasuresSensorFields {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'USEF entity address (FlexMeasures), e.g. `ea1.2021-01.io.flexmeasures.company:fm1.4`.',
  })
  entityAddress(@Root() sensor: Sensor): string | null {
    return isFlexMeasuresSensor(sensor) ? sensor.entityAddress : null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'True when positive values mean consumption (FlexMeasures sensor attribute); null when the upstream does not say.',
  })
  consumptionIsPositive(@Root() sensor: Sensor): boolean | null {
    return isFlexMeasuresSensor(sensor) ? sensor.consumptionIsPositive : null;
  }
}
