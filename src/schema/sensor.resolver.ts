import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from './type-graphql.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import { Language, type LatestValue, type Location, type Parameter, type Sensor, type UpstreamName } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import { pickText } from '../shared/text.js';
import { DataStates, Statistics } from '../upstreams/capabilities.js';
import type { SeriesStats } from '../upstreams/series.js';
import { SensorStatsType } from './bucket.types.js';
import { collect } from './collect.js';
import { LocationType } from './location.type.js';
import { paginate } from './paginate.js';
import { ParameterType } from './parameter.type.js';
import { LatestValueType, SensorPage, SensorType } from './sensor.type.js';
import { TimeSeriesType } from './timeseries.type.js';
import { UpstreamEnum } from './upstream-enum.js';
import { SeriesArgs } from './series-args.js';
import { readSeries, seriesRequest } from './series-read.js';

/** Most sensors one timeSeries or frame query may ask for. */
export const MAX_SENSORS_PER_QUERY = 500;

/**
 * Runs `read` for each sensor ID, in order. Malformed IDs fail the whole field (the query is
 * wrong); unknown ones, and failed reads, only their own item (graphql-js makes it its error).
 */
export function eachSensor<T>(ctx: GatewayContext, sensorIds: string[], read: (sensor: Sensor) => Promise<T>): Promise<Array<T | Error>> {
  if (sensorIds.length > MAX_SENSORS_PER_QUERY) {
    throw badInput(`sensorIds: at most ${MAX_SENSORS_PER_QUERY} sensors per query (got ${sensorIds.length})`, { argument: 'sensorIds' });
  }
  sensorIds.forEach((id, i) => ctx.registry.parse(id, 'sensor', `sensorIds[${i}]`));
  return Promise.all(
    sensorIds.map(async (id, i) => {
      try {
        return await read(await findSensor(ctx, id, `sensorIds[${i}]`));
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
}

/** Resolves a sensor ID to its sensor, or throws BAD_USER_INPUT naming what is wrong. */
export async function findSensor(ctx: GatewayContext, id: string, argument: string): Promise<Sensor> {
  const { upstream, nativeId } = ctx.registry.parse(id, 'sensor', argument);
  const source = ctx.registry.get(upstream);
  const shape = source.validateSensorId(nativeId);
  if (shape) throw badInput(`${argument}: ${shape}`, { argument });
  const sensor = await source.sensor(id);
  if (!sensor) throw badInput(`${argument}: there is no sensor "${id}" (list them with the sensors query)`, { argument });
  return sensor;
}

@Resolver(() => SensorType)
export class SensorResolver {
  @Query(() => SensorPage, { nullable: true, description: 'Sensors, in the upstream order. Filters combine (AND).' })
  async sensors(
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('upstream', () => UpstreamEnum, { nullable: true, description: 'Only this upstream; all by default.' })
    upstream: UpstreamName | null,
    @Arg('locationId', () => ID, { nullable: true, description: 'Only sensors at this location.' })
    locationId: string | null,
    @Arg('parameterId', () => ID, { nullable: true, description: 'Only sensors measuring this parameter.' })
    parameterId: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 0 to 1000 (default 100).' })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: '`endCursor` of the previous page.' })
    after: string | null,
  ): Promise<SensorPage> {
    // A filter on a location or parameter of one upstream only reaches that upstream.
    const location = locationId ? ctx.registry.parse(locationId, 'location', 'locationId') : null;
    const parameter = parameterId ? ctx.registry.parse(parameterId, 'parameter', 'parameterId') : null;
    const scoped = upstream ?? location?.upstream ?? parameter?.upstream ?? null;
    for (const p of [location, parameter]) {
      if (p && p.upstream !== scoped) throw badInput('locationId, parameterId and upstream name different upstreams: nothing can match');
    }
    let list = await collect(ctx, info, ctx.registry.select(scoped), (a) => a.sensors());
    if (locationId) list = list.filter((s) => s.locationId === locationId);
    if (parameterId) list = list.filter((s) => s.parameterId === parameterId);
    return paginate(list, first, after) as SensorPage;
  }

  @Query(() => SensorType, { nullable: true, description: 'One sensor by global ID, e.g. `meetnet:sensor:MP7WVC`.' })
  sensor(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<Sensor> {
    return findSensor(ctx, id, 'id');
  }

  @Query(() => [TimeSeriesType], {
    nullable: 'itemsAndList',
    description:
      'One series per sensor ID, in the order asked, over one window. Series of one upstream are fetched together (one upstream call per window where the upstream allows). An unknown ID gives null at its place and an error naming it.',
  })
  async timeSeries(
    @Ctx() ctx: GatewayContext,
    @Arg('sensorIds', () => [ID]) sensorIds: string[],
    @Args(() => SeriesArgs) args: SeriesArgs,
  ): Promise<Array<TimeSeriesType | Error>> {
    const request = seriesRequest(args, ctx.config.maxWindowDays);
    return eachSensor(ctx, sensorIds, async (sensor) => {
      const read = await readSeries(ctx, sensor, request);
      return new TimeSeriesType(sensor, request.from, request.to, read.data, ctx.budget, read.unit);
    });
  }

  @FieldResolver(() => String, {
    description:
      'Location name and the series\' own name (else the parameter name), e.g. "Westhinder - Measuring pile: Average wind speed at 10 m", "Charging station 4: CS 4".',
  })
  async name(
    @Root() sensor: Sensor,
    @Ctx() ctx: GatewayContext,
    @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language,
  ): Promise<string> {
    const upstream = ctx.registry.get(sensor.upstream);
    const [loc, param] = await Promise.all([
      sensor.locationId ? upstream.location(sensor.locationId) : null,
      sensor.parameterId ? upstream.parameter(sensor.parameterId) : null,
    ]);
    // Upstreams that name their series (FlexMeasures: "power" under an asset) keep that name.
    const own = sensor.name?.trim() || null;
    const place = loc ? pickText(loc.name, language) : null;
    // A name that already says where it is stays as it is.
    if (own && place && own.toLowerCase().includes(place.toLowerCase())) return own;
    const parts = [place, own ?? (param && pickText(param.name, language))].filter(Boolean);
    return parts.length > 0 ? parts.join(': ') : sensor.nativeId;
  }

  @FieldResolver(() => LocationType, { nullable: true })
  location(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<Location | null> | null {
    return sensor.locationId ? ctx.registry.get(sensor.upstream).location(sensor.locationId) : null;
  }

  @FieldResolver(() => ParameterType, { nullable: true })
  parameter(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<Parameter | null> | null {
    return sensor.parameterId ? ctx.registry.get(sensor.upstream).parameter(sensor.parameterId) : null;
  }

  @FieldResolver(() => LatestValueType, {
    nullable: true,
    description: 'The most recent value, however old; null when the upstream has none at present.',
  })
  latest(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<LatestValue | null> {
    return ctx.loaders(sensor.upstream).latest.load(sensor.nativeId);
  }

  @FieldResolver(() => TimeSeriesType, { nullable: true, description: 'Values over a window [from, to), shaped as asked.' })
  async series(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext, @Args(() => SeriesArgs) args: SeriesArgs): Promise<TimeSeriesType> {
    const request = seriesRequest(args, ctx.config.maxWindowDays);
    const read = await readSeries(ctx, sensor, request);
    return new TimeSeriesType(sensor, request.from, request.to, read.data, ctx.budget, read.unit);
  }

  @FieldResolver(() => SensorStatsType, {
    nullable: true,
    description: 'First and last time, count, min, max, mean and standard deviation of all its data (BEMServer; null elsewhere).',
  })
  async stats(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<SeriesStats | null> {
    const statistics = ctx.registry.get(sensor.upstream).capabilities.get(Statistics);
    if (!statistics) return null;
    const loader = ctx.perRequest(`stats:${sensor.upstream}`, () => statistics.createStatsLoader({ batch: ctx.config.upstreamBatching }));
    return loader.load(sensor.nativeId);
  }

  @FieldResolver(() => [String], {
    nullable: true,
    description: 'Data states the series can be read in, the default first (BEMServer: Raw, Clean); null where the upstream has none.',
  })
  async dataStates(@Root() sensor: Sensor, @Ctx() ctx: GatewayContext): Promise<string[] | null> {
    const states = ctx.registry.get(sensor.upstream).capabilities.get(DataStates);
    return states ? states.dataStates() : null;
  }
}
