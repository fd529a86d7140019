// Meetnet wire → unified model. Pure functions, no I/O (contract: CONTRACT.md).
import {
  Language,
  type LatestValue,
  type LocalizedText,
  type Location,
  type Parameter,
  type Sensor,
  type SeriesData,
} from '../../shared/domain.js';
import { cleanText, parsePointWkt } from '../../shared/text.js';

import type { CatalogIndex } from '../catalog-cache.js';
import { WireFormatError, fail, isRecord } from '../wire-error.js';

// Shared with the other upstreams; re-exported so existing imports keep working.
export { WireFormatError };

/** The upstream's name: the prefix of its global IDs. */
export const MEETNET = 'meetnet';

/** `meetnet:location:MP7`, `meetnet:parameter:WVC`, `meetnet:sensor:MP7WVC`. */
export function meetnetId(kind: 'location' | 'parameter' | 'sensor', nativeId: string): string {
  return `${MEETNET}:${kind}:${nativeId}`;
}

/** A Meetnet series: a sensor and the channels it is published on. */
export interface MeetnetSensor extends Sensor {
  /** Publication channels, e.g. `live_data_pub`, `hist_data_pub` (§4.6). */
  publications: string[];
}

export function isMeetnetSensor(s: Sensor): s is MeetnetSensor {
  return s.upstream === MEETNET && 'publications' in s && Array.isArray(s.publications);
}

// ---------------------------------------------------------------------------------------------
// Localized strings

function cultureLanguage(culture: string): Language | null {
  // 'nl-BE', 'fr-BE', 'en-GB' in the real API; bare 'nl'/'en' in some client docs (§4.2).
  switch (culture.trim().toLowerCase()) {
    case 'nl-be':
    case 'nl':
      return Language.NL;
    case 'fr-be':
    case 'fr':
      return Language.FR;
    case 'en-gb':
    case 'en':
      return Language.EN;
    default:
      return null;
  }
}

/** A MessageModel list → LocalizedText. Unknown cultures, junk items and placeholders are dropped. */
export function localized(list: unknown): LocalizedText {
  const out: LocalizedText = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (!isRecord(item) || typeof item.Culture !== 'string') continue;
    const lang = cultureLanguage(item.Culture);
    if (lang === null || out[lang] !== undefined) continue;
    // Placeholders such as 'en.$Location.Description.MP2' become null here (§4.2).
    const text = cleanText(item.Message);
    if (text !== null) out[lang] = text;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Catalog

/** Look-ups keyed by global ID (`meetnet:location:MP7`). */
export interface MeetnetCatalog extends CatalogIndex<MeetnetSensor> {
  /** Rows (locations, parameters, parameter types, available data) left out because they were malformed or repeated. */
  skipped: number;
}

function nativeKey(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** Optional list field: absent or null is fine, anything but an array is a malformed row. */
function optionalList(v: unknown): boolean {
  return v === undefined || v === null || Array.isArray(v);
}

function mapLocation(row: unknown): Location | null {
  if (!isRecord(row)) return null;
  const id = nativeKey(row.ID);
  if (id === null || !Array.isArray(row.Name) || !optionalList(row.Description)) return null;
  if (row.PositionWKT !== undefined && row.PositionWKT !== null && typeof row.PositionWKT !== 'string') return null;
  return {
    id: meetnetId('location', id),
    upstream: MEETNET,
    nativeId: id,
    name: localized(row.Name),
    description: localized(row.Description),
    // WKT is 'POINT (<lon> <lat>)', longitude first; its digit count changed over the years (§4.3).
    position: parsePointWkt(row.PositionWKT),
    parentId: null,
  };
}

function mapParameter(row: unknown, categories: Map<number, LocalizedText>): Parameter | null {
  if (!isRecord(row)) return null;
  const id = nativeKey(row.ID);
  if (id === null || !Array.isArray(row.Name)) return null;
  if (row.Unit !== undefined && row.Unit !== null && typeof row.Unit !== 'string') return null;
  const typeId = row.ParameterTypeID;
  if (typeId !== undefined && typeId !== null && typeof typeId !== 'number') return null;
  return {
    id: meetnetId('parameter', id),
    upstream: MEETNET,
    nativeId: id,
    code: id,
    name: localized(row.Name),
    unit: cleanText(row.Unit),
    category: typeof typeId === 'number' ? { ...(categories.get(typeId) ?? {}) } : {},
  };
}

function mapSensor(row: unknown, locationById: Map<string, Location>, parameterById: Map<string, Parameter>): MeetnetSensor | null {
  if (!isRecord(row)) return null;
  const id = nativeKey(row.ID);
  // The keys are `Location`/`Parameter`, not `LocationID`/`ParameterID` (§4.6).
  const loc = nativeKey(row.Location);
  const param = nativeKey(row.Parameter);
  if (id === null || loc === null || param === null) return null;
  const interval = row.CurrentInterval;
  if (interval !== undefined && interval !== null && (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0)) {
    return null;
  }
  if (!optionalList(row.Publications)) return null;
  const locationId = meetnetId('location', loc);
  const parameter = parameterById.get(meetnetId('parameter', param));
  return {
    id: meetnetId('sensor', id),
    upstream: MEETNET,
    nativeId: id,
    // A reference to a location/parameter the catalog does not hold (or that was skipped) is null, not dangling.
    locationId: locationById.has(locationId) ? locationId : null,
    parameterId: parameter ? parameter.id : null,
    unit: parameter ? parameter.unit : null,
    // CurrentInterval 0 = not measured at present (§4.6).
    intervalMinutes: typeof interval === 'number' && interval > 0 ? interval : null,
    publications: Array.isArray(row.Publications) ? row.Publications.filter((p): p is string => typeof p === 'string' && p !== '') : [],
  };
}

/** `GET /V2/catalog` → locations, parameters and sensors (one per AvailableData row). */
export function mapCatalog(wire: unknown): MeetnetCatalog {
  if (!isRecord(wire)) fail('catalog', 'an object', wire);
  const { Locations, Parameters, ParameterTypes, AvailableData } = wire;
  if (!Array.isArray(Locations)) fail('catalog.Locations', 'an array', Locations);
  if (!Array.isArray(Parameters)) fail('catalog.Parameters', 'an array', Parameters);
  if (!Array.isArray(AvailableData)) fail('catalog.AvailableData', 'an array', AvailableData);
  // ParameterTypes is a dictionary keyed by the type ID as a string, not an array (§4.1).
  if (!isRecord(ParameterTypes)) fail('catalog.ParameterTypes', 'an object', ParameterTypes);

  let skipped = 0;

  const categories = new Map<number, LocalizedText>();
  for (const [key, type] of Object.entries(ParameterTypes)) {
    const id = isRecord(type) && typeof type.ID === 'number' ? type.ID : Number(key);
    if (!isRecord(type) || !Number.isInteger(id) || !Array.isArray(type.Name)) {
      skipped++;
      continue;
    }
    categories.set(id, localized(type.Name));
  }

  const locations: Location[] = [];
  const locationById = new Map<string, Location>();
  for (const row of Locations) {
    const loc = mapLocation(row);
    if (!loc || locationById.has(loc.id)) {
      skipped++;
      continue;
    }
    locations.push(loc);
    locationById.set(loc.id, loc);
  }

  const parameters: Parameter[] = [];
  const parameterById = new Map<string, Parameter>();
  for (const row of Parameters) {
    const p = mapParameter(row, categories);
    if (!p || parameterById.has(p.id)) {
      skipped++;
      continue;
    }
    parameters.push(p);
    parameterById.set(p.id, p);
  }

  const sensors: MeetnetSensor[] = [];
  const sensorById = new Map<string, MeetnetSensor>();
  for (const row of AvailableData) {
    const s = mapSensor(row, locationById, parameterById);
    if (!s || sensorById.has(s.id)) {
      skipped++;
      continue;
    }
    sensors.push(s);
    sensorById.set(s.id, s);
  }

  // Lists keep the upstream's order, which is ascending by ID (§4.1).
  return { locations, parameters, sensors, locationById, parameterById, sensorById, skipped };
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!;
  return d <= max;
}

/**
 * Days since 1970-01-01 of a (valid) date, by arithmetic (Howard Hinnant's days_from_civil):
 * Date.UTC without its mapping of years 0–99 to 1900–1999 and without its cost.
 */
export function daysFromCivil(y: number, mo: number, d: number): number {
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** Date.UTC for a valid date and time (see daysFromCivil). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000;
}

/**
 * The API's own `yyyy-MM-ddTHH:mm:ss+00:00` (§5.2), read by hand at `at` in `s`: epoch ms, null
 * for an impossible date in that form, undefined when the text is not in that form.
 */
function apiTimestampAt(s: string, at: number): number | null | undefined {
  if (
    s.charCodeAt(at + 4) !== 45 || // -
    s.charCodeAt(at + 7) !== 45 ||
    s.charCodeAt(at + 10) !== 84 || // T
    s.charCodeAt(at + 13) !== 58 || // :
    s.charCodeAt(at + 16) !== 58 ||
    !s.startsWith('+00:00', at + 19)
  ) {
    return undefined;
  }
  const y = digits(s, at, 4);
  const mo = digits(s, at + 5, 2);
  const d = digits(s, at + 8, 2);
  const h = digits(s, at + 11, 2);
  const mi = digits(s, at + 14, 2);
  const sec = digits(s, at + 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || !validDate(y, mo, d, h, mi, sec)) return null;
  return utc(y, mo, d, h, mi, sec);
}

/**
 * A Meetnet timestamp → epoch ms, or null when it is not a valid ISO 8601 instant. The fast path
 * reads the API's own `yyyy-MM-ddTHH:mm:ss+00:00` (§5.2) by hand; other ISO forms go through
 * Date.parse, a zone-less one being read as UTC. Impossible dates (Feb 30) are rejected.
 */
export function parseMeetnetTimestamp(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  if (s.length === 25) {
    const t = apiTimestampAt(s, 0);
    if (t !== undefined) return t;
  }
  if (s.length > 40) return null;
  const m = ISO_LIKE.exec(s);
  if (!m) return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const hasTime = s.length > 10;
  const h = hasTime ? digits(s, 11, 2) : 0;
  const mi = hasTime ? digits(s, 14, 2) : 0;
  const sec = hasTime && s.charCodeAt(16) === 58 ? digits(s, 17, 2) : 0;
  if (!validDate(y, mo, d, h, mi, sec)) return null;
  // Date.parse reads a zone-less date-time as local time: force UTC.
  const t = Date.parse(m[1] === undefined ? (hasTime ? `${s.replace(' ', 'T')}Z` : `${s}T00:00:00Z`) : s.replace(' ', 'T'));
  return Number.isFinite(t) ? t : null;
}

/** The request form of an instant: ISO 8601 with `Z`, which the API accepts (§6.1). */
export function formatRequestTime(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// currentData

/** `/V2/currentData` → latest value per native series ID. Malformed items are skipped. */
export function mapCurrentData(wire: unknown): Map<string, LatestValue> {
  // The response is a bare array, not wrapped in an object (§5.2).
  if (!Array.isArray(wire)) fail('currentData', 'an array', wire);
  const out = new Map<string, LatestValue>();
  for (const item of wire) {
    if (!isRecord(item)) continue;
    const id = nativeKey(item.ID);
    const time = parseMeetnetTimestamp(item.Timestamp);
    const v = item.Value;
    if (id === null || time === null) continue;
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) continue;
    const seen = out.get(id);
    // One value per series; should an ID repeat (seen in a stored copy, §9), the later timestamp wins.
    if (seen && seen.time >= time) continue;
    out.set(id, { time, value: v });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// getData

export type MeetnetSeries = SeriesData & { min: number | null; max: number | null };

/**
 * Sorts by time (stable) and keeps the first value of each timestamp. The input arrays are not
 * modified when they are already strictly ascending (they are then returned as they are).
 */
function normalize(times: number[], values: (number | null)[]): SeriesData {
  const n = times.length;
  let ascending = true; // non-decreasing
  let strict = true;
  for (let i = 1; i < n; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d <= 0) {
      strict = false;
      if (d < 0) {
        ascending = false;
        break;
      }
    }
  }
  if (strict) return { times, values };
  const outT: number[] = [];
  const outV: (number | null)[] = [];
  if (ascending) {
    // Only repeated timestamps: one linear pass.
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (outT.length > 0 && outT[outT.length - 1] === t) continue;
      outT.push(t);
      outV.push(values[i]!);
    }
    return { times: outT, values: outV };
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Typed-array sort is not guaranteed stable: break ties on the index so the first value seen wins.
  order.sort((a, b) => times[a]! - times[b]! || a - b);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const t = times[i]!;
    if (outT.length > 0 && outT[outT.length - 1] === t) continue;
    outT.push(t);
    outV.push(values[i]!);
  }
  return { times: outT, values: outV };
}

function withRange(data: SeriesData): MeetnetSeries {
  let min: number | null = null;
  let max: number | null = null;
  const vs = data.values;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    if (v === null) continue;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { times: data.times, values: data.values, min, max };
}

/**
 * `POST /V2/getData` → series per native ID, ascending and unique in time, with min/max of the
 * points. Any point the gateway cannot read is an error, not a silent gap.
 */
export function mapGetData(wire: unknown): Map<string, MeetnetSeries> {
  if (!isRecord(wire)) fail('getData', 'an object', wire);
  const list = wire.Values;
  // An unknown ID gives Values null (or []) instead of an error (§6.2).
  if (list === null || list === undefined) return new Map();
  if (!Array.isArray(list)) fail('getData.Values', 'an array', list);

  const raw = new Map<string, Accumulator>();
  for (let s = 0; s < list.length; s++) {
    const series: unknown = list[s];
    if (!isRecord(series)) fail(`getData.Values[${s}]`, 'an object', series);
    const id = nativeKey(series.ID);
    if (id === null) fail(`getData.Values[${s}].ID`, 'a string', series.ID);
    const points = series.Values;
    // A series without data in the window has `Values: []`, older versions sent null (§6.2).
    if (points !== null && points !== undefined && !Array.isArray(points)) {
      fail(`getData series ${id} Values`, 'an array', points);
    }
    const acc = accumulator(raw, id);
    if (!points) continue;
    for (let i = 0; i < points.length; i++) {
      const p: unknown = points[i];
      if (!isRecord(p)) fail(`getData series ${id} point ${i}`, 'an object', p);
      const t = parseMeetnetTimestamp(p.Timestamp);
      if (t === null) fail(`getData series ${id} point ${i} Timestamp`, 'a valid timestamp', p.Timestamp);
      const v = p.Value;
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
        fail(`getData series ${id} point ${i} Value`, 'a number or null', v);
      addPoint(acc, t, v);
    }
  }
  return finishSeries(raw);
}

/** The points of one series as they arrive, in one pass: the order is checked and min/max tracked, a sort only paid for when needed. */
export interface Accumulator {
  times: number[];
  values: (number | null)[];
  strict: boolean; // strictly ascending so far
  min: number | null;
  max: number | null;
}

export function newAccumulator(): Accumulator {
  return { times: [], values: [], strict: true, min: null, max: null };
}

/** The accumulator of series `id` (an ID may come back in several entries: they are joined). */
export function accumulator(raw: Map<string, Accumulator>, id: string): Accumulator {
  let acc = raw.get(id);
  if (!acc) raw.set(id, (acc = newAccumulator()));
  return acc;
}

/** One point, already checked: `t` a valid instant, `v` a finite number or null. */
export function addPoint(acc: Accumulator, t: number, v: number | null): void {
  if (v !== null) {
    if (acc.min === null || v < acc.min) acc.min = v;
    if (acc.max === null || v > acc.max) acc.max = v;
  }
  const times = acc.times;
  if (times.length > 0 && t <= times[times.length - 1]!) acc.strict = false;
  times.push(t);
  acc.values.push(v);
}

export function finishSeries(raw: Map<string, Accumulator>): Map<string, MeetnetSeries> {
  const out = new Map<string, MeetnetSeries>();
  for (const [id, acc] of raw) {
    // Series are "not always sorted on the server" and sometimes repeat a timestamp (§6.2);
    // after dropping repeats, min/max are recomputed from the points that remain.
    out.set(
      id,
      acc.strict ? { times: acc.times, values: acc.values, min: acc.min, max: acc.max } : withRange(normalize(acc.times, acc.values)),
    );
  }
  return out;
}

/**
 * Joins consecutive 365-day chunks (each ascending) into one series. Neighbouring chunks share
 * their boundary instant (both ends inclusive, §6.2), so a timestamp already taken is skipped.
 * Overlapping or out-of-order chunks fall back to a full sort, first value seen winning.
 */
export function mergeSeries(chunks: SeriesData[]): SeriesData {
  const times: number[] = [];
  const values: (number | null)[] = [];
  let last = -Infinity;
  for (const chunk of chunks) {
    const ct = chunk.times;
    const cv = chunk.values;
    for (let i = 0; i < ct.length; i++) {
      const t = ct[i]!;
      if (t > last) {
        times.push(t);
        values.push(cv[i] ?? null);
        last = t;
      } else if (t < last) {
        return mergeUnordered(chunks);
      }
    }
  }
  return { times, values };
}

function mergeUnordered(chunks: SeriesData[]): SeriesData {
  const times: number[] = [];
  const values: (number | null)[] = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.times.length; i++) {
      times.push(chunk.times[i]!);
      values.push(chunk.values[i] ?? null);
    }
  }
  return normalize(times, values);
}
