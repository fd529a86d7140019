import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { UpstreamName } from '../shared/domain.js';
import { badInput } from '../errors.js';
import { parseId } from '../shared/ids.js';
import type { WriteKind, WriteOutcome, WriteRequest } from '../upstreams/types.js';
import { durationArg } from './duration.js';
import { MeterDataInput, PriceDataInput, PrognosisInput, TimeseriesDataInput, WeatherDataInput, WriteResultType } from './write.types.js';

type SeriesFields = { start: number; values: number[]; resolution?: string | null; duration?: string | null; unit: string };

function base(kind: WriteKind, input: SeriesFields, horizon: string | null | undefined): WriteRequest {
  if (input.values.length === 0) throw badInput('values: send at least one value', { argument: 'values' });
  return {
    kind,
    startMs: input.start,
    values: input.values,
    resolutionMs: durationArg(input.resolution, 'resolution'),
    durationMs: durationArg(input.duration, 'duration'),
    unit: input.unit.trim(),
    horizonMs: durationArg(horizon, 'horizon', { allowNegative: true }),
  };
}

/** The upstream named by the target's ID; markets and weather positions are FlexMeasures'. */
function upstreamOf(request: WriteRequest): UpstreamName {
  if (request.connectionId) return parseId(request.connectionId, 'connection', 'connectionId').upstream;
  if (request.sensorId) return parseId(request.sensorId, 'sensor', 'sensorId').upstream;
  return UpstreamName.FLEXMEASURES;
}

async function send(ctx: GatewayContext, request: WriteRequest): Promise<WriteOutcome> {
  const upstream = upstreamOf(request);
  const adapter = ctx.registry.get(upstream);
  if (!adapter.write) throw badInput(`${upstream.toLowerCase()} does not take writes through this gateway`);
  return adapter.write(request);
}

@Resolver()
export class WriteResolver {
  @Mutation(() => WriteResultType, {
    description: 'Sends measured power of a connection (FlexMeasures postMeterData or POST /sensors/<id>/data).',
  })
  writeMeterData(@Ctx() ctx: GatewayContext, @Arg('input', () => MeterDataInput) input: MeterDataInput): Promise<WriteOutcome> {
    return send(ctx, { ...base('meter', input, input.horizon), connectionId: input.connectionId });
  }

  @Mutation(() => WriteResultType, { description: 'Sends a power prognosis of a connection, with its horizon.' })
  writePrognosis(@Ctx() ctx: GatewayContext, @Arg('input', () => PrognosisInput) input: PrognosisInput): Promise<WriteOutcome> {
    return send(ctx, { ...base('prognosis', input, input.horizon), connectionId: input.connectionId });
  }

  @Mutation(() => WriteResultType, { description: 'Sends prices for a market.' })
  writePriceData(@Ctx() ctx: GatewayContext, @Arg('input', () => PriceDataInput) input: PriceDataInput): Promise<WriteOutcome> {
    if (!input.sensorId === !input.market) throw badInput('name the market by exactly one of sensorId or market');
    return send(ctx, { ...base('price', input, input.horizon), sensorId: input.sensorId ?? null, market: input.market ?? null });
  }

  @Mutation(() => WriteResultType, {
    description:
      'Writes points of a BEMServer timeseries (POST /timeseries_data/). Upstream validation errors name their fields in extensions.fields.',
  })
  writeTimeseriesData(
    @Ctx() ctx: GatewayContext,
    @Arg('input', () => TimeseriesDataInput) input: TimeseriesDataInput,
  ): Promise<WriteOutcome> {
    return send(ctx, {
      kind: 'timeseries',
      sensorId: input.sensorId,
      dataState: input.dataState ?? null,
      startMs: input.points[0]?.time ?? 0,
      times: input.points.map((p) => p.time),
      values: input.points.map((p) => p.value),
      unit: '',
    });
  }

  @Mutation(() => WriteResultType, { description: 'Sends weather observations or forecasts for a weather sensor.' })
  writeWeatherData(@Ctx() ctx: GatewayContext, @Arg('input', () => WeatherDataInput) input: WeatherDataInput): Promise<WriteOutcome> {
    const byPosition = input.kind != null || input.latitude != null || input.longitude != null;
    if (!!input.sensorId === byPosition)
      throw badInput('name the weather sensor by sensorId, or by kind, latitude and longitude (not both)');
    if (byPosition && (input.kind == null || input.latitude == null || input.longitude == null)) {
      throw badInput('kind, latitude and longitude go together');
    }
    const request: WriteRequest = {
      ...base('weather', input, input.horizon),
      sensorId: input.sensorId ?? null,
      weather: byPosition ? { type: input.kind!, latitude: input.latitude!, longitude: input.longitude! } : null,
    };
    return send(ctx, request);
  }
}
