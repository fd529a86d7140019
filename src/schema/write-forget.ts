// A write through the gateway changes what its upstream answers for the written sensor, in windows
// the shared history cache may keep as final: once the upstream took the write, the cache forgets
// the sensor's entries from the write's first instant on (HistoryCache.forget), so the writer's next
// read, on any replica, shows it. A write that names no sensor (FlexMeasures v1_1 markets and weather
// positions) finds none to forget; v1_1 reads are kept only as whole windows that ended days ago.
import type { GatewayContext } from '../context.js';
import type { WriteOutcome } from '../shared/domain.js';

export async function forgetWritten(ctx: GatewayContext, outcome: WriteOutcome, from: number): Promise<WriteOutcome> {
  if (outcome.sensorId) {
    const { upstream, nativeId } = ctx.registry.parse(outcome.sensorId, 'sensor', 'sensorId');
    await ctx.registry.history.forget(upstream, nativeId, from);
  }
  return outcome;
}
