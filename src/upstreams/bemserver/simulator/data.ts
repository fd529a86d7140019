// Deterministic data of the BEMServer simulator (contract: CONTRACT.md): the
// portfolio (campaign, sites, buildings, storeys, spaces, zones, timeseries and their links), the
// value models of the generated 10-minute series, their gaps, and a small unit registry standing in
// for pint (§6.1 units, §7.2 convert_to). The same (series, instant) always gives the same value: no
// state, no Math.random. The allowed time zones are the server's own list (../timezones.ts).
import { hash01, noise } from '../../../simulators/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TWO_PI = Math.PI * 2;
/** Every generated series has one value per 10 minutes, on the grid aligned to the epoch. */
export const STEP_MS = 10 * MINUTE;

// ---------------------------------------------------------------- units (pint stand-in, §6.1)

export interface UnitInfo {
  /** pint's name, as its error messages spell it. */
  pint: string;
  /** pint's dimensionality text. */
  dim: string;
  /** Value in the base unit of the dimension = value × factor + offset. */
  factor: number;
  offset: number;
}

const DIM = {
  none: 'dimensionless',
  energy: '[length] ** 2 * [mass] / [time] ** 2',
  power: '[length] ** 2 * [mass] / [time] ** 3',
  temperature: '[temperature]',
  degreeTime: '[temperature] * [time]',
  length: '[length]',
  area: '[length] ** 2',
  volume: '[length] ** 3',
  flow: '[length] ** 3 / [time]',
  time: '[time]',
  mass: '[mass]',
  pressure: '[mass] / [length] / [time] ** 2',
  speed: '[length] / [time]',
  irradiance: '[mass] / [time] ** 3',
  current: '[current]',
  voltage: '[length] ** 2 * [mass] / [current] / [time] ** 3',
  frequency: '1 / [time]',
  illuminance: '[luminosity] / [length] ** 2',
  concentration: '[mass] / [length] ** 3',
  angle: 'dimensionless',
};

const UNITS = new Map<string, UnitInfo>();

function defUnit(symbols: string[], pint: string, dim: string, factor: number, offset = 0): void {
  for (const s of symbols) UNITS.set(s, { pint, dim, factor, offset });
}

defUnit(['', 'dimensionless'], 'dimensionless', DIM.none, 1);
defUnit(['count'], 'count', DIM.none, 1);
defUnit(['ratio'], 'ratio', DIM.none, 1);
defUnit(['%', 'percent'], 'percent', DIM.none, 0.01);
defUnit(['ppm'], 'parts_per_million', DIM.none, 1e-6);
defUnit(['ppb'], 'parts_per_billion', DIM.none, 1e-9);
defUnit(['J', 'joule'], 'joule', DIM.energy, 1);
defUnit(['kJ', 'kilojoule'], 'kilojoule', DIM.energy, 1e3);
defUnit(['MJ', 'megajoule'], 'megajoule', DIM.energy, 1e6);
defUnit(['GJ', 'gigajoule'], 'gigajoule', DIM.energy, 1e9);
defUnit(['Wh', 'watt_hour'], 'watt_hour', DIM.energy, 3600);
defUnit(['kWh', 'kilowatt_hour'], 'kilowatt_hour', DIM.energy, 3.6e6);
defUnit(['MWh', 'megawatt_hour'], 'megawatt_hour', DIM.energy, 3.6e9);
defUnit(['GWh', 'gigawatt_hour'], 'gigawatt_hour', DIM.energy, 3.6e12);
defUnit(['W', 'watt'], 'watt', DIM.power, 1);
defUnit(['kW', 'kilowatt'], 'kilowatt', DIM.power, 1e3);
defUnit(['MW', 'megawatt'], 'megawatt', DIM.power, 1e6);
defUnit(['GW', 'gigawatt'], 'gigawatt', DIM.power, 1e9);
defUnit(['VA'], 'volt_ampere', DIM.power, 1);
defUnit(['kVA'], 'kilovolt_ampere', DIM.power, 1e3);
defUnit(['°C', 'degC', 'degree_Celsius', 'celsius'], 'degree_Celsius', DIM.temperature, 1, 273.15);
defUnit(['°F', 'degF', 'degree_Fahrenheit', 'fahrenheit'], 'degree_Fahrenheit', DIM.temperature, 5 / 9, 273.15 - (32 * 5) / 9);
defUnit(['K', 'kelvin'], 'kelvin', DIM.temperature, 1);
defUnit(['delta_degC', 'Δ°C'], 'delta_degree_Celsius', DIM.temperature, 1);
// bemserver-core's own units (S3 common/units.txt): degree hours and degree days.
defUnit(['°C_HDH'], '°C_HDH', DIM.degreeTime, 3600);
defUnit(['°C_HDD'], '°C_HDD', DIM.degreeTime, 86400);
defUnit(['°F_HDH'], '°F_HDH', DIM.degreeTime, 3600 * (5 / 9));
defUnit(['°F_HDD'], '°F_HDD', DIM.degreeTime, 86400 * (5 / 9));
defUnit(['m', 'meter', 'metre'], 'meter', DIM.length, 1);
defUnit(['mm', 'millimeter'], 'millimeter', DIM.length, 1e-3);
defUnit(['cm', 'centimeter'], 'centimeter', DIM.length, 1e-2);
defUnit(['km', 'kilometer'], 'kilometer', DIM.length, 1e3);
defUnit(['m²', 'm2', 'm**2', 'm^2'], 'meter ** 2', DIM.area, 1);
defUnit(['m³', 'm3', 'm**3', 'm^3'], 'meter ** 3', DIM.volume, 1);
defUnit(['L', 'l', 'liter', 'litre'], 'liter', DIM.volume, 1e-3);
defUnit(['m³/h', 'm3/h'], 'meter ** 3 / hour', DIM.flow, 1 / 3600);
defUnit(['L/s', 'l/s'], 'liter / second', DIM.flow, 1e-3);
defUnit(['s', 'second'], 'second', DIM.time, 1);
defUnit(['min', 'minute'], 'minute', DIM.time, 60);
defUnit(['h', 'hour'], 'hour', DIM.time, 3600);
defUnit(['d', 'day'], 'day', DIM.time, 86400);
defUnit(['g', 'gram'], 'gram', DIM.mass, 1e-3);
defUnit(['kg', 'kilogram'], 'kilogram', DIM.mass, 1);
defUnit(['t', 'tonne'], 'metric_ton', DIM.mass, 1e3);
defUnit(['Pa', 'pascal'], 'pascal', DIM.pressure, 1);
defUnit(['hPa'], 'hectopascal', DIM.pressure, 100);
defUnit(['kPa'], 'kilopascal', DIM.pressure, 1e3);
defUnit(['bar'], 'bar', DIM.pressure, 1e5);
defUnit(['mbar'], 'millibar', DIM.pressure, 100);
defUnit(['m/s'], 'meter / second', DIM.speed, 1);
defUnit(['km/h', 'kph'], 'kilometer / hour', DIM.speed, 1 / 3.6);
defUnit(['W/m²', 'W/m2'], 'watt / meter ** 2', DIM.irradiance, 1);
defUnit(['A', 'ampere'], 'ampere', DIM.current, 1);
defUnit(['V', 'volt'], 'volt', DIM.voltage, 1);
defUnit(['Hz', 'hertz'], 'hertz', DIM.frequency, 1);
defUnit(['lx', 'lux'], 'lux', DIM.illuminance, 1);
defUnit(['µg/m³', 'ug/m3'], 'microgram / meter ** 3', DIM.concentration, 1e-9);
defUnit(['°', 'deg', 'degree'], 'degree', DIM.angle, Math.PI / 180);

/** A symbol the registry knows (what `UnitSymbol` accepts, §6.1); null: "Undefined unit.". */
export function unitInfo(symbol: string): UnitInfo | null {
  return UNITS.get(symbol) ?? UNITS.get(symbol.trim()) ?? null;
}

export type Conversion = { scale: number; shift: number } | { error: string };

/**
 * from → to as `to = from × scale + shift`, or pint's DimensionalityError text (§7.2, §7.9:
 * "Cannot convert from 'meter' ([length]) to 'watt_hour' (…)"). Both symbols must be known.
 */
export function conversion(from: string, to: string): Conversion {
  const a = unitInfo(from);
  const b = unitInfo(to);
  if (!a || !b) return { error: `'${from || to}' is not defined in the unit registry` };
  if (a.dim !== b.dim) return { error: `Cannot convert from '${a.pint}' (${a.dim}) to '${b.pint}' (${b.dim})` };
  if (a.offset === 0 && b.offset === 0) return { scale: a.factor / b.factor, shift: 0 };
  return { scale: a.factor / b.factor, shift: (a.offset - b.offset) / b.factor };
}

// ---------------------------------------------------------------- local time of the campaign (Europe/Paris)

function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0, 1); // 01:00 UTC, the EU switch instant
  return lastDay - new Date(lastDay).getUTCDay() * DAY;
}

let cachedYearStart = 0;
let cachedYearEnd = 0;
let cachedDst: [number, number] = [0, 0];

function loadYear(t: number): void {
  const year = new Date(t).getUTCFullYear();
  cachedYearStart = Date.UTC(year, 0, 1);
  cachedYearEnd = Date.UTC(year + 1, 0, 1);
  cachedDst = [lastSundayUtc(year, 2), lastSundayUtc(year, 9)];
}

/** UTC offset of Europe/Paris (EU rules): the buildings live by it, whatever timezone a request asks for. */
export function parisOffsetMs(t: number): number {
  if (!(t >= cachedYearStart && t < cachedYearEnd)) loadYear(t);
  return t >= cachedDst[0] && t < cachedDst[1] ? 2 * HOUR : HOUR;
}

/** Fractional day of the (UTC) year, 0 at Jan 1st. */
function dayOfYear(t: number): number {
  if (!(t >= cachedYearStart && t < cachedYearEnd)) loadYear(t);
  return (t - cachedYearStart) / DAY;
}

/** 0 in mid-January, 1 in mid-July. */
function summerness(t: number): number {
  return (1 - Math.cos((TWO_PI * (dayOfYear(t) - 15)) / 365.25)) / 2;
}

// French public holidays with a fixed date, and the Christmas week: the buildings are empty.
const HOLIDAYS = new Set([
  '01-01',
  '05-01',
  '05-08',
  '07-14',
  '08-15',
  '11-01',
  '11-11',
  '12-25',
  '12-26',
  '12-27',
  '12-28',
  '12-29',
  '12-30',
  '12-31',
]);
const workdayCache = new Map<number, boolean>();

/** Monday–Friday and not a holiday, for a local day number (days since 1970-01-01 local). */
function isWorkday(localDay: number): boolean {
  let w = workdayCache.get(localDay);
  if (w === undefined) {
    const d = new Date(localDay * DAY);
    const dow = d.getUTCDay();
    w = dow >= 1 && dow <= 5 && !HOLIDAYS.has(d.toISOString().slice(5, 10));
    if (workdayCache.size > 100_000) workdayCache.clear();
    workdayCache.set(localDay, w);
  }
  return w;
}

interface LocalTime {
  day: number;
  hour: number;
  workday: boolean;
}

function localTime(t: number): LocalTime {
  const local = t + parisOffsetMs(t);
  const day = Math.floor(local / DAY);
  return { day, hour: (local - day * DAY) / HOUR, workday: isWorkday(day) };
}

function smoothstep(x: number): number {
  const c = x <= 0 ? 0 : x >= 1 ? 1 : x;
  return c * c * (3 - 2 * c);
}

// ---------------------------------------------------------------- value models

export type OccupancyPattern = 'office' | 'meeting' | 'cafeteria' | 'lobby' | 'lab';

export interface Climate {
  seed: number;
  /** Annual mean (°C), half the summer–winter swing, half the day–night swing. */
  mean: number;
  amplitude: number;
  diurnal: number;
  longitude: number;
}

export type SeriesModel =
  | { kind: 'outdoor_temperature'; seed: number; climate: Climate }
  | { kind: 'outdoor_humidity'; seed: number; climate: Climate }
  | { kind: 'indoor_temperature'; seed: number; climate: Climate; occupancy: OccupancyPattern; occSeed: number }
  | { kind: 'co2'; seed: number; occupancy: OccupancyPattern; occSeed: number; capacityPpm: number }
  | { kind: 'humidity'; seed: number; occupancy: OccupancyPattern; occSeed: number }
  | { kind: 'electricity'; seed: number; climate: Climate; occSeed: number; baseKw: number; peakKw: number }
  | { kind: 'heat'; seed: number; climate: Climate; uaKwPerK: number };

export type SeriesKind = SeriesModel['kind'] | 'manual';

/** Office day shape: arrivals 7:30–9:00, a lunch dip, departures 17:00–19:00 (0 outside). */
function officeShape(h: number): number {
  if (h < 7.5 || h >= 19) return 0;
  const arrive = smoothstep((h - 7.5) / 1.5);
  const leave = 1 - smoothstep((h - 17) / 2);
  const lunch = h >= 12 && h < 14 ? 1 - 0.4 * Math.sin(((h - 12) / 2) * Math.PI) : 1;
  return arrive * leave * lunch;
}

/** Occupancy in [0, 1] of a space (or a building, pattern 'office') at t. */
export function occupancy(pattern: OccupancyPattern, occSeed: number, t: number): number {
  const lt = localTime(t);
  if (!lt.workday) return 0;
  const h = lt.hour;
  const attendance = 0.55 + 0.45 * hash01(occSeed, lt.day);
  switch (pattern) {
    case 'office':
      return officeShape(h) * attendance;
    case 'lab':
      return officeShape(h) * (0.4 + 0.6 * hash01(occSeed ^ 0x2545f491, Math.floor(t / (2 * HOUR))));
    case 'meeting': {
      // Booked by the hour: full or nearly empty.
      const booked = hash01(occSeed ^ 0x68e31da4, Math.floor(t / HOUR)) < 0.45;
      return h >= 8 && h < 19 ? (booked ? 0.75 + 0.25 * attendance : 0.03) : 0;
    }
    case 'cafeteria':
      if (h >= 11.5 && h < 14) return (0.6 + 0.4 * attendance) * Math.sin(((h - 11.5) / 2.5) * Math.PI);
      return h >= 8 && h < 17 ? 0.12 * attendance : 0;
    case 'lobby':
      return h >= 7.5 && h < 19 ? 0.25 + 0.5 * officeShape(h) * attendance : 0;
  }
}

/** Mean outdoor temperature of the day of the year: coldest around January 20th. */
function seasonalTemperature(c: Climate, t: number): number {
  return c.mean - c.amplitude * Math.cos((TWO_PI * (dayOfYear(t) - 20)) / 365.25);
}

/** Weather systems passing over a few days: ±4 °C around the seasonal mean. */
function weatherSwing(c: Climate, t: number): number {
  return 8 * (noise(c.seed, t / (3 * DAY)) - 0.5);
}

/** Local solar time (h) at the site's longitude: 12 when the sun is highest. */
function solarHour(c: Climate, t: number): number {
  return (((t % DAY) + DAY) % DAY) / HOUR + c.longitude / 15;
}

function outdoorTemperature(c: Climate, t: number): number {
  const diurnal = c.diurnal * (0.7 + 0.6 * summerness(t)) * Math.cos((TWO_PI * (solarHour(c, t) - 15)) / 24);
  const synoptic = weatherSwing(c, t) + 2.5 * (noise(c.seed ^ 0x1b873593, t / (8 * HOUR)) - 0.5);
  return seasonalTemperature(c, t) + diurnal + synoptic;
}

/** Daily-scale outdoor temperature (no day–night swing): drives heating on or off. */
function outdoorDaily(c: Climate, t: number): number {
  return seasonalTemperature(c, t) + weatherSwing(c, t);
}

const round = (v: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f + 0; // + 0: no -0
};
const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

function indoorTemperature(m: Extract<SeriesModel, { kind: 'indoor_temperature' }>, t: number): number {
  const out = outdoorTemperature(m.climate, t);
  const heating = clamp((16 - outdoorDaily(m.climate, t)) / 4, 0, 1);
  const n = noise(m.seed, t / (2 * HOUR)) - 0.5;
  const night = clamp(heating * 17.2 + (1 - heating) * (19 + Math.max(0, out - 15) * 0.3) + 0.8 * n, 15, 27);
  const lt = localTime(t);
  const h = lt.hour;
  if (!lt.workday) return round(night + (h > 11 && h < 17 ? 0.4 * (1 - heating) : 0), 2);
  const occ = occupancy(m.occupancy, m.occSeed, t);
  const day = clamp(20.6 + 1.6 * occ + 0.8 * n + (1 - heating) * Math.max(0, out - 17) * 0.2, 19, 24);
  if (h >= 8 && h < 19) return round(day, 2);
  if (h >= 6 && h < 8) return round(night + (20.6 - night) * smoothstep((h - 6) / 2), 2);
  if (h >= 19 && h < 24) return round(night + (20.8 - night) * Math.exp(-(h - 19) / 1.5), 2);
  return round(night, 2);
}

function co2(m: Extract<SeriesModel, { kind: 'co2' }>, t: number): number {
  const o = 0.6 * occupancy(m.occupancy, m.occSeed, t) + 0.4 * occupancy(m.occupancy, m.occSeed, t - 30 * MINUTE);
  const lt = localTime(t);
  const tail = lt.workday && lt.hour >= 19 ? 0.3 * m.capacityPpm * Math.exp(-(lt.hour - 19) / 0.7) : 0;
  return round(clamp(422 + 14 * noise(m.seed, t / HOUR) + o * m.capacityPpm + tail, 420, 1200), 0);
}

function indoorHumidity(m: Extract<SeriesModel, { kind: 'humidity' }>, t: number): number {
  const o = occupancy(m.occupancy, m.occSeed, t);
  return round(clamp(36 + 12 * summerness(t) + 6 * o + 8 * (noise(m.seed, t / (6 * HOUR)) - 0.5), 28, 65), 1);
}

function outdoorHumidity(m: Extract<SeriesModel, { kind: 'outdoor_humidity' }>, t: number): number {
  const v =
    76 + 11 * Math.cos((TWO_PI * (solarHour(m.climate, t) - 4)) / 24) - 9 * summerness(t) + 20 * (noise(m.seed, t / (12 * HOUR)) - 0.5);
  return round(clamp(v, 30, 100), 1);
}

/** Energy (kWh) used during the 10 minutes starting at t. */
function electricity(m: Extract<SeriesModel, { kind: 'electricity' }>, t: number): number {
  const occ = occupancy('office', m.occSeed, t);
  let kw = m.baseKw * (0.92 + 0.16 * noise(m.seed, t / HOUR)) + m.peakKw * occ;
  if (occ > 0) kw += Math.max(0, outdoorTemperature(m.climate, t) - 22) * m.peakKw * 0.03; // cooling
  return round(kw / 6, 3);
}

/** Heat (kWh) delivered during the 10 minutes starting at t: degree-driven, boosted at warm-up. */
function heat(m: Extract<SeriesModel, { kind: 'heat' }>, t: number): number {
  const lt = localTime(t);
  const occupied = lt.workday && lt.hour >= 6 && lt.hour < 19;
  const setpoint = occupied ? 20 : 16;
  let kw = Math.max(0, setpoint - outdoorTemperature(m.climate, t)) * m.uaKwPerK * (0.9 + 0.2 * noise(m.seed, t / HOUR));
  if (occupied && lt.hour < 8) kw *= 1.5;
  if (lt.workday && lt.hour >= 7 && lt.hour < 18) kw += 0.8; // hot water
  return round(kw / 6, 3);
}

/** The value of a generated series at grid instant t (whether the point exists is isGap's business). */
export function seriesValue(m: SeriesModel, t: number): number {
  switch (m.kind) {
    case 'outdoor_temperature':
      return round(outdoorTemperature(m.climate, t), 1);
    case 'outdoor_humidity':
      return outdoorHumidity(m, t);
    case 'indoor_temperature':
      return indoorTemperature(m, t);
    case 'co2':
      return co2(m, t);
    case 'humidity':
      return indoorHumidity(m, t);
    case 'electricity':
      return electricity(m, t);
    case 'heat':
      return heat(m, t);
  }
}

/** Energy meters also have a gap-free "Clean" copy (data state 2). */
export function isEnergyModel(m: SeriesModel): boolean {
  return m.kind === 'electricity' || m.kind === 'heat';
}

const GAP_CLUSTER = 36; // slots (6 h)
const GAP_MEAN_RUN = 3.5; // runs of 1–6 slots

/**
 * Missing 10-minute points of the raw data: short outages (1–6 points) scattered so that the
 * fraction missing is `gapRate` on average. Deterministic per (seed, slot).
 */
export function isGap(seed: number, t: number, gapRate: number): boolean {
  if (!(gapRate > 0)) return false;
  if (gapRate >= 1) return true;
  const slot = Math.floor(t / STEP_MS);
  const p = (gapRate * GAP_CLUSTER) / GAP_MEAN_RUN;
  if (p >= 1) return hash01(seed ^ 0x3c6ef372, slot) < gapRate;
  const cluster = Math.floor(slot / GAP_CLUSTER);
  if (hash01(seed, cluster) >= p) return false;
  const len = 1 + Math.floor(hash01(seed ^ 0x1e3779b9, cluster) * 6);
  const start = Math.floor(hash01(seed ^ 0x05ebca6b, cluster) * (GAP_CLUSTER - len + 1));
  const offset = slot - cluster * GAP_CLUSTER;
  return offset >= start && offset < start + len;
}

// ---------------------------------------------------------------- the portfolio

export interface SeedTimeseries {
  id: number;
  name: string;
  unit: string;
  description?: string;
  scopeId: number;
  kind: SeriesKind;
  /** null: no generated data (the manual meter). */
  model: SeriesModel | null;
  /** [Min, Max] property values (strings, §6.1). */
  range?: [string, string];
}

export interface SeedPortfolio {
  campaigns: Array<{ id: number; name: string; description: string; start_time: number; timezone: string }>;
  scopes: Array<{ id: number; name: string; description: string; campaign_id: number }>;
  sites: Array<{
    id: number;
    name: string;
    latitude: number;
    longitude: number;
    description?: string;
    ifc_id?: string;
    campaign_id: number;
  }>;
  buildings: Array<{ id: number; name: string; description?: string; ifc_id?: string; site_id: number }>;
  storeys: Array<{ id: number; name: string; building_id: number }>;
  spaces: Array<{ id: number; name: string; storey_id: number; description?: string }>;
  zones: Array<{ id: number; name: string; description: string; campaign_id: number }>;
  timeseries: SeedTimeseries[];
  /** [timeseries id, parent id] rows of timeseries_by_{sites,buildings,storeys,spaces,zones}. */
  links: Record<'sites' | 'buildings' | 'storeys' | 'spaces' | 'zones', Array<[number, number]>>;
  properties: Array<{ id: number; name: string; value_type: 'float'; unit_symbol?: string; description: string }>;
  propertyData: Array<{ timeseries_id: number; property_id: number; value: string }>;
  dataStates: Array<{ id: number; name: string }>;
}

const LILLE: Climate = { seed: 0x4c494c, mean: 11, amplitude: 7.5, diurnal: 3.5, longitude: 3.1432 };
const BAYONNE: Climate = { seed: 0x42594e, mean: 14, amplitude: 6.5, diurnal: 4, longitude: -1.5094 };

/**
 * Campaign 1 "Smart buildings 2026": two sites, three buildings, 7 storeys, 17 spaces, 2 zones and
 * 62 timeseries (ids stable: 1–6 building meters, 7–10 weather, 11–61 spaces, 62 "Compteur manuel").
 */
export function buildPortfolio(historyStartMs: number): SeedPortfolio {
  const sites = [
    {
      id: 1,
      name: 'Campus Lille',
      latitude: 50.6127,
      longitude: 3.1432,
      description: 'Campus tertiaire, deux bâtiments',
      ifc_id: '3vB2YO$MX4xv5uCqZZG05x',
      campaign_id: 1,
      climate: LILLE,
    },
    { id: 2, name: 'Siège Bayonne', latitude: 43.47394, longitude: -1.5094, description: 'Siège social', campaign_id: 1, climate: BAYONNE },
  ];
  const buildings = [
    {
      id: 1,
      name: 'Bâtiment A',
      description: 'Bureaux, 3 niveaux',
      ifc_id: '1hOSvn6df7F8_7GcBWlR72',
      site_id: 1,
      baseKw: 22,
      peakKw: 70,
      ua: 4,
    },
    { id: 2, name: 'Bâtiment B', description: 'Ateliers et laboratoires', site_id: 1, baseKw: 14, peakKw: 45, ua: 2.6 },
    { id: 3, name: 'Siège', site_id: 2, baseKw: 15, peakKw: 48, ua: 3 },
  ];
  const storeys = [
    { id: 1, name: 'RDC', building_id: 1 },
    { id: 2, name: 'Étage 1', building_id: 1 },
    { id: 3, name: 'Étage 2', building_id: 1 },
    { id: 4, name: 'RDC', building_id: 2 },
    { id: 5, name: 'Étage 1', building_id: 2 },
    { id: 6, name: 'RDC', building_id: 3 },
    { id: 7, name: 'Étage 1', building_id: 3 },
  ];
  const spaceDefs: Array<[number, string, OccupancyPattern, number]> = [
    [1, 'Accueil', 'lobby', 420],
    [1, 'Salle de réunion', 'meeting', 720],
    [1, 'Cafétéria', 'cafeteria', 650],
    [2, 'Bureau 1.01', 'office', 520],
    [2, 'Bureau 1.02', 'office', 480],
    [2, 'Salle de réunion', 'meeting', 700],
    [3, 'Bureau 2.01', 'office', 500],
    [3, 'Bureau 2.02', 'office', 540],
    [4, 'Atelier', 'lab', 380],
    [4, 'Laboratoire', 'lab', 450],
    [5, 'Bureau 1.01', 'office', 510],
    [5, 'Bureau 1.02', 'office', 470],
    [5, 'Salle de réunion', 'meeting', 680],
    [6, 'Accueil', 'lobby', 400],
    [6, 'Salle du conseil', 'meeting', 740],
    [7, 'Bureau 1.01', 'office', 500],
    [7, 'Bureau 1.02', 'office', 530],
  ];
  const spaces = spaceDefs.map(([storey_id, name], i) => ({ id: i + 1, name, storey_id }));

  const timeseries: SeedTimeseries[] = [];
  const links: SeedPortfolio['links'] = { sites: [], buildings: [], storeys: [], spaces: [], zones: [] };
  let nextId = 1;
  const add = (t: Omit<SeedTimeseries, 'id'>): number => {
    const id = nextId++;
    timeseries.push({ id, ...t });
    return id;
  };
  /** A generated series: its kind is its model's; `range` gives its Min and Max properties. */
  const addGenerated = (
    t: Pick<SeedTimeseries, 'name' | 'unit' | 'description' | 'scopeId'> & { range: [string, string] },
    model: SeriesModel,
  ): number => add({ name: t.name, unit: t.unit, description: t.description, scopeId: t.scopeId, kind: model.kind, model, range: t.range });

  for (const b of buildings) {
    const site = sites.find((s) => s.id === b.site_id)!;
    const e = addGenerated(
      {
        name: `${b.name} - Électricité`,
        unit: 'kWh',
        description: 'Compteur électrique général, énergie par pas de 10 minutes',
        scopeId: 1,
        range: ['0', '100'],
      },
      { kind: 'electricity', seed: 1000 + b.id, climate: site.climate, occSeed: 100 + b.id, baseKw: b.baseKw, peakKw: b.peakKw },
    );
    const h = addGenerated(
      {
        name: `${b.name} - Chaleur`,
        unit: 'kWh',
        description: 'Compteur de chaleur du réseau, énergie par pas de 10 minutes',
        scopeId: 1,
        range: ['0', '100'],
      },
      { kind: 'heat', seed: 2000 + b.id, climate: site.climate, uaKwPerK: b.ua },
    );
    links.buildings.push([e, b.id], [h, b.id]);
  }
  for (const s of sites) {
    const t = addGenerated(
      { name: `${s.name} - Température extérieure`, unit: '°C', description: 'Station météo du site', scopeId: 1, range: ['-40', '60'] },
      { kind: 'outdoor_temperature', seed: 3000 + s.id, climate: s.climate },
    );
    const h = addGenerated(
      { name: `${s.name} - Humidité extérieure`, unit: '%', description: 'Station météo du site', scopeId: 1, range: ['0', '100'] },
      { kind: 'outdoor_humidity', seed: 4000 + s.id, climate: s.climate },
    );
    links.sites.push([t, s.id], [h, s.id]);
  }
  const zoneOf = new Map<number, number>([
    [4, 1],
    [5, 1],
    [6, 1],
    [11, 1], // Zone Nord: north façade offices
    [7, 2],
    [8, 2],
    [12, 2], // Zone Sud
  ]);
  spaceDefs.forEach(([storeyId, spaceName, pattern, capacity], i) => {
    const spaceId = i + 1;
    const storey = storeys.find((s) => s.id === storeyId)!;
    const building = buildings.find((b) => b.id === storey.building_id)!;
    const site = sites.find((s) => s.id === building.site_id)!;
    const prefix = `${building.name} / ${storey.name} / ${spaceName}`;
    const occSeed = 500 + spaceId;
    const temp = addGenerated(
      { name: `${prefix} - Température`, unit: '°C', description: 'Température ambiante', scopeId: 2, range: ['0', '50'] },
      { kind: 'indoor_temperature', seed: 5000 + spaceId, climate: site.climate, occupancy: pattern, occSeed },
    );
    const co2Id = addGenerated(
      { name: `${prefix} - CO2`, unit: 'ppm', description: 'Concentration en CO2', scopeId: 2, range: ['0', '5000'] },
      { kind: 'co2', seed: 6000 + spaceId, occupancy: pattern, occSeed, capacityPpm: capacity },
    );
    const hum = addGenerated(
      { name: `${prefix} - Humidité`, unit: '%', description: 'Humidité relative', scopeId: 2, range: ['0', '100'] },
      { kind: 'humidity', seed: 7000 + spaceId, occupancy: pattern, occSeed },
    );
    links.spaces.push([temp, spaceId], [co2Id, spaceId], [hum, spaceId]);
    const zone = zoneOf.get(spaceId);
    if (zone !== undefined) links.zones.push([temp, zone]);
  });
  const manual = add({
    name: 'Compteur manuel',
    unit: 'kWh',
    description: 'Relevés saisis à la main',
    scopeId: 1,
    kind: 'manual',
    model: null,
  });
  links.storeys.push([manual, 4]); // a sub-meter on the ground floor of Bâtiment B
  links.zones.sort((a, b) => a[1] - b[1] || a[0] - b[0]);

  // Properties of a fresh database (§6.1): Min, Max (float), Interval (float, s).
  const properties: SeedPortfolio['properties'] = [
    // With the descriptions a fresh bemserver-core 0.22 database gives them (real server, conformance suite).
    { id: 1, name: 'Min', value_type: 'float', description: 'Minimum expected value' },
    { id: 2, name: 'Max', value_type: 'float', description: 'Maximum expected value' },
    { id: 3, name: 'Interval', value_type: 'float', unit_symbol: 's', description: 'Expected interval' },
  ];
  const propertyData: SeedPortfolio['propertyData'] = [];
  for (const ts of timeseries) {
    if (ts.range) {
      propertyData.push({ timeseries_id: ts.id, property_id: 1, value: ts.range[0] });
      propertyData.push({ timeseries_id: ts.id, property_id: 2, value: ts.range[1] });
    }
    if (ts.model) propertyData.push({ timeseries_id: ts.id, property_id: 3, value: '600' });
  }

  return {
    campaigns: [
      {
        id: 1,
        name: 'Smart buildings 2026',
        description: 'Suivi énergétique et confort des bâtiments',
        start_time: historyStartMs,
        timezone: 'Europe/Paris',
      },
    ],
    scopes: [
      { id: 1, name: 'Energy monitoring', description: "Compteurs d'énergie et météo", campaign_id: 1 },
      { id: 2, name: 'Indoor comfort', description: 'Température, CO2 et humidité des espaces', campaign_id: 1 },
    ],
    sites: sites.map(({ climate: _c, ...s }) => s),
    buildings: buildings.map(({ baseKw: _b, peakKw: _p, ua: _u, ...b }) => b),
    storeys,
    spaces,
    zones: [
      { id: 1, name: 'Zone Nord', description: 'Façade nord', campaign_id: 1 },
      { id: 2, name: 'Zone Sud', description: 'Façade sud', campaign_id: 1 },
    ],
    timeseries,
    links,
    properties,
    propertyData,
    // Raw then Clean, as a fresh database inserts them (§6.1).
    dataStates: [
      { id: 1, name: 'Raw' },
      { id: 2, name: 'Clean' },
    ],
  };
}
