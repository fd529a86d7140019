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

/** Resolves a parameter ID to its parameter, or throws BAD_USER_INPUT naming what is wrong. */
export async function findParameter(ctx: GatewayContext, id: string, argument: string): Promise<Parameter> {
  const { upstream } = ctx.registry.parse(id, 'parameter', argument);
  const p = await ctx.registry.get(upstream).parameter(id);
  if (!p) throw badInput(`${argument}: there is no parameter "${id}" (list them with the parameters query)`, { argument });
  return p;
}

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
  parameter(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<Parameter> {
    return findParameter(ctx, id, 'id');
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
