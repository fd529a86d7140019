// The points of a series in a time range (§7): the generated 10-minute data and its gaps, merged with the stored writes and deletes.
import { STEP_MS, isEnergyModel, isGap, seriesValue, type SeriesModel } from './data.js';
import type { Store, StoredSeries } from './store.js';

/** Instants (epoch ms) and values of a series, sorted; the first `n` entries are used. */
export interface Points {
  t: Float64Array;
  v: Float64Array;
  n: number;
}

/** The generated data of (timeseries, data state): Raw (1) for every modelled series, with gaps; Clean (2) for the energy meters, without. */
function generator(store: Store, tsId: number, ds: number): { model: SeriesModel; gaps: boolean } | null {
  const model = store.meta.get(tsId)?.model;
  if (!model || !store.row('timeseries_data_states', ds)) return null;
  if (ds === 1) return { model, gaps: true };
  if (ds === 2 && isEnergyModel(model)) return { model, gaps: false };
  return null;
}

/** First and last generated grid instants inside [from, to) and not after now (last < first: none). */
function gridRange(store: Store, from: number, to: number, now: number): [number, number] {
  const first = Math.ceil(Math.max(from, store.gridStart) / STEP_MS) * STEP_MS;
  const beforeEnd = Math.ceil(to / STEP_MS) * STEP_MS - STEP_MS;
  const last = Math.min(beforeEnd, Math.floor(now / STEP_MS) * STEP_MS);
  return [first, last];
}

/** Upper bound of the points of a series in [from, to) (guards, before any work). */
export function estimate(store: Store, tsId: number, ds: number, from: number, to: number, now: number): number {
  let n = 0;
  if (generator(store, tsId, ds)) {
    const [first, last] = gridRange(store, from, to, now);
    if (last >= first) n += (last - first) / STEP_MS + 1;
  }
  const st = store.series(tsId, ds, false);
  if (st) {
    const [a, b] = st.range(from, to);
    n += b - a;
  }
  return n;
}

/** Does a point exist at t (generated and not deleted, or written)? First write wins (§7.7). */
export function exists(store: Store, tsId: number, ds: number, t: number, now: number, st: StoredSeries): boolean {
  if (st.values.has(t)) return true;
  const gen = generator(store, tsId, ds);
  if (!gen || t % STEP_MS !== 0 || t < store.gridStart || t > now || st.masked(t)) return false;
  return !(gen.gaps && isGap(gen.model.seed, t, store.gapRate));
}

/** The points of a series in [from, to), sorted: generated ones merged with written ones (written win). */
export function collect(store: Store, tsId: number, ds: number, from: number, to: number, now: number): Points {
  const cap = estimate(store, tsId, ds, from, to, now);
  const t = new Float64Array(cap);
  const v = new Float64Array(cap);
  let n = 0;
  const st = store.series(tsId, ds, false);
  const keys = st ? st.keys() : [];
  let [i, b] = st ? st.range(from, to) : [0, 0];
  const gen = generator(store, tsId, ds);
  if (gen) {
    const [first, last] = gridRange(store, from, to, now);
    const masks = st?.masks ?? [];
    let mi = 0;
    const { model, gaps } = gen;
    const seed = model.seed;
    const rate = store.gapRate;
    for (let g = first; g <= last; g += STEP_MS) {
      while (i < b && keys[i]! < g) {
        t[n] = keys[i]!;
        v[n++] = st!.values.get(keys[i++]!)!;
      }
      if (i < b && keys[i] === g) {
        t[n] = g;
        v[n++] = st!.values.get(keys[i++]!)!;
        continue;
      }
      while (mi < masks.length && masks[mi]![1] <= g) mi++;
      if (mi < masks.length && masks[mi]![0] <= g) continue;
      if (gaps && isGap(seed, g, rate)) continue;
      t[n] = g;
      v[n++] = seriesValue(model, g);
    }
  }
  while (i < b) {
    t[n] = keys[i]!;
    v[n++] = st!.values.get(keys[i++]!)!;
  }
  return { t, v, n };
}
