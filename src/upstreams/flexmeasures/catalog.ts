// The FlexMeasures catalogue: which API generation the server speaks (GET /api), and its sensors,
// assets and grid connections in the gateway's model, read once and cached by the adapter.
import type { Connection, Location, Parameter } from '../../shared/domain.js';
import { ErrorCode, GatewayError } from '../../shared/errors.js';
import type { FlexMeasuresClient } from './client.js';
import { fm1Address, V1_AUTHORITY } from './entity-address.js';
import { FLEXMEASURES, fmId, parametersOf, type FlexMeasuresSensor, type FmSensor } from './mapping.js';
import type { ApiVersion } from './wire.js';

/** v1_1 getConnection does not give resolutions; FlexMeasures power sensors are 15-minute by default. */
export const V1_DEFAULT_RESOLUTION_MS = 15 * 60_000;

export type FlexMeasuresApiSetting = 'auto' | ApiVersion;

export interface FmCatalog {
  generation: ApiVersion;
  serverVersion: string | null;
  sensors: FlexMeasuresSensor[];
  fm: Map<string, FmSensor>; // by native sensor id
  locations: Location[];
  parameters: Parameter[];
  connections: Connection[];
  sensorById: Map<string, FlexMeasuresSensor>;
  locationById: Map<string, Location>;
  parameterById: Map<string, Parameter>;
  connectionBySensor: Map<string, Connection>; // by native sensor id
  /** v1_1 answers name series by sensor name (§3.5). */
  idByName: Map<string, number>;
}

/** The API generation: forced by configuration, else v3_0 when `GET /api` offers it, else v1_1. */
async function chooseGeneration(
  client: FlexMeasuresClient,
  setting: FlexMeasuresApiSetting,
): Promise<{ generation: ApiVersion; serverVersion: string | null }> {
  const versions = await client.versions().catch((err: unknown) => {
    if (setting !== 'auto') return null; // forced: the listing is only informative
    throw err;
  });
  const serverVersion = versions?.flexmeasures_version ?? null;
  if (setting !== 'auto') return { generation: setting, serverVersion };
  const generation = pickGeneration(versions!.versions, serverVersion);
  if (generation) return { generation, serverVersion };
  throw new GatewayError(
    ErrorCode.UPSTREAM_BAD_RESPONSE,
    `FlexMeasures offers neither v3_0 nor v1_1 (it offers ${versions!.versions.join(', ') || 'nothing'})`,
    { upstream: FLEXMEASURES },
  );
}

/** Reads the whole catalogue in the generation the server speaks (or the one configured). */
export async function loadFmCatalog(client: FlexMeasuresClient, setting: FlexMeasuresApiSetting): Promise<FmCatalog> {
  const { generation, serverVersion } = await chooseGeneration(client, setting);
  let fmSensors: FmSensor[];
  let locations: Location[] = [];
  let connections: Connection[];
  if (generation === 'v3_0') {
    [fmSensors, locations] = await Promise.all([client.sensors(), client.assets()]);
    // Power sensors are the grid connections; their fm1 address names them.
    connections = fmSensors
      .filter((s) => s.quantity === 'power')
      .map((s) => connectionOf(s.sensor.nativeId, s.sensor.entityAddress ?? fm1Address(V1_AUTHORITY, Number(s.sensor.nativeId)), s.name));
  } else {
    const listed = await client.getConnection();
    fmSensors = listed.map((c) => v1Sensor(c.sensorId, c.name, c.entityAddress));
    connections = listed.map((c) => connectionOf(String(c.sensorId), c.entityAddress, c.name));
  }
  const sensors = fmSensors.map((s) => s.sensor);
  const parameters = parametersOf(fmSensors);
  return {
    generation,
    serverVersion,
    sensors,
    fm: new Map(fmSensors.map((s) => [s.sensor.nativeId, s])),
    locations,
    parameters,
    connections,
    sensorById: new Map(sensors.map((s) => [s.id, s])),
    locationById: new Map(locations.map((l) => [l.id, l])),
    parameterById: new Map(parameters.map((p) => [p.id, p])),
    connectionBySensor: new Map(connections.map((c) => [c.sensorId.split(':')[2]!, c])),
    idByName: new Map(fmSensors.map((s) => [s.name, Number(s.sensor.nativeId)])),
  };
}

/**
 * v3_0 when offered, v1_1 otherwise. Servers 0.9–0.27 list v3_0 without `/sensors/<id>/data`
 * (added in 0.28, §1): there v1_1 is used while it is still offered (up to 0.12).
 */
export function pickGeneration(versions: string[], serverVersion: string | null): ApiVersion | null {
  const v3 = versions.includes('v3_0');
  const v1 = versions.includes('v1_1');
  const m = serverVersion ? /^(\d+)\.(\d+)/.exec(serverVersion) : null;
  const hasSensorData = !m || Number(m[1]) > 0 || Number(m[2]) >= 28;
  if (v3 && (hasSensorData || !v1)) return 'v3_0';
  if (v1) return 'v1_1';
  return null;
}

function connectionOf(nativeSensorId: string, entityAddress: string, name: string): Connection {
  return {
    id: fmId('connection', entityAddress),
    upstream: FLEXMEASURES,
    entityAddress,
    name,
    sensorId: fmId('sensor', nativeSensorId),
  };
}

/** A sensor as v1_1 knows it: only what getConnection tells (power in MW, USEF sign). */
function v1Sensor(id: number, name: string, entityAddress: string): FmSensor {
  return {
    sensor: {
      id: fmId('sensor', String(id)),
      upstream: FLEXMEASURES,
      nativeId: String(id),
      locationId: null,
      parameterId: fmId('parameter', 'power:MW'),
      unit: 'MW',
      intervalMinutes: V1_DEFAULT_RESOLUTION_MS / 60_000,
      name,
      timezone: null,
      entityAddress,
      consumptionIsPositive: true, // USEF: consumption positive (§3.5)
    },
    resolutionMs: V1_DEFAULT_RESOLUTION_MS,
    unit: 'MW',
    name,
    quantity: 'power',
  };
}
