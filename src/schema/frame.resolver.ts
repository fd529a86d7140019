import { Arg, Args, Ctx, ID, Query, Resolver } from './type-graphql.js';
import type { GatewayContext } from '../context.js';
import { alignFrame } from '../series/frame.js';
import { FillEnum, FrameColumnType, FrameType } from './frame.type.js';
import { eachSensor } from './sensor.resolver.js';
import { WindowArgs } from './series-args.js';
import { readSeries, seriesRequest } from './series-read.js';

@Resolver(() => FrameType)
export class FrameResolver {
  @Query(() => FrameType, {
    nullable: true,
    description:
      'Sensors of any upstreams on one time axis, as columns: each read as `timeSeries` reads it (one upstream call per window where the upstream allows), then aligned, gaps filled as asked. With a bucket every column has every bucket.',
  })
  async frame(
    @Ctx() ctx: GatewayContext,
    @Arg('sensorIds', () => [ID]) sensorIds: string[],
    @Args(() => WindowArgs) args: WindowArgs,
    @Arg('fill', () => FillEnum, { defaultValue: FillEnum.NONE }) fill: FillEnum,
  ): Promise<FrameType> {
    const request = seriesRequest(args, ctx.config.maxWindowDays);
    const reads = await eachSensor(ctx, sensorIds, async (sensor) => ({ sensor, ...(await readSeries(ctx, sensor, request)) }));
    const aligned = alignFrame(
      reads.map((r) => (r instanceof Error ? null : r.data)),
      fill,
    );
    const columns = reads.map((r, i) => (r instanceof Error ? r : new FrameColumnType(r.sensor, r.unit, aligned.columns[i]!, ctx.budget)));
    return new FrameType(request.from, request.to, aligned.times, columns, ctx.budget);
  }
}
