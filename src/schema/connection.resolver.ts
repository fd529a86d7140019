import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from './type-graphql.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { Connection, Sensor, UpstreamName } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import { Connections } from '../upstreams/capabilities.js';
import { collect } from './collect.js';
import { ConnectionPage, ConnectionType } from './connection.type.js';
import { durationArg } from './duration.js';
import { paginate } from './paginate.js';
import { DateTimeScalar } from './scalars.js';
import { SensorType } from './sensor.type.js';
import { TimeSeriesType } from './timeseries.type.js';
import { checkWindow } from './window.js';
import { UpstreamEnum } from './upstream-enum.js';

async function sensorOf(ctx: GatewayContext, connection: Connection): Promise<Sensor> {
  const sensor = await ctx.registry.get(connection.upstream).sensor(connection.sensorId);
  if (!sensor) throw badInput(`connection ${connection.id} has no sensor ${connection.sensorId} any more`);
  return sensor;
}

/** Most intervals one series may have: a longer window wants a coarser resolution. */
const MAX_SLOTS = 1_000_000;

function checkSlots(from: number, to: number, resolutionMs: number | null): number | null {
  if (resolutionMs !== null && (to - from) / resolutionMs > MAX_SLOTS) {
    throw badInput(
      `resolution: ${Math.ceil((to - from) / resolutionMs)} intervals is more than ${MAX_SLOTS}; ask for a coarser resolution or a shorter window`,
      {
        argument: 'resolution',
      },
    );
  }
  return resolutionMs;
}

/** Resolves a connection ID to its connection, or throws BAD_USER_INPUT naming what is wrong. */
export async function findConnection(ctx: GatewayContext, id: string, argument: string): Promise<Connection> {
  const { upstream } = ctx.registry.parse(id, 'connection', argument);
  const found = (await ctx.registry.get(upstream).capabilities.get(Connections)?.connection(id)) ?? null;
  if (!found) throw badInput(`${argument}: there is no connection "${id}" (list them with the connections query)`, { argument });
  return found;
}

@Resolver(() => ConnectionType)
export class ConnectionResolver {
  @Query(() => ConnectionPage, { nullable: true, description: 'Grid connections (FlexMeasures): charging stations, meters.' })
  async connections(
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('upstream', () => UpstreamEnum, { nullable: true }) upstream: UpstreamName | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 0 to 1000 (default 100).' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ConnectionPage> {
    const sources = ctx.registry.having(Connections, ctx.registry.select(upstream));
    const list = await collect(ctx, info, sources, (s) => s.capability.connections());
    return paginate(list, first, after) as ConnectionPage;
  }

  @Query(() => ConnectionType, {
    nullable: true,
    description: 'One connection by global ID; the entity address may be written `...:fm1.4` or `...:3:4`.',
  })
  connection(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<Connection> {
    return findConnection(ctx, id, 'id');
  }

  @FieldResolver(() => SensorType, { nullable: true, description: 'The power sensor behind the connection.' })
  sensor(@Root() c: Connection, @Ctx() ctx: GatewayContext): Promise<Sensor | null> {
    return ctx.registry.get(c.upstream).sensor(c.sensorId);
  }

  @FieldResolver(() => TimeSeriesType, {
    nullable: true,
    description:
      "Measured power over a window, on a regular time axis with nulls for gaps. The sign is the upstream's: v1_1 servers speak USEF (consumption positive, production negative); v3_0 servers keep the sensor's own convention (see Sensor.consumptionIsPositive). Intervals that start in [from, to) are included.",
  })
  async meterData(
    @Root() c: Connection,
    @Ctx() ctx: GatewayContext,
    @Arg('from', () => DateTimeScalar) from: number,
    @Arg('to', () => DateTimeScalar) to: number,
    @Arg('resolution', () => String, {
      nullable: true,
      description: 'ISO 8601 duration, a multiple of the sensor resolution (downsampling averages).',
    })
    resolution: string | null,
  ): Promise<TimeSeriesType> {
    checkWindow(from, to, ctx.config.maxWindowDays);
    const resolutionMs = checkSlots(from, to, durationArg(resolution, 'resolution'));
    const sensor = await sensorOf(ctx, c);
    const data = await ctx.loaders(c.upstream).series.load({ sensor: sensor.nativeId, from, to, resolutionMs, kind: 'meter' });
    return new TimeSeriesType(sensor, from, to, data, ctx.budget);
  }

  @FieldResolver(() => TimeSeriesType, {
    nullable: true,
    description:
      'Prognosed power over a window: beliefs formed at least `horizon` before each interval. Same sign convention as meterData.',
  })
  async prognosis(
    @Root() c: Connection,
    @Ctx() ctx: GatewayContext,
    @Arg('from', () => DateTimeScalar) from: number,
    @Arg('to', () => DateTimeScalar) to: number,
    @Arg('horizon', () => String, { nullable: true, description: 'ISO 8601 duration, e.g. PT6H.' }) horizon: string | null,
    @Arg('resolution', () => String, { nullable: true, description: 'ISO 8601 duration, a multiple of the sensor resolution.' })
    resolution: string | null,
  ): Promise<TimeSeriesType> {
    checkWindow(from, to, ctx.config.maxWindowDays);
    const horizonMs = durationArg(horizon, 'horizon', { allowNegative: true });
    const resolutionMs = checkSlots(from, to, durationArg(resolution, 'resolution'));
    const sensor = await sensorOf(ctx, c);
    const data = await ctx
      .loaders(c.upstream)
      .series.load({ sensor: sensor.nativeId, from, to, horizonMs, resolutionMs, kind: 'prognosis' });
    return new TimeSeriesType(sensor, from, to, data, ctx.budget);
  }
}
