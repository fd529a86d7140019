// `latestValues(sensorIds)`: the IDs are checked before anything is watched (a malformed or
// unknown one is BAD_USER_INPUT naming it, one of an upstream the client may not reach FORBIDDEN),
// then each sensor's current value is sent and each new one after it, until the client leaves.
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { GatewayContext } from '../context.js';
import type { Sensor } from '../shared/domain.js';
import { badInput, ErrorCode, GatewayError } from '../shared/errors.js';
import { RequestAbandoned } from '../shared/abandoned.js';
import { findSensor, MAX_SENSORS_PER_QUERY } from '../schema/sensor.resolver.js';
import type { LiveValue } from './coordinator.js';
import { isLiveContext } from './context.js';

/** What one event of `latestValues` resolves from. */
export interface LatestValueEvent extends LiveValue {
  sensor: Sensor;
}

/** Events a slow client may fall behind by, per sensor, before the oldest are dropped (only the newest matter). */
const BACKLOG_PER_SENSOR = 4;

export async function latestValueStream(
  ctx: GatewayContext,
  sensorIds: readonly string[],
): Promise<AsyncIterableIterator<LatestValueEvent>> {
  if (!isLiveContext(ctx)) {
    // Apollo's POST /graphql runs queries and mutations only.
    throw new GatewayError(
      ErrorCode.BAD_USER_INPUT,
      'subscriptions run over WebSocket (graphql-ws, at /graphql) or Server-Sent Events (/graphql/stream), not plain HTTP',
    );
  }
  if (sensorIds.length === 0) throw badInput('sensorIds: name at least one sensor', { argument: 'sensorIds' });
  if (sensorIds.length > MAX_SENSORS_PER_QUERY) {
    throw badInput(`sensorIds: at most ${MAX_SENSORS_PER_QUERY} sensors per subscription (got ${sensorIds.length})`, {
      argument: 'sensorIds',
    });
  }
  // Malformed IDs first, all of them, before any catalogue is read.
  sensorIds.forEach((id, i) => ctx.registry.parse(id, 'sensor', `sensorIds[${i}]`));
  const byId = new Map<string, Promise<Sensor>>();
  sensorIds.forEach((id, i) => {
    if (!byId.has(id)) byId.set(id, findSensor(ctx, id, `sensorIds[${i}]`));
  });
  const sensors = await Promise.all(byId.values());
  const { hub, renew, end } = ctx.live;

  const events = new Repeater<LatestValueEvent>(
    async (push, stop) => {
      const leave = sensors.map((sensor) => hub.watch(sensor, (value) => void push({ ...value, sensor })));
      await stop;
      for (const l of leave) l();
      end(new RequestAbandoned('client-gone'));
    },
    new SlidingBuffer(sensors.length * BACKLOG_PER_SENSOR),
  );

  // graphql-js executes each event with the subscription's one context: fresh loaders for each, and
  // its points reserved until it is sent (the transports ask for the next event once it is).
  let release: () => void = () => undefined;
  const stream: AsyncIterableIterator<LatestValueEvent> = {
    [Symbol.asyncIterator]: () => stream,
    async next() {
      release();
      const result = await events.next();
      if (result.done) return result;
      try {
        release = await renew();
      } catch {
        return { done: true, value: undefined }; // it ended while its event waited for room
      }
      return result;
    },
    return: (value?: unknown) => {
      release();
      return events.return(value);
    },
    throw: (err?: unknown) => events.throw(err),
  };
  return stream;
}
