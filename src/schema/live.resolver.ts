// Subscriptions. They run over graphql-ws and Server-Sent Events (src/live/transports), never
// through Apollo's POST /graphql; each brings its own `subscribe` (no type-graphql PubSub).
import type { GatewayContext } from '../context.js';
import { latestValueStream, type LatestValueEvent } from '../live/stream.js';
import { LatestValueEventType } from './live.type.js';
import { MAX_SENSORS_PER_QUERY } from './sensor.resolver.js';
import { Arg, ID, Resolver, Root, Subscription } from './type-graphql.js';

@Resolver(() => LatestValueEventType)
export class LiveResolver {
  @Subscription(() => LatestValueEventType, {
    description: `Latest values of these sensors (at most ${MAX_SENSORS_PER_QUERY}): each one's current value at once, then each new one (a new time, or a changed value), polled once per the sensor's interval for all subscribers together.`,
    subscribe: ({ context, args }) => latestValueStream(context as GatewayContext, (args as { sensorIds: string[] }).sensorIds),
  })
  latestValues(@Root() event: LatestValueEvent, @Arg('sensorIds', () => [ID]) _sensorIds: string[]): LatestValueEvent {
    return event;
  }
}
