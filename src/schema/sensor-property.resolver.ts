import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { Parameter } from '../shared/domain.js';
import { parseId } from '../shared/ids.js';
import { SensorPropertyType } from './bucket.types.js';
import { ParameterType } from './parameter.type.js';

@Resolver(() => SensorPropertyType)
export class SensorPropertyResolver {
  @FieldResolver(() => ParameterType, { nullable: true, description: 'The property (a Parameter), with its unit.' })
  parameter(@Root() p: { parameterId: string }, @Ctx() ctx: GatewayContext): Promise<Parameter | null> {
    return ctx.registry.get(parseId(p.parameterId, 'parameter', 'parameterId').upstream).parameter(p.parameterId);
  }
}
