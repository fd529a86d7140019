// FlexMeasures' write mutations: meter data and prognoses of a connection, prices of a market,
// weather data. Checked here for shape, then by the writer against the sensor, then sent.
import { Arg, Ctx, Mutation, Resolver } from '../../../schema/type-graphql.js';
import type { GatewayContext } from '../../../context.js';
import { requireCapability } from '../../../schema/capability.js';
import { durationArg } from '../../../schema/duration.js';
import { forgetWritten } from '../../../schema/write-forget.js';
import { WriteResultType } from '../../../schema/write-result.type.js';
import type { WriteOutcome } from '../../../shared/domain.js';
import { badInput } from '../../../shared/errors.js';
import { FlexMeasuresWrites, type FmWriteKind, type FmWriteRequest } from '../writer.js';
import { MeterDataInput, PriceDataInput, PrognosisInput, WeatherDataInput } from './inputs.js';

type SeriesFields = { start: number; values: number[]; resolution?: string | null; duration?: string | null; unit: string };

function base(kind: FmWriteKind, input: SeriesFields, horizon: string | null | undefined): FmWriteRequest {
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

/** Sends to the upstream the target's ID names; markets and weather positions go to the (first) upstream that takes such writes. */
async function send(ctx: GatewayContext, request: FmWriteRequest): Promise<WriteOutcome> {
  const [argument, kind, id] = request.connectionId
    ? (['connectionId', 'connection', request.connectionId] as const)
    : (['sensorId', 'sensor', request.sensorId] as const);
  const upstream = id ? ctx.registry.parse(id, kind, argument).upstream : ctx.registry.having(FlexMeasuresWrites)[0]?.upstream.name;
  if (!upstream) throw badInput('no upstream of this gateway takes FlexMeasures writes');
  return forgetWritten(ctx, await requireCapability(ctx, upstream, FlexMeasuresWrites, argument).write(request), request.startMs);
}

@Resolver()
export class FlexMeasuresWriteResolver {
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

  @Mutation(() => WriteResultType, { description: 'Sends weather observations or forecasts for a weather sensor.' })
  writeWeatherData(@Ctx() ctx: GatewayContext, @Arg('input', () => WeatherDataInput) input: WeatherDataInput): Promise<WriteOutcome> {
    const byPosition = input.kind != null || input.latitude != null || input.longitude != null;
    if (!!input.sensorId === byPosition)
      throw badInput('name the weather sensor by sensorId, or by kind, latitude and longitude (not both)');
    if (byPosition && (input.kind == null || input.latitude == null || input.longitude == null)) {
      throw badInput('kind, latitude and longitude go together');
    }
    return send(ctx, {
      ...base('weather', input, input.horizon),
      sensorId: input.sensorId ?? null,
      weather: byPosition ? { type: input.kind!, latitude: input.latitude!, longitude: input.longitude! } : null,
    });
  }
}
