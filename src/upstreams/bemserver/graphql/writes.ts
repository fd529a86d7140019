// BEMServer's write mutation: points of a timeseries, at their own instants.
import { Arg, Ctx, Mutation, Resolver } from '../../../schema/type-graphql.js';
import type { GatewayContext } from '../../../context.js';
import { requireCapability } from '../../../schema/capability.js';
import { forgetWritten } from '../../../schema/write-forget.js';
import { WriteResultType } from '../../../schema/write-result.type.js';
import type { WriteOutcome } from '../../../shared/domain.js';
import { TimeseriesWrites } from '../adapter.js';
import { TimeseriesDataInput } from './inputs.js';

@Resolver()
export class TimeseriesWriteResolver {
  @Mutation(() => WriteResultType, {
    description:
      'Writes points of a BEMServer timeseries (POST /timeseries_data/). Upstream validation errors name their fields in extensions.fields.',
  })
  async writeTimeseriesData(
    @Ctx() ctx: GatewayContext,
    @Arg('input', () => TimeseriesDataInput) input: TimeseriesDataInput,
  ): Promise<WriteOutcome> {
    const { upstream } = ctx.registry.parse(input.sensorId, 'sensor', 'sensorId');
    const times = input.points.map((p) => p.time);
    const outcome = await requireCapability(ctx, upstream, TimeseriesWrites, 'sensorId').writeTimeseries({
      sensorId: input.sensorId,
      dataState: input.dataState ?? null,
      times,
      values: input.points.map((p) => p.value),
    });
    return forgetWritten(
      ctx,
      outcome,
      times.reduce((a, b) => Math.min(a, b), Infinity),
    );
  }
}
