import { Ctx, Query, Resolver } from './type-graphql.js';
import type { GatewayContext } from '../context.js';
import type { UpstreamStatus } from '../upstreams/upstream.js';
import { UpstreamStatusType } from './upstream.type.js';

@Resolver(() => UpstreamStatusType)
export class UpstreamResolver {
  @Query(() => [UpstreamStatusType], { description: 'Each upstream this gateway serves: reachable now, and in which API version.' })
  upstreams(@Ctx() ctx: GatewayContext): Promise<UpstreamStatus[]> {
    // status() never throws: an unreachable upstream is a status, not an error. Asked once per
    // request, however many aliases ask for it (each status costs up to three upstream calls).
    return ctx.perRequest('upstreams:status', () => Promise.all(ctx.registry.all().map((a) => a.status())));
  }
}
