// Writes to FlexMeasures: meter data, prognoses, prices and weather data, checked before anything
// is sent and sent through the API generation the server speaks (v3_0 POST /sensors/<id>/data,
// or v1_1's post routes). A capability of the FlexMeasures upstream, reached by its own mutations.
import type { Connection, WriteOutcome } from '../../shared/domain.js';
import { badInput } from '../../shared/errors.js';
import { Capability } from '../capabilities.js';
import type { FmCatalog } from './catalog.js';
import type { FlexMeasuresClient } from './client.js';
import { fm1Address, V1_AUTHORITY } from './entity-address.js';
import { fmId, type FmSensor } from './mapping.js';
import type { V1PostRequest } from './wire.js';
import { horizonFor, prepareWrite } from './writes.js';

const HOUR_MS = 3_600_000;

/** The message type each kind of write is sent as, in either generation. */
const POST_TYPE = {
  meter: 'PostMeterDataRequest',
  prognosis: 'PostPrognosisRequest',
  price: 'PostPriceDataRequest',
  weather: 'PostWeatherDataRequest',
} as const;

export type FmWriteKind = 'meter' | 'prognosis' | 'price' | 'weather';

export interface FmWriteRequest {
  kind: FmWriteKind;
  /** Global ID of the connection (meter data, prognoses) or sensor (prices, weather) written to. */
  connectionId?: string | null;
  sensorId?: string | null;
  /** A market by name (prices), e.g. `epex_da`. */
  market?: string | null;
  /** A weather sensor by kind and position (v1_1 addresses them so). */
  weather?: { type: string; latitude: number; longitude: number } | null;
  startMs: number;
  values: Array<number | null>;
  resolutionMs?: number | null;
  durationMs?: number | null;
  unit: string;
  horizonMs?: number | null;
}

/** The capability: FlexMeasures-style writes. */
export const FlexMeasuresWrites = new Capability<FlexMeasuresWriter>('FlexMeasures writes');

/** What the writer needs of the upstream: its catalogue and its connections by ID. */
export interface WriteSource {
  catalog(): Promise<FmCatalog>;
  connection(id: string): Promise<Connection | null>;
}

export class FlexMeasuresWriter {
  constructor(
    private readonly client: FlexMeasuresClient,
    private readonly source: WriteSource,
  ) {}

  async write(request: FmWriteRequest): Promise<WriteOutcome> {
    const catalog = await this.source.catalog();
    const target = await this.writeTarget(catalog, request);
    const prepared = (() => {
      try {
        return prepareWrite({
          quantity: target.quantity,
          unit: request.unit,
          generation: catalog.generation,
          startMs: request.startMs,
          values: request.values,
          resolutionMs: request.resolutionMs ?? null,
          durationMs: request.durationMs ?? null,
          sensorResolutionMs: target.resolutionMs,
          sensorUnit: target.unit,
        });
      } catch (err) {
        throw badInput(err instanceof Error ? err.message : String(err), {
          argument: (err as { field?: string }).field ?? 'input',
        });
      }
    })();
    let horizon: string | undefined;
    try {
      horizon = horizonFor(catalog.generation, request.kind, request.horizonMs ?? null);
    } catch (err) {
      throw badInput(err instanceof Error ? err.message : String(err), { argument: 'horizon' });
    }
    const client = this.client;
    let answer;
    if (catalog.generation === 'v3_0') {
      answer = await client.postSensorData(target.nativeId!, {
        // v3_0 targets are always listed sensors
        values: prepared.values,
        start: prepared.start,
        duration: prepared.duration,
        unit: prepared.unit,
        ...(horizon ? { horizon } : {}),
        type: POST_TYPE[request.kind],
      });
    } else {
      const body: V1PostRequest = {
        type: POST_TYPE[request.kind],
        values: prepared.values as number[],
        start: prepared.start,
        duration: prepared.duration,
        unit: prepared.unit,
        ...(horizon ? { horizon } : {}),
      };
      if (request.kind === 'meter' || request.kind === 'prognosis') body.connection = target.address;
      else if (request.kind === 'price') body.market = target.address;
      else body.sensor = target.address;
      const route = ({ meter: 'postMeterData', prognosis: 'postPrognosis', price: 'postPriceData', weather: 'postWeatherData' } as const)[
        request.kind
      ];
      answer = await client.postV1(route, body);
    }
    return {
      status: answer.alreadyReceived ? 'ALREADY_RECEIVED' : 'PROCESSED',
      message: answer.message,
      sensorId: target.nativeId === null ? null : fmId('sensor', target.nativeId),
      valuesSent: prepared.values.length,
      upsampledBy: prepared.upsampledBy,
      apiVersion: catalog.generation,
    };
  }

  /** The sensor a write goes to, with what validation needs, and (v1_1) the address to name it by. */
  private async writeTarget(
    catalog: FmCatalog,
    r: FmWriteRequest,
  ): Promise<{ nativeId: string | null; quantity: string; resolutionMs: number; address: string; unit?: string }> {
    const fromSensor = (fm: FmSensor, address?: string) => ({
      nativeId: fm.sensor.nativeId,
      quantity: fm.quantity,
      resolutionMs: fm.resolutionMs, // 0 = instantaneous: prepareWrite takes one value over PT0H
      unit: fm.unit,
      address: address ?? fm.sensor.entityAddress ?? fm1Address(V1_AUTHORITY, Number(fm.sensor.nativeId)),
    });
    if (r.connectionId) {
      const c = await this.source.connection(r.connectionId);
      const fm = c ? catalog.fm.get(c.sensorId.split(':')[2]!) : undefined;
      if (!c || !fm)
        throw badInput(`connectionId: there is no connection "${r.connectionId}" (list them with the connections query)`, {
          argument: 'connectionId',
        });
      return fromSensor(fm, c.entityAddress);
    }
    if (r.sensorId) {
      const fm = catalog.fm.get(r.sensorId.split(':')[2] ?? '');
      if (!fm) throw badInput(`sensorId: there is no sensor "${r.sensorId}" (list them with the sensors query)`, { argument: 'sensorId' });
      const wanted = r.kind === 'price' ? 'price' : 'weather';
      if (wanted === 'price' ? fm.quantity !== 'price' : !['temperature', 'irradiance', 'wind speed'].includes(fm.quantity)) {
        throw badInput(`sensorId: ${r.sensorId} measures ${fm.quantity}, not ${wanted === 'price' ? 'prices' : 'weather'}`, {
          argument: 'sensorId',
        });
      }
      const address = r.kind === 'price' ? `${V1_AUTHORITY}:${fm.name}` : undefined;
      return fromSensor(fm, address);
    }
    if (r.market) {
      const fm = [...catalog.fm.values()].find((s) => s.quantity === 'price' && s.name === r.market);
      if (fm) return fromSensor(fm, `${V1_AUTHORITY}:${fm.name}`);
      if (catalog.generation === 'v1_1') {
        // v1_1 lists no markets: the server resolves the name itself (and rejects unknown ones).
        return { nativeId: null, quantity: 'price', resolutionMs: ownResolution(r, HOUR_MS), address: `${V1_AUTHORITY}:${r.market}` };
      }
      throw badInput(`market: there is no price sensor named "${r.market}"`, { argument: 'market' });
    }
    const w = r.weather!;
    const quantity = w.type; // WeatherKind values are FlexMeasures' own quantity names
    const locations = new Map(catalog.locations.map((l) => [l.id, l]));
    const fm = [...catalog.fm.values()].find((s) => {
      const pos = s.sensor.locationId ? locations.get(s.sensor.locationId)?.position : null;
      return s.quantity === quantity && pos && Math.abs(pos.latitude - w.latitude) < 1e-6 && Math.abs(pos.longitude - w.longitude) < 1e-6;
    });
    const address = `${V1_AUTHORITY}:${w.type}:${w.latitude}:${w.longitude}`;
    if (fm) return fromSensor(fm, address);
    if (catalog.generation === 'v1_1') return { nativeId: null, quantity, resolutionMs: ownResolution(r, HOUR_MS), address };
    throw badInput(`there is no ${w.type} sensor at latitude ${w.latitude}, longitude ${w.longitude}`, { argument: 'latitude' });
  }
}

/**
 * v1_1 lists no markets or weather sensors, so their resolution is unknown here: the values' own
 * (stated, or duration / count) is taken as is and the server upsamples or refuses (§3.12).
 * Without either, markets and weather stations are taken to be hourly, as FlexMeasures sets them up.
 */
function ownResolution(r: FmWriteRequest, fallbackMs: number): number {
  if (r.resolutionMs) return r.resolutionMs;
  if (r.durationMs && r.values.length > 0 && Number.isInteger(r.durationMs / r.values.length)) return r.durationMs / r.values.length;
  return fallbackMs;
}
