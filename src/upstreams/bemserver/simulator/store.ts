// The simulator's in-memory state (§6, §7.7, §7.8): resource rows seeded from the portfolio, series metadata, written points and deletes.
import { STEP_MS, buildPortfolio, type SeriesKind, type SeriesModel } from './data.js';
import type { BemServerSimulatorOptions } from './index.js';
import { RESOURCES, type LinkParent } from './resources.js';

export type Row = Record<string, unknown> & { id: number };

/** Points written to one (timeseries, data state), and the ranges deleted from its generated data. */
export class StoredSeries {
  readonly values = new Map<number, number>();
  private sorted: number[] | null = [];
  /** [start, end) ranges removed by DELETE: generated points inside them no longer exist (§7.8). */
  masks: Array<[number, number]> = [];

  set(t: number, v: number): void {
    this.values.set(t, v);
    this.sorted = null;
  }

  keys(): number[] {
    if (this.sorted === null) this.sorted = [...this.values.keys()].sort((a, b) => a - b);
    return this.sorted;
  }

  /** Index range [a, b) of the sorted keys inside [from, to). */
  range(from: number, to: number): [number, number] {
    const keys = this.keys();
    const a = lowerBound(keys, from);
    return [a, Math.max(a, lowerBound(keys, to))];
  }

  deleteRange(from: number, to: number): void {
    const keys = this.keys();
    const [a, b] = this.range(from, to);
    for (let i = a; i < b; i++) this.values.delete(keys[i]!);
    if (b > a) this.sorted = null;
    const masks = [...this.masks, [from, to] as [number, number]].sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const m of masks) {
      const last = merged[merged.length - 1];
      if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
      else merged.push([m[0], m[1]]);
    }
    this.masks = merged;
  }

  masked(t: number): boolean {
    for (const [a, b] of this.masks) if (t >= a && t < b) return true;
    return false;
  }
}

function lowerBound(arr: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface TsMeta {
  kind: SeriesKind | 'custom';
  model: SeriesModel | null;
}

/** The statistics of one series (§7.6), as the stats route caches them. */
export interface SeriesStats {
  first: number | null;
  last: number | null;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  stddev: number | null;
}

/** The rows of every resource and the data of every series, for one simulator. */
export class Store {
  /** Fraction of missing 10-minute points in the raw data. */
  readonly gapRate: number;
  /** First instant of the generated 10-minute grid. */
  readonly gridStart: number;
  readonly tables = new Map<string, Map<number, Row>>();
  private readonly nextIds = new Map<string, number>();
  readonly meta = new Map<number, TsMeta>();
  /** `${timeseries id}:${data state id}` → written points and deleted ranges. */
  readonly data = new Map<string, StoredSeries>();
  /** Bumped on every data write/delete: keys the stats cache. */
  version = 0;
  /** `${timeseries id}:${data state id}:${now}:${version}` → its stats (§7.6). */
  readonly statsCache = new Map<string, SeriesStats>();

  constructor(o: Pick<BemServerSimulatorOptions, 'gapRate' | 'historyStartMs'>) {
    this.gapRate = o.gapRate ?? 0.01;
    const historyStart = o.historyStartMs ?? Date.UTC(2025, 0, 1);
    this.gridStart = Math.ceil(historyStart / STEP_MS) * STEP_MS;
    for (const r of RESOURCES) {
      this.tables.set(r.name, new Map());
      this.nextIds.set(r.name, 1);
    }
    this.seed(historyStart);
  }

  private seed(historyStart: number): void {
    const p = buildPortfolio(historyStart);
    const put = (table: string, row: Record<string, unknown>) => this.insert(table, row);
    for (const c of p.campaigns)
      put('campaigns', { name: c.name, description: c.description, start_time: c.start_time, end_time: null, timezone: c.timezone });
    for (const s of p.scopes) put('campaign_scopes', { ...s });
    for (const s of p.sites) put('sites', { description: null, ifc_id: null, ...s });
    for (const b of p.buildings) put('buildings', { description: null, ifc_id: null, ...b });
    for (const s of p.storeys) put('storeys', { description: null, ifc_id: null, ...s });
    for (const s of p.spaces) put('spaces', { description: null, ifc_id: null, ...s });
    for (const z of p.zones) put('zones', { ifc_id: null, ...z });
    for (const t of p.timeseries) {
      const id = put('timeseries', {
        name: t.name,
        unit_symbol: t.unit,
        description: t.description ?? null,
        campaign_id: 1,
        campaign_scope_id: t.scopeId,
      });
      this.meta.set(id, { kind: t.kind, model: t.model });
    }
    const keys: Record<LinkParent, string> = {
      sites: 'site_id',
      buildings: 'building_id',
      storeys: 'storey_id',
      spaces: 'space_id',
      zones: 'zone_id',
    };
    for (const parent of Object.keys(keys) as LinkParent[]) {
      for (const [ts, id] of p.links[parent]) put(`timeseries_by_${parent}`, { timeseries_id: ts, [keys[parent]]: id });
    }
    for (const prop of p.properties) put('timeseries_properties', { unit_symbol: null, ...prop });
    for (const d of p.propertyData) put('timeseries_property_data', { ...d });
    for (const s of p.dataStates) put('timeseries_data_states', { name: s.name });
  }

  insert(table: string, row: Record<string, unknown>): number {
    const id = this.nextIds.get(table)!;
    this.nextIds.set(table, id + 1);
    this.tables.get(table)!.set(id, { ...row, id });
    return id;
  }

  rows(table: string): Row[] {
    return [...this.tables.get(table)!.values()];
  }

  row(table: string, id: number | undefined): Row | undefined {
    return id === undefined ? undefined : this.tables.get(table)!.get(id);
  }

  /** Deleting a parent deletes its children, links, property data and data (§6). */
  cascadeDelete(table: string, id: number): void {
    const where = (t: string, key: string) => this.rows(t).filter((r) => r[key] === id);
    const children: Record<string, Array<[string, string]>> = {
      campaigns: [
        ['campaign_scopes', 'campaign_id'],
        ['sites', 'campaign_id'],
        ['zones', 'campaign_id'],
        ['timeseries', 'campaign_id'],
      ],
      campaign_scopes: [['timeseries', 'campaign_scope_id']],
      sites: [
        ['buildings', 'site_id'],
        ['timeseries_by_sites', 'site_id'],
      ],
      buildings: [
        ['storeys', 'building_id'],
        ['timeseries_by_buildings', 'building_id'],
      ],
      storeys: [
        ['spaces', 'storey_id'],
        ['timeseries_by_storeys', 'storey_id'],
      ],
      spaces: [['timeseries_by_spaces', 'space_id']],
      zones: [['timeseries_by_zones', 'zone_id']],
      timeseries: [
        ['timeseries_by_sites', 'timeseries_id'],
        ['timeseries_by_buildings', 'timeseries_id'],
        ['timeseries_by_storeys', 'timeseries_id'],
        ['timeseries_by_spaces', 'timeseries_id'],
        ['timeseries_by_zones', 'timeseries_id'],
        ['timeseries_property_data', 'timeseries_id'],
      ],
      timeseries_properties: [['timeseries_property_data', 'property_id']],
    };
    for (const [t, key] of children[table] ?? []) for (const r of where(t, key)) this.cascadeDelete(t, r.id);
    if (table === 'timeseries') {
      this.meta.delete(id);
      for (const k of [...this.data.keys()]) if (k.startsWith(`${id}:`)) this.data.delete(k);
      this.version++;
    }
    if (table === 'timeseries_data_states') {
      for (const k of [...this.data.keys()]) if (k.endsWith(`:${id}`)) this.data.delete(k);
      this.version++;
    }
    this.tables.get(table)!.delete(id);
  }

  series(tsId: number, ds: number, create: boolean): StoredSeries | undefined {
    const key = `${tsId}:${ds}`;
    let s = this.data.get(key);
    if (!s && create) {
      s = new StoredSeries(); // the timeseries × data state link appears on first write (§7.7)
      this.data.set(key, s);
    }
    return s;
  }
}
