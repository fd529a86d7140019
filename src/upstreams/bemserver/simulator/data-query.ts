// What the data routes share (§7.2, §7.5, §7.9): the query in the schema's order, the timeseries it names, conversions, size guards.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { conversion, unitInfo } from './data.js';
import { HOUR, MINUTE, SECOND } from './datetimes.js';
import { estimate } from './points.js';
import { pyRepr } from './pyjson.js';
import { QueryArgs } from './query-args.js';
import { errorResult } from './responses.js';
import type { Row, Store } from './store.js';
import { NOT_INT, maInt, unknownDataState, validationError, type Errors } from './validation.js';

/** Guards of the simulator itself (it runs inside test processes), answered 422 with a message. */
export const MAX_POINTS_OUT = 5_000_000;
export const MAX_POINTS_SCANNED = 20_000_000;
export const MAX_BUCKETS = 1_000_000;
export const MAX_CELLS = 5_000_000;

const PERIODS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];
export const FIXED_PERIOD_MS: Partial<Record<Period, number>> = { second: SECOND, minute: MINUTE, hour: HOUR };
const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
const BUCKET_VALUE_MESSAGE = 'Only fixed bucket width units (second, minute, hour) accept a value different than 1.';
const CONVERT_TO_SIZE_MESSAGE = 'If provided, convert_to must be the same size as timeseries.';

/** A timeseries a data request names, and the label it answers under (id or name, as asked). */
export interface Target {
  row: Row;
  label: string;
}

/** Query fields a data route reads besides timeseries and data_state (§7.2, §7.5, §7.6, §7.8). */
export type DataField = 'window' | 'timezone' | 'convert_to' | 'buckets';

/** The data routes' query arguments; the fields a route does not read stay undefined. */
export interface DataArgs {
  labels?: Array<number | string>;
  start?: number;
  end?: number;
  ds?: number;
  tz?: string;
  convertTo?: string[];
  width?: number;
  unit?: Period;
  agg?: Aggregation;
}

/**
 * After validation (§7.2 check order): by-name campaign (404), then the timeseries (422
 * "Unknown timeseries: [69]"), then the data state (422, a plain string).
 */
export function lookup(
  store: Store,
  labels: Array<number | string>,
  ds: number | null,
  campaignId: number | undefined,
): { targets: Target[] } | { result: SimResult } {
  if (campaignId !== undefined && !store.row('campaigns', campaignId)) return { result: errorResult(404) };
  const seen = new Set<string>();
  const unknown: Array<number | string> = [];
  const targets: Target[] = [];
  for (const l of labels) {
    const key = String(l);
    if (seen.has(key)) continue;
    seen.add(key);
    const row =
      campaignId === undefined
        ? store.row('timeseries', l as number)
        : store.rows('timeseries').find((r) => r.campaign_id === campaignId && r.name === l);
    if (row) targets.push({ row, label: key });
    else unknown.push(l);
  }
  if (unknown.length > 0) {
    const list = unknown.map((u) => (typeof u === 'number' ? String(u) : pyRepr(u))).join(', ');
    return { result: errorResult(422, { message: `Unknown timeseries: [${list}]` }) };
  }
  if (ds !== null && !store.row('timeseries_data_states', ds)) {
    return { result: unknownDataState() };
  }
  return { targets };
}

/**
 * A data route's query up to its targets (§7.2 check order): the fields (timeseries ids, or names
 * on the by-campaign routes, then those `fields` names) in the route schema's order, so that a 422
 * lists every field error in that order; then the schema checks (convert_to as long as
 * timeseries; a width other than 1 only for fixed units, §7.5); then the lookup.
 */
export function dataQuery(
  store: Store,
  req: SimRequest,
  campaignId: number | undefined,
  fields: readonly DataField[],
): { args: DataArgs; targets: Target[] } | { result: SimResult } {
  const q = new QueryArgs(req.query);
  const args: DataArgs = {
    labels:
      campaignId !== undefined
        ? q.list<string>('timeseries', true, (s) => s)
        : q.list<number>('timeseries', true, (s) => maInt(s) ?? { error: NOT_INT }),
  };
  if (fields.includes('window')) {
    args.start = q.aware('start_time', true);
    args.end = q.aware('end_time', true);
  }
  args.ds = q.int('data_state', true);
  if (fields.includes('timezone')) args.tz = q.timezone('timezone');
  if (fields.includes('convert_to'))
    args.convertTo = q.list<string>('convert_to', false, (s) => (s === '' || unitInfo(s) ? s : { error: 'Undefined unit.' }));
  if (fields.includes('buckets')) {
    args.width = q.int('bucket_width_value', true, [1, Infinity]);
    args.unit = q.oneOf('bucket_width_unit', PERIODS, undefined, true);
    args.agg = q.oneOf('aggregation', AGGREGATIONS, 'avg');
  }
  if (!q.ok) return { result: validationError('query', q.errors) };
  const schemaErrors: Errors = {};
  if (args.convertTo && args.convertTo.length !== args.labels!.length) schemaErrors._schema = [CONVERT_TO_SIZE_MESSAGE];
  if (fields.includes('buckets') && FIXED_PERIOD_MS[args.unit!] === undefined && args.width !== 1)
    schemaErrors.bucket_width_value = [BUCKET_VALUE_MESSAGE];
  if (Object.keys(schemaErrors).length > 0) return { result: validationError('query', schemaErrors) };
  const found = lookup(store, args.labels!, args.ds!, campaignId);
  return 'result' in found ? found : { args, targets: found.targets };
}

/** convert_to per target (pint semantics; "" = none); `source` overrides the series unit (count). */
export function conversions(
  targets: Target[],
  labels: Array<number | string>,
  convertTo: string[] | undefined,
  source?: string,
): Array<{ scale: number; shift: number } | null> | { error: string } {
  const wanted = new Map<string, string>();
  if (convertTo) labels.forEach((l, i) => convertTo[i] && wanted.set(String(l), convertTo[i]!));
  const out: Array<{ scale: number; shift: number } | null> = [];
  for (const t of targets) {
    const unit = wanted.get(t.label);
    if (!unit) {
      out.push(null);
      continue;
    }
    const c = conversion(source ?? String(t.row.unit_symbol ?? ''), unit);
    if ('error' in c) return c;
    out.push(c.scale === 1 && c.shift === 0 ? null : c);
  }
  return out;
}

export function budget(store: Store, targets: Target[], ds: number, from: number, to: number, now: number, max: number): SimResult | null {
  let total = 0;
  for (const t of targets) total += estimate(store, t.row.id, ds, from, to, now);
  if (total <= max) return null;
  return errorResult(422, {
    message: `Too many data points: ${total} in the request, this simulator answers at most ${max}. Ask for a shorter time range or fewer timeseries.`,
  });
}
