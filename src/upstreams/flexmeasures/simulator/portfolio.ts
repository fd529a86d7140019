// The simulated portfolio: the account, its EV charging hubs and stations, the solar park, and the
// public market and weather station, with the sensors each of them carries.
import type { SimSeriesSpec } from './data.js';
import { HOUR, MINUTE } from './time.js';

/** Authority of the addresses this server generates: host company.flexmeasures.io, auth start 2021-01 (§2.7). */
export const AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';

export type Kind = SimSeriesSpec['kind'];

export interface SimSensor {
  id: number;
  name: string;
  unit: string;
  resolutionMs: number;
  assetId: number;
  kind: Kind;
  spec: SimSeriesSpec;
  attributes: Record<string, unknown>;
  /** Database sign: EV chargers only consume (≤ 0), the solar park only produces (≥ 0) (§3.7). */
  strictly: 'non-positive' | 'non-negative' | null;
  /** Weather sensor type name as v1_1 addresses it (`wind speed`), markets by sensor name. */
  weatherType?: string;
}

export interface SimAsset {
  id: number;
  name: string;
  description: string | null;
  accountId: number | null;
  latitude: number | null;
  longitude: number | null;
  type: { id: number; name: string };
  parentId: number | null;
}

export const ACCOUNT = { id: 1, name: 'Simulated Charging Co' };
export const OTHER_ACCOUNT = { id: 2, name: 'Other Co' };
const TYPES = {
  hub: { id: 1, name: 'charge_point_hub' },
  cp: { id: 2, name: 'one-way_evse' },
  solar: { id: 3, name: 'solar' },
  market: { id: 4, name: 'day_ahead' },
  weather: { id: 5, name: 'weather_station' },
  process: { id: 6, name: 'process' },
};

export function buildPortfolio(chargers: number): { assets: SimAsset[]; sensors: SimSensor[] } {
  const assets: SimAsset[] = [];
  const sensors: SimSensor[] = [];
  const hubs = [
    { id: 100, name: 'Charging hub Zeebrugge', latitude: 51.3298, longitude: 3.2053 },
    { id: 101, name: 'Charging hub Antwerpen-Noord', latitude: 51.2587, longitude: 4.4163 },
  ];
  for (const h of hubs) {
    assets.push({
      ...h,
      description: 'Public EV charging hub with 22 kW chargers',
      accountId: ACCOUNT.id,
      type: TYPES.hub,
      parentId: null,
    });
  }
  for (let n = 1; n <= chargers; n++) {
    const hub = hubs[(n - 1) % hubs.length]!;
    const assetId = n; // charging station n owns power sensor n, named "CS n" as in the upstream's tests
    assets.push({
      id: assetId,
      name: `Charging station ${n}`,
      description: null,
      accountId: ACCOUNT.id,
      latitude: Number((hub.latitude + 0.0001 * n).toFixed(7)),
      longitude: hub.longitude,
      type: TYPES.cp,
      parentId: hub.id,
    });
    sensors.push({
      id: n,
      name: `CS ${n}`,
      unit: 'MW',
      resolutionMs: 15 * MINUTE,
      assetId,
      kind: 'ev',
      spec: { kind: 'ev', seed: n },
      attributes: { capacity_in_mw: 0.022 },
      strictly: 'non-positive',
    });
  }
  const solarAsset = { id: 200, name: 'Solar park Oostende', latitude: 51.2154, longitude: 2.9287 };
  assets.push({ ...solarAsset, description: '12 MWp ground-mounted PV', accountId: ACCOUNT.id, type: TYPES.solar, parentId: null });
  const solarId = chargers + 1;
  sensors.push({
    id: solarId,
    name: 'Solar park Oostende',
    unit: 'MW',
    resolutionMs: 15 * MINUTE,
    assetId: 200,
    kind: 'solar',
    spec: { kind: 'solar', seed: solarId, latitude: solarAsset.latitude, longitude: solarAsset.longitude, capacityMw: 12 },
    attributes: { capacity_in_mw: 12, consumption_is_positive: false },
    strictly: 'non-negative',
  });
  // Public assets (account_id null): the market and the weather station (§4.7 include_public).
  assets.push({
    id: 300,
    name: 'EPEX SPOT day-ahead',
    description: 'Day-ahead market NL',
    accountId: null,
    latitude: null,
    longitude: null,
    type: TYPES.market,
    parentId: null,
  });
  const priceId = chargers + 2;
  sensors.push({
    id: priceId,
    name: 'epex_da',
    unit: 'EUR/MWh',
    resolutionMs: HOUR,
    assetId: 300,
    kind: 'price',
    spec: { kind: 'price', seed: priceId },
    attributes: {},
    strictly: null,
  });
  const station = { id: 400, name: 'Weather station Vlissingen', latitude: 51.442, longitude: 3.596 };
  assets.push({ ...station, description: 'KNMI 310 (simulated)', accountId: null, type: TYPES.weather, parentId: null });
  const weather: Array<{ kind: Kind; name: string; unit: string; type: string }> = [
    { kind: 'temperature', name: 'temperature', unit: '°C', type: 'temperature' },
    { kind: 'irradiance', name: 'irradiance', unit: 'kW/m²', type: 'irradiance' },
    { kind: 'wind', name: 'wind speed', unit: 'm/s', type: 'wind speed' },
  ];
  weather.forEach((w, i) => {
    const id = chargers + 3 + i;
    sensors.push({
      id,
      name: w.name,
      unit: w.unit,
      resolutionMs: HOUR,
      assetId: station.id,
      kind: w.kind,
      spec: { kind: w.kind, seed: id, latitude: station.latitude, longitude: station.longitude },
      attributes: {},
      strictly: null,
      weatherType: w.type,
    });
  });
  // Another company's plant on the same server: the service account may neither read nor write it
  // (403 INVALID_SENDER), and no list shows it (real server, conformance suite).
  assets.push({ ...OTHER_PLANT, description: null, accountId: OTHER_ACCOUNT.id, type: TYPES.process, parentId: null });
  sensors.push({
    id: chargers + 6,
    name: 'plant meter',
    unit: 'kW',
    resolutionMs: 15 * MINUTE,
    assetId: OTHER_PLANT.id,
    kind: 'solar',
    spec: { kind: 'solar', seed: chargers + 6, latitude: OTHER_PLANT.latitude, longitude: OTHER_PLANT.longitude, capacityMw: 1 },
    attributes: {},
    strictly: null,
  });
  return { assets, sensors };
}

const OTHER_PLANT = { id: 500, name: 'Other Co plant', latitude: 51.05, longitude: 3.73 };
