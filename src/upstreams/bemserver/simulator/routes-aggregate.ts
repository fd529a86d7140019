// The aggregate and stats routes (§7.5, §7.6): every series in buckets of a zone, and per-series statistics over all the data.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { aggregateSeries, bucketStarts, ceilTo, floorTo } from './buckets.js';
import { csvHeader } from './csv.js';
import { FIXED_PERIOD_MS, MAX_BUCKETS, MAX_CELLS, MAX_POINTS_SCANNED, budget, conversions, dataQuery } from './data-query.js';
import { DAY } from './datetimes.js';
import { FloatText, TimeFormatter, dataAnswer, seriesJson } from './formats.js';
import { collect } from './points.js';
import { PyFloat } from './pyjson.js';
import { errorResult, jsonResult } from './responses.js';
import type { SeriesStats, Store } from './store.js';
import { TimeZone } from './timezones.js';

/** `GET .../aggregate` (§7.5): buckets on the grid of the timezone, every bucket for every series. */
export function getAggregate(store: Store, req: SimRequest, campaignId: number | undefined): SimResult {
  const query = dataQuery(store, req, campaignId, ['window', 'timezone', 'convert_to', 'buckets']);
  if ('result' in query) return query.result;
  const { targets } = query;
  const { labels, start, end, ds, tz, convertTo, width, unit, agg } = query.args;
  const convs = conversions(targets, labels!, convertTo, agg === 'count' ? 'count' : undefined);
  // Not caught on this route: pint's error becomes a 500 (§7.5).
  if ('error' in convs) return errorResult(500);

  const zone = TimeZone.get(tz!);
  const fixedMs = FIXED_PERIOD_MS[unit!];
  const from = floorTo(start!, unit!, width!, zone);
  const to = ceilTo(end!, unit!, width!, zone);
  const approxUnit =
    fixedMs !== undefined ? fixedMs * width! : { day: DAY, week: 7 * DAY, month: 28 * DAY, year: 365 * DAY }[unit as 'day'];
  const approx = to > from ? Math.ceil((to - from) / approxUnit) : 0;
  if (approx > MAX_BUCKETS || approx * targets.length > MAX_CELLS) {
    return errorResult(422, {
      message: `Too many buckets: ${approx} for ${targets.length} timeseries, this simulator answers at most ${MAX_BUCKETS} buckets and ${MAX_CELLS} values. Use wider buckets or a shorter time range.`,
    });
  }
  const tooMany = budget(store, targets, ds!, from, to, req.at, MAX_POINTS_SCANNED);
  if (tooMany) return tooMany;
  const starts = bucketStarts(from, to, unit!, width!, zone);
  const nb = starts.length;
  const results = targets.map((t) =>
    aggregateSeries(collect(store, t.row.id, ds!, from, to, req.at), starts, agg!, width!, fixedMs ?? 0, from),
  );
  if (agg === 'sum' && width! > 1) {
    // pandas resample().sum() gives 0.0 for empty bins between the first and last data (§7.5).
    let lo = nb;
    let hi = -1;
    for (const r of results) {
      lo = Math.min(lo, r.first);
      hi = Math.max(hi, r.last);
    }
    for (const r of results) for (let b = lo; b <= hi; b++) if (r.values[b] !== r.values[b]) r.values[b] = 0;
  }
  const floats = new FloatText();
  const cell = (si: number, b: number, empty: string): string => {
    const v = results[si]!.values[b]!;
    if (v !== v) return empty;
    const c = convs[si];
    if (agg === 'count' && !c) return String(v); // counts are integers (§7.5)
    return floats.converted(v, c);
  };
  const json = (): string => {
    if (nb === 0) return '{}';
    const fmt = new TimeFormatter(zone, false);
    const keys = Array.from(starts, (s) => `"${fmt.format(s)}": `);
    return seriesJson(targets.map((t, si) => ({ label: t.label, items: keys.map((k, b) => k + cell(si, b, 'null')) })));
  };
  const csv = (): string => {
    const fmt = new TimeFormatter(zone, true);
    const lines = [csvHeader(targets.map((t) => t.label))];
    for (let b = 0; b < nb; b++) {
      let line = fmt.format(starts[b]!);
      for (let si = 0; si < targets.length; si++) line += `,${cell(si, b, '')}`;
      lines.push(`${line}\n`);
    }
    return lines.join('');
  };
  return dataAnswer(req, json, csv);
}

/** `GET .../stats` (§7.6): over all the data of each series, Flask JSON. */
export function getStats(store: Store, req: SimRequest, campaignId: number | undefined): SimResult {
  const query = dataQuery(store, req, campaignId, ['timezone']);
  if ('result' in query) return query.result;
  const { targets } = query;
  const { ds, tz } = query.args;
  const tooMany = budget(store, targets, ds!, -Infinity, Infinity, req.at, MAX_POINTS_SCANNED);
  if (tooMany) return tooMany;
  const fmt = new TimeFormatter(TimeZone.get(tz!), false);
  const stats = new Map<string, unknown>();
  for (const t of targets) {
    const s = seriesStats(store, t.row.id, ds!, req.at);
    const f = (v: number | null) => (v === null ? null : new PyFloat(v));
    stats.set(
      t.label,
      new Map<string, unknown>([
        ['first_timestamp', s.first === null ? null : fmt.format(s.first)],
        ['last_timestamp', s.last === null ? null : fmt.format(s.last)],
        ['count', s.count],
        ['min', f(s.min)],
        ['max', f(s.max)],
        ['avg', f(s.avg)],
        ['stddev', f(s.stddev)],
      ]),
    );
  }
  return jsonResult(200, { stats });
}

function seriesStats(store: Store, tsId: number, ds: number, now: number): SeriesStats {
  const key = `${tsId}:${ds}:${now}:${store.version}`;
  const cached = store.statsCache.get(key);
  if (cached) return cached;
  const pts = collect(store, tsId, ds, -Infinity, Infinity, now);
  const n = pts.n;
  let result: SeriesStats;
  if (n === 0) result = { first: null, last: null, count: 0, min: null, max: null, avg: null, stddev: null };
  else {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = pts.v[i]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const avg = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (pts.v[i]! - avg) ** 2;
    // stddev_samp: null for a single value (§7.6).
    result = { first: pts.t[0]!, last: pts.t[n - 1]!, count: n, min, max, avg, stddev: n > 1 ? Math.sqrt(ss / (n - 1)) : null };
  }
  if (store.statsCache.size > 2000) store.statsCache.clear();
  store.statsCache.set(key, result);
  return result;
}
