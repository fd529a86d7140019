// The Sensor fields only BEMServer has: the campaign a timeseries belongs to, and its property
// values (timeseries properties are BEMServer's Parameters).
import { Ctx, Field, FieldResolver, ObjectType, Resolver, Root } from '../../../schema/type-graphql.js';
import type { GatewayContext } from '../../../context.js';
import { LocationType } from '../../../schema/location.type.js';
import { ParameterType } from '../../../schema/parameter.type.js';
import { SensorType } from '../../../schema/sensor.type.js';
import type { Location, Parameter, Sensor } from '../../../shared/domain.js';
import { isBemServerSensor } from '../mapping.js';

@ObjectType('SensorProperty', { description: 'A property value of a series (BEMServer timeseries properties: Min, Max, Interval...).' })
export class SensorPropertyType {
  parameterId!: string;

  @Field(() => String, { description: 'As the upstream stores it (always a string there).' })
  value!: string;
}

@Resolver(() => SensorType)
export class BemServerSensorFields {
  @FieldResolver(() => [SensorPropertyType], {
    description: 'Property values of the series (BEMServer timeseries properties); empty elsewhere.',
  })
  properties(@Root() sensor: Sensor): Array<{ parameterId: string; value: string }> {
    return isBemServerSensor(sensor) ? sensor.properties : [];
  }

  @FieldResolver(() => LocationType, { nullable: true, description: 'The campaign the series belongs to (BEMServer).' })
  campaign(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<Location | null> | null {
    return isBemServerSensor(sensor) ? ctx.registry.get(sensor.upstream).location(sensor.campaignId) : null;
  }
}

@Resolver(() => SensorPropertyType)
export class SensorPropertyResolver {
  @FieldResolver(() => ParameterType, { nullable: true, description: 'The property (a Parameter), with its unit.' })
  parameter(@Root() p: { parameterId: string }, @Ctx() ctx: GatewayContext): Promise<Parameter | null> {
    return ctx.registry.get(ctx.registry.parse(p.parameterId, 'parameter', 'parameterId').upstream).parameter(p.parameterId);
  }
}
