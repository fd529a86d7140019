// FlexMeasures wire → unified model. Pure functions, no I/O (contract: CONTRACT.md).
import { Language, type Connection, type LocalizedText, type Location, type Parameter, type Sensor } from '../../shared/domain.js';
import { cleanText } from '../../shared/text.js';
import type { SeriesResult } from '../series.js';
import { WireFormatError, fail, isRecord } from '../wire-error.js';
import { parseDuration } from '../../shared/durations.js';
import { parseEntityAddress } from './entity-address.js';

export { WireFormatError };

// ---------------------------------------------------------------------------------------------
// Global IDs

/** The upstream's name: the prefix of its global IDs. */
export const FLEXMEASURES = 'flexmeasures';
const PREFIX = FLEXMEASURES;

/** A FlexMeasures sensor: a sensor with its entity address and sign convention. */
export interface FlexMeasuresSensor extends Sensor {
  /** USEF entity address (fm1), if the server has one (§2.7). */
  entityAddress: string | null;
  /** Whether positive values mean consumption (the sensor attribute), when known (§3.5). */
  consumptionIsPositive: boolean | null;
}

export function isFlexMeasuresSensor(s: Sensor): s is FlexMeasuresSensor {
  return s.upstream === FLEXMEASURES && 'entityAddress' in s && 'consumptionIsPositive' in s;
}

/** `flexmeasures:<kind>:<nativeId>`: `fmId('sensor', '4')`, `fmId('location', 'asset:7')`, `fmId('parameter', 'power:MW')`. */
export function fmId(kind: 'location' | 'parameter' | 'sensor' | 'connection', nativeId: string): string {
  return `${PREFIX}:${kind}:${nativeId}`;
}

/** `flexmeasures:sensor:4`. */
export const fmSensorId = (id: number | string): string => `${PREFIX}:sensor:${id}`;
/** `flexmeasures:location:asset:7`. */
export const fmAssetLocationId = (assetId: number | string): string => `${PREFIX}:location:asset:${assetId}`;
/** `flexmeasures:parameter:power:MW`; an empty (dimensionless) unit is written `dimensionless`. */
export const fmParameterNativeId = (quantity: string, unit: string): string => `${quantity}:${unit === '' ? 'dimensionless' : unit}`;
export const fmParameterId = (quantity: string, unit: string): string => `${PREFIX}:parameter:${fmParameterNativeId(quantity, unit)}`;
/** `flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4`. */
export const fmConnectionId = (entityAddress: string): string => `${PREFIX}:connection:${entityAddress}`;

const en = (text: string | null): LocalizedText => (text === null ? {} : { [Language.EN]: text });

// ---------------------------------------------------------------------------------------------
// Instants

const INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/i;

/** An aware ISO 8601 datetime (`2015-01-01T00:00:00Z`, `2021-05-02T00:00:00+02:00`) → epoch ms; null otherwise (§2.6). */
export function parseFmInstant(s: unknown): number | null {
  if (typeof s !== 'string' || s.length > 40) return null;
  const m = INSTANT.exec(s.trim());
  if (!m) return null;
  let zone = m[3]!.toUpperCase();
  if (zone !== 'Z' && zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (!Number.isFinite(t)) return null;
  // Date.parse rolls Feb 30 over: reject dates that do not survive the round trip.
  const [y, mo, d] = m[1]!.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Quantities

export type FmQuantity = 'power' | 'energy' | 'price' | 'temperature' | 'irradiance' | 'wind speed' | 'flow' | 'ratio' | 'other';

const LABELS: Record<FmQuantity, string> = {
  power: 'Power',
  energy: 'Energy',
  price: 'Price',
  temperature: 'Temperature',
  irradiance: 'Irradiance',
  'wind speed': 'Wind speed',
  flow: 'Flow',
  ratio: 'Ratio',
  other: 'Other',
};

const CATEGORIES: Record<FmQuantity, string> = {
  power: 'Energy',
  energy: 'Energy',
  price: 'Market',
  temperature: 'Weather',
  irradiance: 'Weather',
  'wind speed': 'Weather',
  flow: 'Energy',
  ratio: 'Other',
  other: 'Other',
};

const POWER = new Set(['W', 'kW', 'MW', 'GW']);
const ENERGY = new Set(['Wh', 'kWh', 'MWh', 'GWh']);
const TEMPERATURE = new Set(['°C', '0C', 'degC', '°F', 'K']);
const IRRADIANCE = /^k?W\/m(?:²|2|\^2)$/;
const SPEED = new Set(['m/s', 'km/h']);
const FLOW = /^(?:m³|m3|l|L)\/(?:h|s|min)$/;
// `EUR/MWh`, `KRW/kWh`, `EUR/kWh`, `EUR` (a currency over an energy or power unit).
const PRICE = /^[A-Z]{3}(?:\/(?:[kMG]?Wh|[kMG]?W))?$/;

function byName(name: string): FmQuantity {
  const n = name.toLowerCase();
  if (n.includes('price') || n.includes('tariff')) return 'price';
  if (n.includes('temperature')) return 'temperature';
  if (n.includes('irradiance') || n.includes('radiation')) return 'irradiance';
  if (n.includes('wind')) return 'wind speed';
  if (n.includes('power')) return 'power';
  if (n.includes('energy')) return 'energy';
  return 'other';
}

/** The quantity a sensor measures, from its unit; the name is a hint only where the unit says nothing. */
export function quantityOf(unit: string, sensorName: string): { quantity: FmQuantity; label: string } {
  const u = unit.trim();
  let q: FmQuantity;
  if (POWER.has(u)) q = 'power';
  else if (ENERGY.has(u)) q = 'energy';
  else if (IRRADIANCE.test(u)) q = 'irradiance';
  else if (PRICE.test(u)) q = 'price';
  else if (TEMPERATURE.has(u)) q = 'temperature';
  else if (SPEED.has(u)) q = 'wind speed';
  else if (FLOW.test(u)) q = 'flow';
  else if (u === '%') q = 'ratio';
  else q = byName(sensorName);
  return { quantity: q, label: LABELS[q] };
}

// ---------------------------------------------------------------------------------------------
// Sensors

export interface FmSensor {
  sensor: FlexMeasuresSensor;
  /** Event resolution in ms; 0 for instantaneous sensors (`P0D`). */
  resolutionMs: number;
  unit: string;
  name: string;
  /** An FmQuantity (`power`, `price`, …). */
  quantity: string;
  /** `generic_asset_id`, when given (set by mapFmSensor). */
  assetId?: number | null;
  /** Decoded `attributes` ({} when absent or not decodable; set by mapFmSensor). */
  attributes?: Record<string, unknown>;
}

function decodeAttributes(raw: unknown): Record<string, unknown> | null {
  // A JSON-encoded string on the wire (the server json.dumps it), an object in the OpenAPI examples (§4.9).
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string' || raw.length > 1_000_000) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function resolutionOf(raw: unknown, path: string): number {
  // v0.9–v0.14 send an integer number of minutes (§4.2 [v0.12]); later an isodate string, `P0D` = instantaneous.
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) fail(path, 'a non-negative number of minutes', raw);
    return Math.round(raw * 60_000);
  }
  if (typeof raw !== 'string') fail(path, 'an ISO 8601 duration or a number of minutes', raw);
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch {
    fail(path, 'an ISO 8601 duration', raw);
  }
  if (ms < 0) fail(path, 'a non-negative duration', raw);
  return ms;
}

/** One v3_0 Sensor object → FmSensor (the Sensor plus what the adapter needs: resolution, unit, quantity). */
export function mapFmSensor(json: unknown): FmSensor {
  return fmSensorAt(json, 'sensor');
}

function fmSensorAt(json: unknown, path: string): FmSensor {
  if (!isRecord(json)) fail(path, 'an object', json);
  const ea = typeof json.entity_address === 'string' ? json.entity_address.trim() : null;
  let id: number | null = null;
  if (json.id !== undefined && json.id !== null) {
    if (typeof json.id !== 'number' || !Number.isInteger(json.id) || json.id < 0) fail(`${path}.id`, 'an integer', json.id);
    id = json.id;
  } else if (ea !== null) {
    // v0.12 sensors have no `id`: it is the number of their fm1 entity address (§4.2 [v0.12]).
    try {
      const parsed = parseEntityAddress(ea);
      if (parsed.scheme === 'fm1') id = parsed.sensorId;
    } catch {
      // fall through
    }
  }
  if (id === null) fail(`${path}.id`, 'an integer (and no fm1 entity_address to take it from)', json.id);
  const sp = `sensor ${id}`;
  if (typeof json.name !== 'string') fail(`${sp} name`, 'a string', json.name);
  if (typeof json.unit !== 'string') fail(`${sp} unit`, 'a string', json.unit);
  const resolutionMs = resolutionOf(json.event_resolution, `${sp} event_resolution`);
  const assetRaw = json.generic_asset_id;
  if (assetRaw !== undefined && assetRaw !== null && (typeof assetRaw !== 'number' || !Number.isInteger(assetRaw))) {
    fail(`${sp} generic_asset_id`, 'an integer', assetRaw);
  }
  const assetId = typeof assetRaw === 'number' ? assetRaw : null;
  const tz = json.timezone;
  if (tz !== undefined && tz !== null && typeof tz !== 'string') fail(`${sp} timezone`, 'a string', tz);
  const attributes = decodeAttributes(json.attributes) ?? {};
  const cip = attributes.consumption_is_positive;
  const unit = json.unit.trim();
  const name = cleanText(json.name) ?? '';
  const { quantity } = quantityOf(unit, name);
  const sensor: FlexMeasuresSensor = {
    id: fmSensorId(id),
    upstream: FLEXMEASURES,
    nativeId: String(id),
    locationId: assetId === null ? null : fmAssetLocationId(assetId),
    parameterId: fmParameterId(quantity, unit),
    unit: unit === '' ? null : unit,
    // P0D = instantaneous: no regular interval (§4.9).
    intervalMinutes: resolutionMs > 0 ? resolutionMs / 60_000 : null,
    name: name === '' ? null : name,
    timezone: typeof tz === 'string' && tz.trim() !== '' ? tz.trim() : null,
    // FM writes this literal when the host is not configured (§2.7).
    entityAddress: ea !== null && ea.startsWith('ea1') ? ea : null,
    consumptionIsPositive: typeof cip === 'boolean' ? cip : null,
  };
  return { sensor, resolutionMs, unit, name, quantity, assetId, attributes };
}

/** A list: a bare array (unpaginated) or a page `{data: [...], num-records, ...}` (§4.2). */
function listOf(json: unknown, what: string): unknown[] {
  if (Array.isArray(json)) return json;
  if (isRecord(json) && Array.isArray(json.data)) return json.data;
  fail(what, 'an array or a page {data: [...]}', json);
}

/** `GET /sensors` (bare or paginated) → FmSensors. Strict: one malformed sensor fails the list. */
export function mapFmSensors(json: unknown): FmSensor[] {
  const list = listOf(json, 'sensors');
  const out: FmSensor[] = [];
  for (let i = 0; i < list.length; i++) out.push(fmSensorAt(list[i], `sensors[${i}]`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Assets

function coordinate(v: unknown, limit: number): number | null {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit ? v : null;
}

/** One v3_0 Asset → Location. FlexMeasures names are not translated: the text goes under EN only. */
export function mapAsset(json: unknown): Location {
  return assetAt(json, 'asset');
}

function assetAt(json: unknown, path: string): Location {
  if (!isRecord(json)) fail(path, 'an object', json);
  if (typeof json.id !== 'number' || !Number.isInteger(json.id) || json.id < 0) fail(`${path}.id`, 'an integer', json.id);
  const id = json.id;
  if (typeof json.name !== 'string') fail(`asset ${id} name`, 'a string', json.name);
  const desc = json.description;
  if (desc !== undefined && desc !== null && typeof desc !== 'string') fail(`asset ${id} description`, 'a string', desc);
  const parent = json.parent_asset_id;
  if (parent !== undefined && parent !== null && (typeof parent !== 'number' || !Number.isInteger(parent))) {
    fail(`asset ${id} parent_asset_id`, 'an integer', parent);
  }
  const latitude = coordinate(json.latitude, 90);
  const longitude = coordinate(json.longitude, 180);
  return {
    id: fmAssetLocationId(id),
    upstream: FLEXMEASURES,
    nativeId: `asset:${id}`,
    name: en(cleanText(json.name)),
    description: en(cleanText(desc)),
    position: latitude !== null && longitude !== null ? { latitude, longitude } : null,
    parentId: typeof parent === 'number' ? fmAssetLocationId(parent) : null,
  };
}

/** `GET /assets` (bare or paginated) → Locations. Strict, like mapSensors. */
export function mapAssets(json: unknown): Location[] {
  const list = listOf(json, 'assets');
  const out: Location[] = [];
  for (let i = 0; i < list.length; i++) out.push(assetAt(list[i], `assets[${i}]`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parameters

/** One Parameter per quantity+unit, in the order first seen. */
export function parametersOf(sensors: FmSensor[]): Parameter[] {
  const seen = new Map<string, Parameter>();
  for (const s of sensors) {
    const id = fmParameterId(s.quantity, s.unit);
    if (seen.has(id)) continue;
    const q = (Object.hasOwn(LABELS, s.quantity) ? s.quantity : 'other') as FmQuantity;
    seen.set(id, {
      id,
      upstream: FLEXMEASURES,
      nativeId: fmParameterNativeId(s.quantity, s.unit),
      code: s.quantity,
      name: en(LABELS[q]),
      unit: s.unit === '' ? null : s.unit,
      category: en(CATEGORIES[q]),
    });
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------
// v1_1 connections

export interface FmConnectionRow {
  entityAddress: string;
  name: string;
  sensorId: number;
}

/** v1_1 `getConnection` → rows. Addresses come in fm1 (code) or fm0 (docs) form (§3.4); names go by position. */
export function mapConnections(json: unknown): FmConnectionRow[] {
  if (!isRecord(json)) fail('getConnection', 'an object', json);
  const { connections, names } = json;
  if (!Array.isArray(connections)) fail('getConnection.connections', 'an array', connections);
  if (names !== undefined && !Array.isArray(names)) fail('getConnection.names', 'an array', names);
  const out: FmConnectionRow[] = [];
  for (let i = 0; i < connections.length; i++) {
    const ea: unknown = connections[i];
    if (typeof ea !== 'string') fail(`getConnection.connections[${i}]`, 'a string', ea);
    let sensorId: number | null = null;
    try {
      const parsed = parseEntityAddress(ea.trim());
      if (parsed.kind === 'connection') sensorId = parsed.sensorId;
    } catch {
      // reported below
    }
    if (sensorId === null) fail(`getConnection.connections[${i}]`, 'a connection entity address', ea);
    const n: unknown = names?.[i];
    out.push({ entityAddress: ea.trim(), name: typeof n === 'string' && n.trim() !== '' ? n.trim() : ea.trim(), sensorId });
  }
  return out;
}

/** A getConnection row → the domain Connection (ID built from the address as the upstream wrote it). */
export function toConnection(row: FmConnectionRow): Connection {
  return {
    id: fmConnectionId(row.entityAddress),
    upstream: FLEXMEASURES,
    entityAddress: row.entityAddress,
    name: row.name,
    sensorId: fmSensorId(row.sensorId),
  };
}

// ---------------------------------------------------------------------------------------------
// Series

/** Checks a value list (numbers or null) in one loop and returns min/max of the numbers. */
function scanValues(list: unknown, path: string): { values: (number | null)[]; min: number | null; max: number | null } {
  if (!Array.isArray(list)) fail(path, 'an array', list);
  let min: number | null = null;
  let max: number | null = null;
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    if (v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}[${i}]`, 'a number or null', v);
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { values: list as (number | null)[], min, max };
}

function regularTimes(startMs: number, resolutionMs: number, n: number): number[] {
  const times = new Array<number>(n);
  for (let i = 0; i < n; i++) times[i] = startMs + i * resolutionMs;
  return times;
}

function durationField(raw: unknown, path: string, anchorMs: number): number {
  if (typeof raw !== 'string') fail(path, 'an ISO 8601 duration', raw);
  try {
    return parseDuration(raw, anchorMs);
  } catch {
    fail(path, 'an ISO 8601 duration', raw);
  }
}

/**
 * v3_0 `GET /sensors/<id>/data` → a series on the regular axis `start + i × resolution` (§4.4).
 * Nulls (gaps) are kept; min/max ignore them. A missing or zero resolution (`PT0H`, instantaneous
 * sensors) is derived from duration / number of values. `start` falls back to the requested one.
 */
export function mapSensorData(json: unknown, requestedStartMs: number): SeriesResult & { resolutionMs: number } {
  if (!isRecord(json)) fail('sensor data', 'an object', json);
  const { values, min, max } = scanValues(json.values, 'sensor data values');
  let startMs = requestedStartMs;
  if (json.start !== undefined && json.start !== null) {
    const t = parseFmInstant(json.start);
    if (t === null) fail('sensor data start', 'an aware ISO 8601 datetime', json.start);
    startMs = t;
  }
  if (!Number.isFinite(startMs)) fail('sensor data start', 'given', json.start);
  let resolutionMs = 0;
  if (json.resolution !== undefined && json.resolution !== null) {
    resolutionMs = durationField(json.resolution, 'sensor data resolution', startMs);
    if (resolutionMs < 0) fail('sensor data resolution', 'a non-negative duration', json.resolution);
  }
  if (resolutionMs === 0 && values.length > 0) {
    // FMC keeps only values/start/duration/unit; instantaneous sensors answer `PT0H` (§4.4).
    const durationMs = durationField(json.duration, 'sensor data duration (needed without a resolution)', startMs);
    resolutionMs = durationMs / values.length;
    if (!(resolutionMs > 0) || !Number.isInteger(resolutionMs)) {
      fail('sensor data duration', `divisible into ${values.length} whole-millisecond steps`, json.duration);
    }
  }
  return { times: regularTimes(startMs, resolutionMs, values.length), values, min, max, resolutionMs };
}

function identifiers(raw: unknown, path: string): string[] {
  // The plural key may hold a single string (`"connections": "CS 1"`, §3.5 quirk 2).
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) fail(path, 'a string or an array of strings', raw);
  for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') fail(`${path}[${i}]`, 'a string', raw[i]);
  return raw as string[];
}

/** `connection` or `connections` (whichever is present; both are read) of a response or group. */
function groupIdentifiers(g: Record<string, unknown>, path: string): string[] | null {
  const hasOne = g.connection !== undefined && g.connection !== null;
  const hasMany = g.connections !== undefined && g.connections !== null;
  if (!hasOne && !hasMany) return null;
  const a = hasOne ? identifiers(g.connection, `${path}.connection`) : [];
  const b = hasMany ? identifiers(g.connections, `${path}.connections`) : [];
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b];
}

/**
 * v1_1 `getMeterData` / `getPrognosis` → series per sensor id (§3.5). Identifiers are sensor NAMES
 * (mapped with `names`; an entity address is also accepted), under `connection` or `connections`
 * (a string or a list: identical lists are merged), or as `groups`. Values hold only existing events,
 * placed consecutively from `start` (value j at start + j × resolution, no gap filling), in USEF sign
 * (consumption positive) as they come. A listed sensor without data gets an empty series.
 * The series objects of merged names are shared: treat them as read-only.
 */
export function mapV1Series(json: unknown, names: Map<string, number>, startMs: number, resolutionMs: number): Map<number, SeriesResult> {
  if (!isRecord(json)) fail('meter data', 'an object', json);
  let start = startMs;
  if (json.start !== undefined && json.start !== null) {
    const t = parseFmInstant(json.start);
    if (t === null) fail('meter data start', 'an aware ISO 8601 datetime', json.start);
    start = t;
  }
  if (!Number.isFinite(start)) fail('meter data start', 'given', json.start);
  if (!(resolutionMs > 0)) throw new WireFormatError(`meter data: the resolution must be positive (got ${resolutionMs})`);

  const groups: Array<{ ids: string[]; values: unknown; path: string }> = [];
  if (json.groups !== undefined && json.groups !== null) {
    if (!Array.isArray(json.groups)) fail('meter data groups', 'an array', json.groups);
    for (let i = 0; i < json.groups.length; i++) {
      const g: unknown = json.groups[i];
      const path = `meter data groups[${i}]`;
      if (!isRecord(g)) fail(path, 'an object', g);
      const ids = groupIdentifiers(g, path);
      if (ids === null) fail(`${path}.connections`, 'given', undefined);
      groups.push({ ids, values: g.values ?? g.value, path });
    }
  } else {
    const ids = groupIdentifiers(json, 'meter data');
    const vals = json.values ?? json.value;
    if (ids === null) {
      // No identifiers at all: acceptable only without data.
      if (vals === undefined || vals === null || (Array.isArray(vals) && vals.length === 0)) return new Map();
      fail('meter data connections', 'given alongside values', undefined);
    }
    groups.push({ ids, values: vals ?? [], path: 'meter data' });
  }

  const out = new Map<number, SeriesResult>();
  const unknown: string[] = [];
  for (const g of groups) {
    const { values, min, max } = scanValues(g.values, `${g.path} values`);
    const series: SeriesResult = { times: regularTimes(start, resolutionMs, values.length), values, min, max };
    for (const raw of g.ids) {
      const name = raw.trim();
      let id = names.get(name) ?? names.get(raw);
      if (id === undefined && name.startsWith('ea1')) {
        // The documented shape may carry entity addresses; fm0 and fm1 both name the sensor (§2.7).
        try {
          const ea = parseEntityAddress(name);
          if (ea.kind === 'connection' && ea.sensorId !== null) id = ea.sensorId;
        } catch {
          // unknown below
        }
      }
      if (id === undefined) {
        unknown.push(name);
        continue;
      }
      if (!out.has(id)) out.set(id, series);
    }
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((n) => JSON.stringify(n.length > 60 ? `${n.slice(0, 60)}…` : n));
    throw new WireFormatError(
      `meter data names sensors the gateway does not know: ${shown.join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// USEF answers

export interface UsefOutcome {
  ok: boolean;
  alreadyReceived: boolean;
  /** The USEF status code (`INVALID_UNIT`, `UNPROCESSABLE_ENTITY`, …); null for plain HTTP errors. */
  code: string | null;
  message: string;
  /** Field paths named by a 422 message, e.g. `json.unit`, `combined_sensor_data_description._schema`. */
  fields: string[];
}

const MESSAGE_LIMIT = 600;

function bound(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > MESSAGE_LIMIT ? `${t.slice(0, MESSAGE_LIMIT - 1)}…` : t;
}

/** Flattens the three message shapes: a string, `["msg"]`, `{"json": {"field": ["msg"]}}` → `json.field: msg` (§2.3). */
function flatten(msg: unknown, path: string, parts: string[], fields: string[], depth: number): void {
  if (depth > 6 || parts.length > 20) return;
  if (typeof msg === 'string') {
    parts.push(path === '' ? msg : `${path}: ${msg}`);
  } else if (typeof msg === 'number' || typeof msg === 'boolean') {
    parts.push(path === '' ? String(msg) : `${path}: ${String(msg)}`);
  } else if (Array.isArray(msg)) {
    for (const m of msg) flatten(m, path, parts, fields, depth + 1);
  } else if (isRecord(msg)) {
    for (const [k, v] of Object.entries(msg)) {
      const p = path === '' ? k : `${path}.${k}`;
      // A leaf field: its value is a message or a list of messages.
      if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
        if (!fields.includes(p)) fields.push(p);
      }
      flatten(v, p, parts, fields, depth + 1);
    }
  }
}

const OK_CODES = new Set(['PROCESSED', 'ACCEPTED']);
const ALREADY = 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED';

/**
 * Reads a USEF-style answer (v1_1, v3 data saving), the 401/403/422/HTTP error bodies and the
 * requestAuthToken `errors` body (§2.3, §2.4). `PROCESSED` (and HEAD's 202 `ACCEPTED`) → ok;
 * `ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED` → ok + alreadyReceived; anything else → not ok.
 */
export function usefOutcome(status: number, body: unknown): UsefOutcome {
  const httpOk = status >= 200 && status < 300;
  if (!isRecord(body)) {
    const text = typeof body === 'string' ? bound(body) : '';
    return { ok: false, alreadyReceived: false, code: null, message: text || `HTTP ${status} without a JSON body`, fields: [] };
  }
  const parts: string[] = [];
  const fields: string[] = [];
  // Any body with an `errors` array is a failure, whatever the HTTP code (a missing password is 200 on v0.12, §2.4).
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    flatten(body.errors, '', parts, fields, 0);
    return { ok: false, alreadyReceived: false, code: null, message: bound(parts.join('; ')) || `HTTP ${status}`, fields: [] };
  }
  flatten(body.message, '', parts, fields, 0);
  const message = bound(parts.join('; '));
  // Flask-JSON adds an integer `status`; USEF helpers set a string code (§2.2).
  const code = typeof body.status === 'string' && body.status.trim() !== '' ? body.status.trim() : null;
  // `result` or, for ALREADY_RECEIVED / INVALID_REPLACEMENT / REQUIRED_INFO_MISSING, `results` (§2.3).
  const result = typeof body.result === 'string' ? body.result : typeof body.results === 'string' ? body.results : null;
  if (code === ALREADY) {
    return { ok: httpOk, alreadyReceived: true, code, message, fields };
  }
  const ok = httpOk && result !== 'Rejected' && (code === null || OK_CODES.has(code));
  return { ok, alreadyReceived: false, code, message: message || (ok ? '' : `HTTP ${status}`), fields };
}
