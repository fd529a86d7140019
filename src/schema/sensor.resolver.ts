import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from './type-graphql.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import { Language, type LatestValue, type Location, type Parameter, type Sensor, type UpstreamName } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import { pickText } from '../shared/text.js';
import { Buckets, DataStates, Statistics } from '../upstreams/capabilities.js';
import type { SeriesStats } from '../upstreams/series.js';
import { BucketInput, SensorStatsType, toSeriesBucket } from './bucket.types.js';
import { collect } from './collect.js';
import { LocationType } from './location.type.js';
import { paginate } from './paginate.js';
import { ParameterType } from './parameter.type.js';
import { DateTimeScalar } from './scalars.js';
import { LatestValueType, SensorPage, SensorType } from './sensor.type.js';
import { TimeSeriesType } from './timeseries.type.js';
import { UpstreamEnum } from './upstream-enum.js';
import { checkWindow } from './window.js';

/** Most sensors one timeSeries query may ask for. */
export const MAX_SENSORS_PER_QUERY = 500;

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

interface SeriesArgs {
  bucket?: BucketInput | null;
  dataState?: string | null;
}

async function loadSeries(ctx: GatewayContext, sensor: Sensor, from: number, to: number, args: SeriesArgs = {}): Promise<TimeSeriesType> {
  const upstream = ctx.registry.get(sensor.upstream);
  const bucket = toSeriesBucket(args.bucket);
  // Buckets and data states only where the upstream has them; elsewhere they would be silently ignored.
  if (bucket) {
    if (!(bucket.widthValue >= 1 && bucket.widthValue <= 1_000_000))
      throw badInput('bucket.width must be between 1 and 1000000', { argument: 'bucket' });
    const buckets = upstream.capabilities.get(Buckets);
    if (!buckets)
      throw badInput(`bucket is available for sensors whose upstream aggregates (${sensor.id} is not one)`, { argument: 'bucket' });
    const refused = buckets.refuseBucket(bucket);
    if (refused) throw badInput(`bucket: ${refused}`, { argument: 'bucket' });
  }
  if (args.dataState && !upstream.capabilities.get(DataStates)) {
    throw badInput(`dataState is available for sensors whose upstream keeps data states (${sensor.id} is not one)`, {
      argument: 'dataState',
    });
  }
  const data = await ctx
    .loaders(sensor.upstream)
    .series.load({ sensor: sensor.nativeId, from, to, bucket, dataState: args.dataState ?? null });
  return new TimeSeriesType(sensor, from, to, data, ctx.budget);
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
    @Arg('from', () => DateTimeScalar, { description: 'Start, inclusive.' }) from: number,
    @Arg('to', () => DateTimeScalar, { description: 'End, inclusive.' }) to: number,
    @Arg('bucket', () => BucketInput, { nullable: true, description: 'Aggregate into buckets (BEMServer sensors only).' })
    bucket: BucketInput | null,
    @Arg('dataState', () => String, { nullable: true, description: 'Data state, e.g. Raw or Clean (BEMServer sensors only; default Raw).' })
    dataState: string | null,
  ): Promise<Array<TimeSeriesType | Error>> {
    if (sensorIds.length > MAX_SENSORS_PER_QUERY) {
      throw badInput(`sensorIds: at most ${MAX_SENSORS_PER_QUERY} sensors per query (got ${sensorIds.length})`, {
        argument: 'sensorIds',
      });
    }
    checkWindow(from, to, ctx.config.maxWindowDays);
    // Malformed IDs fail the whole field (the query is wrong); unknown ones only their own item.
    sensorIds.forEach((id, i) => ctx.registry.parse(id, 'sensor', `sensorIds[${i}]`));
    return Promise.all(
      sensorIds.map(async (id, i) => {
        try {
          return await loadSeries(ctx, await findSensor(ctx, id, `sensorIds[${i}]`), from, to, { bucket, dataState });
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err)); // graphql-js turns it into this item's error
        }
      }),
    );
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

  @FieldResolver(() => TimeSeriesType, { nullable: true, description: 'Values over a window; both ends inclusive.' })
  series(
    @Root() sensor: Sensor,
    @Ctx() ctx: GatewayContext,
    @Arg('from', () => DateTimeScalar) from: number,
    @Arg('to', () => DateTimeScalar) to: number,
    @Arg('bucket', () => BucketInput, { nullable: true, description: 'Aggregate into buckets (BEMServer sensors only).' })
    bucket: BucketInput | null,
    @Arg('dataState', () => String, { nullable: true, description: 'Data state, e.g. Raw or Clean (BEMServer sensors only; default Raw).' })
    dataState: string | null,
  ): Promise<TimeSeriesType> {
    checkWindow(from, to, ctx.config.maxWindowDays);
    return loadSeries(ctx, sensor, from, to, { bucket, dataState });
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
