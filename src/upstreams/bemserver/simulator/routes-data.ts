// The raw data routes (§7.2–§7.4, §7.7, §7.8): read as JSON or CSV, write where the first value wins, delete a range.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { csvHeader } from './csv.js';
import { MAX_POINTS_OUT, budget, conversions, dataQuery, lookup } from './data-query.js';
import { FloatText, GridLabels, TimeFormatter, dataAnswer, seriesJson } from './formats.js';
import { parseCsvPayload, parseJsonPayload } from './payload.js';
import { collect, exists } from './points.js';
import { QueryArgs } from './query-args.js';
import { errorResult, jsonResult, noContent } from './responses.js';
import type { Store } from './store.js';
import { TimeZone } from './timezones.js';
import { INT_RE, unknownDataState, validationError } from './validation.js';

/** `GET /timeseries_data/` and `/timeseries_data/campaign/<id>/` (§7.2–§7.4). */
export function getData(store: Store, req: SimRequest, campaignId: number | undefined): SimResult {
  const query = dataQuery(store, req, campaignId, ['window', 'timezone', 'convert_to']);
  if ('result' in query) return query.result;
  const { targets } = query;
  const { labels, start, end, ds, tz, convertTo } = query.args;
  const convs = conversions(targets, labels!, convertTo);
  if ('error' in convs) return errorResult(422, { message: convs.error }); // BEMServerCoreDimensionalityError (§7.9)
  const tooMany = budget(store, targets, ds!, start!, end!, req.at, MAX_POINTS_OUT);
  if (tooMany) return tooMany;
  const zone = TimeZone.get(tz!);
  const series = targets.map((t) => ({ label: t.label, pts: collect(store, t.row.id, ds!, start!, end!, req.at) }));
  const floats = new FloatText();
  const json = (): string => {
    // json.dumps defaults; series without data left out, no null (§7.3).
    const labelsOf = new GridLabels(new TimeFormatter(zone, false), start!, end!, (l) => `"${l}": `);
    const columns: Array<{ label: string; items: string[] }> = [];
    series.forEach(({ label, pts }, si) => {
      if (pts.n === 0) return;
      const items = new Array<string>(pts.n);
      for (let i = 0; i < pts.n; i++) items[i] = labelsOf.get(pts.t[i]!) + floats.converted(pts.v[i]!, convs[si]);
      columns.push({ label, items });
    });
    return seriesJson(columns);
  };
  const csv = (): string => {
    // Every requested series is a column, one row per instant with any value (§7.4).
    const fmt = new TimeFormatter(zone, true);
    const total = series.reduce((a, s) => a + s.pts.n, 0);
    const all = new Float64Array(total);
    let k = 0;
    for (const s of series) {
      all.set(s.pts.t.subarray(0, s.pts.n), k);
      k += s.pts.n;
    }
    all.sort();
    const ptr = new Array<number>(series.length).fill(0);
    const lines: string[] = [csvHeader(series.map((s) => s.label))];
    const cells: string[] = new Array<string>(series.length);
    let prev = Number.NaN;
    for (let j = 0; j < total; j++) {
      const t = all[j]!;
      if (t === prev) continue;
      prev = t;
      for (let si = 0; si < series.length; si++) {
        const pts = series[si]!.pts;
        const p = ptr[si]!;
        if (p < pts.n && pts.t[p] === t) {
          cells[si] = floats.converted(pts.v[p]!, convs[si]);
          ptr[si] = p + 1;
        } else cells[si] = '';
      }
      lines.push(`${fmt.format(t)},${cells.join(',')}\n`);
    }
    return lines.join('');
  };
  return dataAnswer(req, json, csv);
}

/** `POST /timeseries_data/?data_state=N` (§7.7): JSON or, for exactly `text/csv`, CSV; 201 `null`. */
export function postData(store: Store, req: SimRequest, campaignId: number | undefined): SimResult {
  const q = new QueryArgs(req.query);
  const ds = q.int('data_state', true);
  if (!q.ok) return validationError('query', q.errors);
  if (campaignId !== undefined && !store.row('campaigns', campaignId)) return errorResult(404);
  if (!store.row('timeseries_data_states', ds!)) return unknownDataState();
  // The body arrived decoded with replacement characters: the real server fails to decode it (§7.7).
  const bad = req.rawBody.indexOf('\ufffd');
  if (bad >= 0)
    return errorResult(422, {
      message: `'utf-8' codec can't decode byte in position ${Buffer.byteLength(req.rawBody.slice(0, bad))}: invalid start byte`,
    });
  const contentType = req.headers['content-type'] ?? 'application/json';
  const payload = contentType === 'text/csv' ? parseCsvPayload(req.rawBody) : parseJsonPayload(req.rawBody);
  if ('error' in payload) return errorResult(422, { message: payload.error });
  let labels: Array<number | string> = payload.columns;
  if (campaignId === undefined) {
    if (!payload.columns.every((c) => INT_RE.test(c))) return errorResult(422, { message: 'Wrong timeseries ID type' });
    labels = payload.columns.map((c) => Number(c.replace(/_/g, '').trim()));
  }
  const found = lookup(store, labels, null, campaignId);
  if ('result' in found) return found.result;
  const idOf = new Map(found.targets.map((t) => [t.label, t.row.id]));
  labels.forEach((l, c) => {
    const tsId = idOf.get(String(l))!;
    const st = store.series(tsId, ds!, true)!;
    const column = payload.values[c]!;
    for (let r = 0; r < payload.times.length; r++) {
      const v = column[r]!;
      if (v !== v) continue; // null / empty cell: nothing written
      const t = payload.times[r]!;
      if (exists(store, tsId, ds!, t, req.at, st)) continue; // ON CONFLICT DO NOTHING: the first value wins
      st.set(t, v);
    }
  });
  store.version++;
  return jsonResult(201, null);
}

/** `DELETE /timeseries_data/` (§7.8): all four parameters; removes [start, end), generated points too. */
export function deleteData(store: Store, req: SimRequest, campaignId: number | undefined): SimResult {
  const query = dataQuery(store, req, campaignId, ['window']);
  if ('result' in query) return query.result;
  const { start, end, ds } = query.args;
  if (end! > start!) for (const t of query.targets) store.series(t.row.id, ds!, true)!.deleteRange(start!, end!);
  store.version++;
  return noContent();
}
