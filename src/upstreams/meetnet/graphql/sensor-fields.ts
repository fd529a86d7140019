// The Sensor field only Meetnet has: the channels a series is published on.
import { FieldResolver, Resolver, Root } from '../../../schema/type-graphql.js';
import { SensorType } from '../../../schema/sensor.type.js';
import type { Sensor } from '../../../shared/domain.js';
import { isMeetnetSensor } from '../mapping.js';

@Resolver(() => SensorType)
export class MeetnetSensorFields {
  @FieldResolver(() => [String], { description: 'Publication channels (Meetnet), e.g. `live_data_pub`, `hist_data_pub`; empty elsewhere.' })
  publications(@Root() sensor: Sensor): string[] {
    return isMeetnetSensor(sensor) ? sensor.publications : [];
  }
}
