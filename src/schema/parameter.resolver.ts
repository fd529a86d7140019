import { Arg, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from './type-graphql.js';
import type { GraphQLResolveInfo } from 'graphql';
import { Language, type Parameter } from '../shared/domain.js';
import type { UpstreamName } from '../shared/domain.js';
import type { GatewayContext } from '../context.js';
import { badInput } from '../shared/errors.js';
import { pickText } from '../shared/text.js';
import { collect } from './collect.js';
import { ParameterType } from './parameter.type.js';
import { UpstreamEnum } from './upstream-enum.js';

@Resolver(() => ParameterType)
export class ParameterResolver {
  @Query(() => [ParameterType], { nullable: true, description: 'What the upstreams measure.' })
  parameters(
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('upstream', () => UpstreamEnum, { nullable: true, description: 'Only this upstream; all by default.' })
    upstream: UpstreamName | null,
  ): Promise<Parameter[]> {
    return collect(ctx, info, ctx.registry.select(upstream), (a) => a.parameters());
  }

  @Query(() => ParameterType, { nullable: true, description: 'One parameter by global ID, e.g. `meetnet:parameter:WVC`.' })
  async parameter(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<Parameter> {
    const { upstream } = ctx.registry.parse(id, 'parameter', 'id');
    const p = await ctx.registry.get(upstream).parameter(id);
    if (!p) throw badInput(`id: there is no parameter "${id}" (list them with the parameters query)`, { argument: 'id' });
    return p;
  }

  @FieldResolver(() => String, { description: 'Name in the requested language.' })
  name(@Root() p: Parameter, @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language): string {
    return pickText(p.name, language) ?? p.code;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Category, e.g. Waves, Tide and current, Wind, Meteo.' })
  category(@Root() p: Parameter, @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language): string | null {
    return pickText(p.category, language);
  }
}
