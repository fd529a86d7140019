// BEMServer wire → unified model. Pure functions, no I/O (contract: CONTRACT.md).
import { Language, type LocalizedText, type Location, type Parameter, type Sensor } from '../../shared/domain.js';
import { cleanText } from '../../shared/text.js';
import type { SeriesResult } from '../series.js';
import { WireFormatError, fail, isRecord, previewValue } from '../wire-error.js';

export { WireFormatError };

// ---------------------------------------------------------------------------------------------
// Global IDs

/** The upstream's name: the prefix of its global IDs. */
export const BEMSERVER = 'bemserver';

/** A BEMServer timeseries: a sensor with its campaign and property values. */
export interface BemServerSensor extends Sensor {
  /** Global ID of the campaign (a Location) the series belongs to. */
  campaignId: string;
  /** Property values of the series (timeseries properties, e.g. Min, Max, Interval). */
  properties: Array<{ parameterId: string; value: string }>;
}

export function isBemServerSensor(s: Sensor): s is BemServerSensor {
  return s.upstream === BEMSERVER && 'campaignId' in s && 'properties' in s;
}

/** `bemserver:location:site:1`, `bemserver:sensor:12`, `bemserver:parameter:3`. */
export function bemId(kind: 'location' | 'parameter' | 'sensor', nativeId: string): string {
  return `${BEMSERVER}:${kind}:${nativeId}`;
}

export type BemLocationKind = 'campaign' | 'site' | 'building' | 'storey' | 'space' | 'zone';

/** `bemserver:location:<kind>:<id>`: ids are only unique per resource, so the kind is part of the native ID. */
export function bemLocationId(kind: BemLocationKind, id: number): string {
  return bemId('location', `${kind}:${id}`);
}

// BEMServer texts are not translated: everything goes under EN.
const en = (text: string | null): LocalizedText => (text === null ? {} : { [Language.EN]: text });

// ---------------------------------------------------------------------------------------------
// Field checks
//
// Lengths: the server caps names at 80 chars, descriptions at 500 (250 for properties), ifc_id at
// 22 and property values at 100 (§6.1). The limits below leave room for other versions but refuse
// what no BEMServer writes.

const NAME_MAX = 200;
const DESCRIPTION_MAX = 2_000;
const SHORT_MAX = 100; // unit symbols, ifc_id, value types, time zone names
const VALUE_MAX = 1_000;

/** A database id: a non-negative safe integer. */
function intField(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'a non-negative integer', v);
  return v;
}

function stringField(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) fail(path, `a string of at most ${max} chars`, v);
  return v;
}

/** Null fields are left out of every resource (§1.2); an explicit null is read the same way. */
function optionalString(v: unknown, path: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  return stringField(v, path, max);
}

function optionalInstant(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  const t = parseBemTime(v);
  if (t === null) fail(path, 'an aware ISO 8601 datetime', v);
  return t;
}

function listField(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

function coordinate(v: unknown, path: string, limit: number): number | null {
  if (v === undefined || v === null) return null;
  // The schema validates −90..90 / −180..180 (§6.1): anything else is not a BEMServer answer.
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > limit) fail(path, `a number within ±${limit}`, v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Instants

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1]!;
}

/**
 * A BEMServer timestamp → epoch ms; null when not aware or not valid. Forms seen: `isoformat()` in
 * JSON (`2020-01-01T00:00:00+00:00`, `+01:00`, microseconds `…T00:00:00.500000+00:00`, §7.3), strftime
 * `%z` in CSV (`+0000`, §7.4), and what the query parser accepts (`Z`, `±HH`, `±HHMM`, `±HH:MM`, §1.3).
 * Sub-millisecond digits are truncated.
 */
// The common case, `2020-01-01T00:00:00+00:00` (UTC, whole seconds), parsed without a regex or a
// Date: a year of 10-minute data is 52 560 of them. The date part is worked out once per day.
let fastDay = '';
let fastDayMs = Number.NaN;

function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function parseUtcSeconds(s: string): number | null {
  const day = s.slice(0, 10);
  if (day !== fastDay) {
    const t = parseBemTime(`${day}T00:00:00Z`);
    if (t === null) return null;
    fastDay = day;
    fastDayMs = t;
  }
  const h = twoDigits(s, 11);
  const m = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59 || s[13] !== ':' || s[16] !== ':') return null;
  return fastDayMs + h * 3_600_000 + m * 60_000 + sec * 1000;
}

export function parseBemTime(s: unknown): number | null {
  if (typeof s !== 'string' || s.length > 40) return null;
  if (s.length === 25 && s[10] === 'T' && s.endsWith('+00:00')) return parseUtcSeconds(s);
  const m = INSTANT.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC maps years 0–99 to 1900–1999; BEMServer keeps 1680–2260 (§1.3), but stay exact anyway.
  let local: number;
  if (year >= 100) {
    local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  } else {
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, ms);
    local = d.getTime();
  }
  let offsetMin = 0;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const t = local - offsetMin * 60_000;
  return Number.isFinite(t) ? t : null;
}

/** Epoch ms → `2020-01-01T00:00:00+00:00` (milliseconds only when not zero), as the server writes it (§7.7). */
function formatUtc(t: number): string {
  const iso = new Date(t).toISOString(); // 2020-01-01T00:00:00.000Z
  const base = iso.endsWith('.000Z') ? iso.slice(0, -5) : iso.slice(0, -1);
  return `${base}+00:00`;
}

// ---------------------------------------------------------------------------------------------
// Structure: campaigns, sites, buildings, storeys, spaces, zones

export interface BemStructure {
  campaigns: unknown;
  sites: unknown;
  buildings: unknown;
  storeys: unknown;
  spaces: unknown;
  zones: unknown;
}

interface StructureLevel {
  kind: BemLocationKind;
  list: keyof BemStructure;
  /** The foreign key to the parent and the parent's kind (§6.1); none for campaigns. */
  parent: { key: string; kind: BemLocationKind } | null;
}

const LEVELS: readonly StructureLevel[] = [
  { kind: 'campaign', list: 'campaigns', parent: null },
  { kind: 'site', list: 'sites', parent: { key: 'campaign_id', kind: 'campaign' } },
  { kind: 'building', list: 'buildings', parent: { key: 'site_id', kind: 'site' } },
  { kind: 'storey', list: 'storeys', parent: { key: 'building_id', kind: 'building' } },
  { kind: 'space', list: 'spaces', parent: { key: 'storey_id', kind: 'storey' } },
  { kind: 'zone', list: 'zones', parent: { key: 'campaign_id', kind: 'campaign' } },
];

interface StructureRow {
  location: Location;
  parentKey: string | null;
}

function structureRow(row: unknown, level: StructureLevel, path: string): StructureRow {
  if (!isRecord(row)) fail(path, 'an object', row);
  const id = intField(row.id, `${path}.id`);
  const p = `${level.kind} ${id}`;
  const name = stringField(row.name, `${p} name`, NAME_MAX);
  const description = optionalString(row.description, `${p} description`, DESCRIPTION_MAX);
  optionalString(row.ifc_id, `${p} ifc_id`, SHORT_MAX);
  let parentKey: string | null = null;
  if (level.parent !== null) {
    const parentId = intField(row[level.parent.key], `${p} ${level.parent.key}`);
    parentKey = bemLocationId(level.parent.kind, parentId);
  }
  let position: Location['position'] = null;
  if (level.kind === 'campaign') {
    // Read only to refuse a malformed campaign (§6.1: timezone required, times aware).
    stringField(row.timezone, `${p} timezone`, SHORT_MAX);
    optionalInstant(row.start_time, `${p} start_time`);
    optionalInstant(row.end_time, `${p} end_time`);
  } else if (level.kind === 'site') {
    // Only sites carry coordinates; both must be there for a position (§6.1).
    const latitude = coordinate(row.latitude, `${p} latitude`, 90);
    const longitude = coordinate(row.longitude, `${p} longitude`, 180);
    if (latitude !== null && longitude !== null) position = { latitude, longitude };
  }
  return {
    location: {
      id: bemLocationId(level.kind, id),
      upstream: BEMSERVER,
      nativeId: `${level.kind}:${id}`,
      name: en(cleanText(name)),
      description: en(cleanText(description)),
      position,
      parentId: null,
      kind: level.kind,
    },
    parentKey,
  };
}

/**
 * The six structure lists (none is paginated, §4) → Locations with parentId: site → campaign,
 * building → site, storey → building, space → storey, zone → campaign. A row whose parent is not in
 * the lists still maps, with parentId null. A repeated id keeps its first row. Strict: one malformed
 * row fails the whole structure.
 */
export function mapLocations(s: BemStructure): Location[] {
  const rows: StructureRow[] = [];
  const seen = new Set<string>();
  for (const level of LEVELS) {
    const list = listField(s[level.list], level.list);
    for (let i = 0; i < list.length; i++) {
      const row = structureRow(list[i], level, `${level.list}[${i}]`);
      if (seen.has(row.location.id)) continue;
      seen.add(row.location.id);
      rows.push(row);
    }
  }
  for (const r of rows) {
    if (r.parentKey !== null && seen.has(r.parentKey)) r.location.parentId = r.parentKey;
  }
  return rows.map((r) => r.location);
}

/** Campaign id → its IANA time zone (§6.1), for BemSensorContext.campaignTimezones. */
export function campaignTimezones(campaigns: unknown): Map<number, string> {
  const list = listField(campaigns, 'campaigns');
  const out = new Map<number, string>();
  for (let i = 0; i < list.length; i++) {
    const row: unknown = list[i];
    if (!isRecord(row)) fail(`campaigns[${i}]`, 'an object', row);
    const id = intField(row.id, `campaigns[${i}].id`);
    const tz = stringField(row.timezone, `campaign ${id} timezone`, SHORT_MAX).trim();
    if (tz !== '' && !out.has(id)) out.set(id, tz);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parameters: timeseries properties

const VALUE_TYPES = new Set(['integer', 'float', 'boolean', 'string']);

/**
 * `GET /timeseries_properties/` (not paginated) → Parameters: code = property name, unit = its
 * unit_symbol (absent or "" → null), category = value_type (§6.1). The seed has Min, Max and Interval.
 */
export function mapParameters(json: unknown): Parameter[] {
  const list = listField(json, 'timeseries_properties');
  const out: Parameter[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < list.length; i++) {
    const row: unknown = list[i];
    const path = `timeseries_properties[${i}]`;
    if (!isRecord(row)) fail(path, 'an object', row);
    const id = intField(row.id, `${path}.id`);
    const p = `timeseries property ${id}`;
    const name = stringField(row.name, `${p} name`, NAME_MAX);
    optionalString(row.description, `${p} description`, DESCRIPTION_MAX);
    const valueType = row.value_type;
    if (typeof valueType !== 'string' || !VALUE_TYPES.has(valueType)) {
      fail(`${p} value_type`, 'one of integer, float, boolean, string', valueType);
    }
    const unit = optionalString(row.unit_symbol, `${p} unit_symbol`, SHORT_MAX);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      id: bemId('parameter', String(id)),
      upstream: BEMSERVER,
      nativeId: String(id),
      code: name,
      name: en(cleanText(name)),
      unit: unit === null || unit.trim() === '' ? null : unit.trim(),
      category: en(valueType),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timeseries links: where a series is attached

export interface BemLinks {
  sites: unknown;
  buildings: unknown;
  storeys: unknown;
  spaces: unknown;
  zones: unknown;
}

/** Most specific first (§6.1: a timeseries carries no site/building field; the links are the only way). */
const LINK_LEVELS: ReadonlyArray<{ list: keyof BemLinks; key: string; kind: BemLocationKind }> = [
  { list: 'spaces', key: 'space_id', kind: 'space' },
  { list: 'storeys', key: 'storey_id', kind: 'storey' },
  { list: 'buildings', key: 'building_id', kind: 'building' },
  { list: 'sites', key: 'site_id', kind: 'site' },
  { list: 'zones', key: 'zone_id', kind: 'zone' },
];

/**
 * The `timeseries_by_{sites,buildings,storeys,spaces,zones}` rows → timeseries id → global location
 * id of its most specific attachment: space > storey > building > site > zone. A series linked to
 * several places at one level goes to the lowest id. Nested parents (`site`, `building`…) are ignored.
 */
export function attachmentOf(links: BemLinks): Map<number, string> {
  const out = new Map<number, string>();
  for (const level of LINK_LEVELS) {
    const list = listField(links[level.list], `timeseries_by_${level.list}`);
    const best = new Map<number, number>();
    for (let i = 0; i < list.length; i++) {
      const row: unknown = list[i];
      const path = `timeseries_by_${level.list}[${i}]`;
      if (!isRecord(row)) fail(path, 'an object', row);
      const tsId = intField(row.timeseries_id, `${path}.timeseries_id`);
      const placeId = intField(row[level.key], `${path}.${level.key}`);
      const prev = best.get(tsId);
      if (prev === undefined || placeId < prev) best.set(tsId, placeId);
    }
    for (const [tsId, placeId] of best) {
      if (!out.has(tsId)) out.set(tsId, bemLocationId(level.kind, placeId));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sensors: timeseries

export interface BemSensorContext {
  attachment: Map<number, string>;
  /** timeseries id → [{property id, value string}] from timeseries_property_data. */
  properties: Map<number, Array<{ propertyId: number; value: string }>>;
  /** property id → name, to find the 'Interval' property (seconds) that gives intervalMinutes. */
  propertyNames: Map<number, string>;
  campaignTimezones: Map<number, string>;
}

/** The seeded property holding the sampling interval in seconds (§6.1: `Interval`, float, unit `s`). */
const INTERVAL_PROPERTY = 'Interval';
const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function intervalMinutesOf(props: Array<{ propertyId: number; value: string }>, names: Map<number, string>): number | null {
  for (const p of props) {
    if (names.get(p.propertyId)?.trim() !== INTERVAL_PROPERTY) continue;
    // Property values are strings whatever the value_type (§6.1); refuse `inf`, `nan`, hex, blanks.
    const v = p.value.trim();
    if (!DECIMAL.test(v)) return null;
    const seconds = Number(v);
    return Number.isFinite(seconds) && seconds > 0 ? seconds / 60 : null;
  }
  return null;
}

function timeseriesAt(json: unknown, ctx: BemSensorContext, path: string): BemServerSensor {
  if (!isRecord(json)) fail(path, 'an object', json);
  const id = intField(json.id, `${path}.id`);
  const p = `timeseries ${id}`;
  const name = stringField(json.name, `${p} name`, NAME_MAX);
  // Always present, "" by default (§6.1); absent or null is read as "no unit".
  const unit = optionalString(json.unit_symbol, `${p} unit_symbol`, SHORT_MAX);
  optionalString(json.description, `${p} description`, DESCRIPTION_MAX);
  const campaign = intField(json.campaign_id, `${p} campaign_id`);
  if (json.campaign_scope_id !== undefined && json.campaign_scope_id !== null) {
    intField(json.campaign_scope_id, `${p} campaign_scope_id`);
  }
  const campaignId = bemLocationId('campaign', campaign);
  const props = ctx.properties.get(id) ?? [];
  return {
    id: bemId('sensor', String(id)),
    upstream: BEMSERVER,
    nativeId: String(id),
    // A series linked to no place hangs under its campaign.
    locationId: ctx.attachment.get(id) ?? campaignId,
    parameterId: null,
    unit: unit === null || unit.trim() === '' ? null : unit.trim(),
    intervalMinutes: intervalMinutesOf(props, ctx.propertyNames),
    // Kept exactly as sent: it is the label of the by-name data routes (§7.1).
    name: name === '' ? null : name,
    timezone: ctx.campaignTimezones.get(campaign) ?? null,
    campaignId,
    properties: props.map((x) => ({ parameterId: bemId('parameter', String(x.propertyId)), value: x.value })),
  };
}

/** One `GET /timeseries/` row → Sensor. */
export function mapTimeseries(json: unknown, ctx: BemSensorContext): BemServerSensor {
  return timeseriesAt(json, ctx, 'timeseries');
}

/**
 * `GET /timeseries/` pages (a bare array each, §4) → Sensors. Strict: a malformed row fails the
 * list. Paging without ORDER BY can repeat a row across pages (§4): a repeated id keeps its first row.
 */
export function mapTimeseriesList(json: unknown, ctx: BemSensorContext): BemServerSensor[] {
  const list = listField(json, 'timeseries');
  const out: BemServerSensor[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const s = timeseriesAt(list[i], ctx, `timeseries[${i}]`);
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    out.push(s);
  }
  return out;
}

/** `GET /timeseries_property_data/` (not paginated) → timeseries id → its property values, in order. */
export function propertyDataByTimeseries(json: unknown): Map<number, Array<{ propertyId: number; value: string }>> {
  const list = listField(json, 'timeseries_property_data');
  const out = new Map<number, Array<{ propertyId: number; value: string }>>();
  for (let i = 0; i < list.length; i++) {
    const row: unknown = list[i];
    const path = `timeseries_property_data[${i}]`;
    if (!isRecord(row)) fail(path, 'an object', row);
    const id = intField(row.id, `${path}.id`);
    const p = `timeseries property data ${id}`;
    const tsId = intField(row.timeseries_id, `${p} timeseries_id`);
    const propertyId = intField(row.property_id, `${p} property_id`);
    // Always a string, whatever the property's value_type (§6.1).
    const value = stringField(row.value, `${p} value`, VALUE_MAX);
    let entries = out.get(tsId);
    if (entries === undefined) {
      entries = [];
      out.set(tsId, entries);
    }
    entries.push({ propertyId, value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timeseries data

const emptySeries = (): SeriesResult => ({ times: [], values: [], min: null, max: null });

function label(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

/** Sorts the points by time when the server did not, refuses a repeated instant, computes min/max. */
function finishSeries(times: number[], values: (number | null)[], what: string): SeriesResult {
  let sorted = true;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! <= times[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
    times = order.map((i) => times[i]!);
    values = order.map((i) => values[i]!);
    for (let i = 1; i < times.length; i++) {
      if (times[i] === times[i - 1]) {
        throw new WireFormatError(`${what} has the instant ${new Date(times[i]!).toISOString()} twice`);
      }
    }
  }
  let min: number | null = null;
  let max: number | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { times, values, min, max };
}

function unknownSeries(what: string, key: string): never {
  throw new WireFormatError(`${what} holds the series ${label(key)}, which was not requested`);
}

/** `{"<id or name>": {"<iso>": value}}` → one series per requested label (§7.3, §7.5). */
function mapSeriesJson(json: unknown, ids: string[], what: string): Map<string, SeriesResult> {
  if (!isRecord(json)) fail(what, 'an object', json);
  const wanted = new Set(ids);
  const out = new Map<string, SeriesResult>();
  for (const [key, points] of Object.entries(json)) {
    if (!wanted.has(key)) unknownSeries(what, key);
    const sp = `${what} series ${label(key)}`;
    if (!isRecord(points)) fail(sp, 'an object of timestamps', points);
    const times: number[] = [];
    const values: (number | null)[] = [];
    // for...in, not Object.entries: no [key, value] pair allocated per point.
    for (const ts in points) {
      const v = points[ts];
      const t = parseBemTime(ts);
      if (t === null) fail(`${sp} timestamp`, 'an aware ISO 8601 datetime', ts);
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(`${sp} at ${ts}`, 'a number or null', v);
      times.push(t);
      values.push(v);
    }
    out.set(key, finishSeries(times, values, sp));
  }
  for (const id of ids) if (!out.has(id)) out.set(id, emptySeries());
  return out;
}

/**
 * `GET /timeseries_data/` JSON → per requested id (or name) a series. A series without data is left
 * out by the server (§7.3): it maps to an empty series. A key that was not requested is an error.
 */
export function mapDataJson(json: unknown, ids: string[]): Map<string, SeriesResult> {
  return mapSeriesJson(json, ids, 'timeseries data');
}

/**
 * `GET /timeseries_data/aggregate` JSON (§7.5): same shape, gap-filled; empty buckets stay `null` on
 * the bucket axis (`count` gives integers and `0`). A request covering no bucket answers `{}`.
 */
export function mapAggregateJson(json: unknown, ids: string[]): Map<string, SeriesResult> {
  return mapSeriesJson(json, ids, 'aggregate data');
}

// ---------------------------------------------------------------------------------------------
// Stats (§7.6)

export interface BemStats {
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  stddev: number | null;
}

function nullableNumber(v: unknown, path: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'a number or null', v);
  return v;
}

function nullableInstant(v: unknown, path: string): number | null {
  if (v === null || v === undefined) return null;
  const t = parseBemTime(v);
  if (t === null) fail(path, 'an aware ISO 8601 datetime or null', v);
  return t;
}

/**
 * `GET /timeseries_data/stats` → per requested id (or name) its stats. A series without data has
 * count 0 and nulls (§7.6); one the server left out is read the same way. `stddev` is the sample one.
 */
export function mapStats(json: unknown, ids: string[]): Map<string, BemStats> {
  if (!isRecord(json)) fail('stats', 'an object', json);
  const stats = json.stats;
  if (!isRecord(stats)) fail('stats.stats', 'an object', stats);
  const wanted = new Set(ids);
  const out = new Map<string, BemStats>();
  for (const [key, s] of Object.entries(stats)) {
    if (!wanted.has(key)) unknownSeries('stats', key);
    const p = `stats series ${label(key)}`;
    if (!isRecord(s)) fail(p, 'an object', s);
    const count = s.count;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) fail(`${p} count`, 'a non-negative integer', count);
    out.set(key, {
      firstTimestamp: nullableInstant(s.first_timestamp, `${p} first_timestamp`),
      lastTimestamp: nullableInstant(s.last_timestamp, `${p} last_timestamp`),
      count,
      min: nullableNumber(s.min, `${p} min`),
      max: nullableNumber(s.max, `${p} max`),
      avg: nullableNumber(s.avg, `${p} avg`),
      stddev: nullableNumber(s.stddev, `${p} stddev`),
    });
  }
  for (const id of ids) {
    if (!out.has(id)) {
      out.set(id, { firstTimestamp: null, lastTimestamp: null, count: 0, min: null, max: null, avg: null, stddev: null });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pagination (§4)

function pageNumber(v: unknown): number | null | false {
  if (v === undefined || v === null) return null;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : false;
}

/**
 * `X-Pagination: {"total": 25, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1, "next_page": 2}`
 * → fields; keys that do not apply are left out by the server (past the end: no `page`; 0 items: only
 * the totals). Null when the header is absent or unparseable.
 */
export function parsePagination(header: unknown): {
  total: number;
  totalPages: number;
  page: number | null;
  lastPage: number | null;
  nextPage: number | null;
} | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (typeof raw !== 'string' || raw.length > 2_000) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const total = pageNumber(parsed.total);
  const totalPages = pageNumber(parsed.total_pages);
  const page = pageNumber(parsed.page);
  const lastPage = pageNumber(parsed.last_page);
  const nextPage = pageNumber(parsed.next_page);
  if (total === null || total === false || totalPages === null || totalPages === false) return null;
  if (page === false || lastPage === false || nextPage === false) return null;
  return { total, totalPages, page, lastPage, nextPage };
}

// ---------------------------------------------------------------------------------------------
// Error bodies (§1.4, §2.4, §7.9)

const MESSAGE_LIMIT = 600;
const MAX_ENTRIES = 20;

function bound(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > MESSAGE_LIMIT ? `${t.slice(0, MESSAGE_LIMIT - 1)}…` : t;
}

/**
 * `{"name": ["msg"]}`, `{"data_state": "Unknown data state ID"}` (a plain string, §1.4), list items by
 * index `{"timeseries": {"0": ["Not a valid integer."]}}` → `query.timeseries.0: Not a valid integer.`
 */
function flattenErrors(v: unknown, path: string, parts: string[], fields: string[], depth: number): void {
  if (depth > 8 || parts.length >= MAX_ENTRIES) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    if (!fields.includes(path)) fields.push(path);
    parts.push(`${path}: ${String(v)}`);
  } else if (Array.isArray(v)) {
    for (const m of v) flattenErrors(m, path, parts, fields, depth + 1);
  } else if (isRecord(v)) {
    for (const [k, m] of Object.entries(v)) flattenErrors(m, `${path}.${k}`, parts, fields, depth + 1);
  }
}

/**
 * An error body `{"code", "status"[, "message"][, "errors"]}` (§1.4) → what a typed gateway error
 * needs: the message (`message`, then the flattened `errors.json|query|files` entries), the field
 * paths named (`json.campaign_id`, `query.timeseries.0`, `json._schema`) and, for a 401, the code
 * in `errors.authentication` (§2.4).
 */
export function bemErrorOutcome(status: number, body: unknown): { message: string; fields: string[]; authCode: string | null } {
  if (!isRecord(body)) {
    const text = typeof body === 'string' ? bound(body) : '';
    return { message: text || `HTTP ${status} without a JSON body`, fields: [], authCode: null };
  }
  const parts: string[] = [];
  const fields: string[] = [];
  if (typeof body.message === 'string' && body.message.trim() !== '') parts.push(body.message);
  let authCode: string | null = null;
  const errors = body.errors;
  if (isRecord(errors)) {
    const auth = errors.authentication;
    if (typeof auth === 'string' && auth.trim() !== '') authCode = bound(auth).slice(0, SHORT_MAX);
    for (const location of ['json', 'query', 'files', 'form', 'headers']) {
      if (errors[location] !== undefined) flattenErrors(errors[location], location, parts, fields, 0);
    }
  } else if (Array.isArray(errors)) {
    flattenErrors(errors, 'errors', parts, fields, 0);
  }
  if (authCode !== null && parts.length === 0) parts.push(`Authentication error: ${authCode}`);
  const reason = typeof body.status === 'string' && body.status.length <= SHORT_MAX ? body.status.trim() : '';
  const message = bound(parts.join('; ')) || (reason !== '' ? `HTTP ${status} ${reason}` : `HTTP ${status}`);
  return { message, fields, authCode };
}

// ---------------------------------------------------------------------------------------------
// Writes (§7.7)

/**
 * One series → the JSON body of `POST /timeseries_data/`: `{"<id>": {"<iso +00:00>": value}}`.
 * Nulls are skipped (the server would skip them too). Existing points are not overwritten by the
 * server (first write wins): the caller deletes the range first to correct data.
 */
export function toDataJson(id: string, times: number[], values: Array<number | null>): Record<string, Record<string, number>> {
  if (times.length !== values.length) {
    throw new RangeError(`toDataJson: ${times.length} times but ${values.length} values`);
  }
  const points: Record<string, number> = {};
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const v = values[i];
    if (!Number.isFinite(t)) throw new RangeError(`toDataJson: time ${i} is not a finite epoch (got ${previewValue(t)})`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`toDataJson: value ${i} is not a finite number (got ${previewValue(v)})`);
    const key = formatUtc(t);
    if (Object.hasOwn(points, key)) throw new RangeError(`toDataJson: the instant ${key} is given twice`);
    points[key] = v;
  }
  return { [id]: points };
}
