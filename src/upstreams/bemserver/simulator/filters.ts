// The list routes' filters (§6.1): equality filters, ancestors' ids, and the timeseries filters over links, subtrees and properties.
import type { QueryArgs } from './query-args.js';
import { VALUE_TYPES, type LinkParent, type ResourceDef } from './resources.js';
import type { Row, Store } from './store.js';
import type { Errors } from './validation.js';

/** The predicates of a collection's query filters; field errors are left in `q.errors`. */
export function listFilters(store: Store, def: ResourceDef, q: QueryArgs): Array<(r: Row) => boolean> {
  const preds: Array<(r: Row) => boolean> = [];
  for (const [param, kind] of Object.entries(def.filters)) {
    if (kind === 'int') {
      const v = q.int(param);
      if (v !== undefined) preds.push(filterPredicate(store, def, param, v));
    } else if (kind === 'unit') {
      const v = q.unit(param);
      if (v !== undefined) preds.push((r) => r[param] === v);
    } else if (kind === 'valueType') {
      const v = q.oneOf(param, VALUE_TYPES);
      if (v !== undefined) preds.push((r) => r[param] === v);
    } else if (kind === 'in_name') {
      const v = q.str(param);
      if (v !== undefined) preds.push((r) => String(r.name).toLowerCase().includes(v.toLowerCase()));
    } else {
      const v = q.str(param);
      if (v !== undefined) preds.push((r) => r[param] === v);
    }
  }
  if (def.name === 'timeseries') {
    const ts = timeseriesFilters(store, q);
    if (ts) preds.push(ts);
  }
  return preds;
}

/** `campaign_id` etc. on a collection whose rows only point to their direct parent (§6.1). */
function filterPredicate(store: Store, def: ResourceDef, param: string, v: number): (r: Row) => boolean {
  if (def.fields.some((f) => f.name === param)) return (r) => r[param] === v;
  const up = (table: string, r: Row | undefined, key: string): Row | undefined => (r ? store.row(table, r[key] as number) : undefined);
  return (r) => {
    let storey: Row | undefined;
    let building: Row | undefined;
    if (def.name === 'spaces') storey = up('storeys', r, 'storey_id');
    if (def.name === 'storeys') building = up('buildings', r, 'building_id');
    else if (storey) building = up('buildings', storey, 'building_id');
    const site = def.name === 'buildings' ? up('sites', r, 'site_id') : up('sites', building, 'site_id');
    if (param === 'building_id') return building?.id === v;
    if (param === 'site_id') return site?.id === v;
    if (param === 'campaign_id') return site?.campaign_id === v;
    return false;
  };
}

/** Timeseries list filters (§6.1): direct links for x_id, the subtree for recurse_x_id. */
function timeseriesFilters(store: Store, q: QueryArgs): ((r: Row) => boolean) | null {
  const preds: Array<(r: Row) => boolean> = [];
  const name = q.str('name');
  if (name !== undefined) preds.push((r) => r.name === name);
  const inName = q.str('in_name');
  if (inName !== undefined) preds.push((r) => String(r.name).toLowerCase().includes(inName.toLowerCase()));
  const unit = q.unit('unit_symbol');
  if (unit !== undefined) preds.push((r) => r.unit_symbol === unit);
  const ints: Record<string, number | undefined> = {};
  for (const k of [
    'campaign_id',
    'campaign_scope_id',
    'user_id',
    'site_id',
    'recurse_site_id',
    'building_id',
    'recurse_building_id',
    'storey_id',
    'recurse_storey_id',
    'space_id',
    'zone_id',
    'event_id',
  ]) {
    ints[k] = q.int(k);
  }
  let props: Record<string, string> | undefined;
  if (q.has('properties')) {
    const raw = q.first('properties')!;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      q.errors.properties = ['Not a valid json string.'];
    }
    if (parsed !== undefined) {
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) q.errors.properties = ['Not a valid mapping type.'];
      else {
        const errs: Errors = {};
        for (const [k, v] of Object.entries(parsed)) if (typeof v !== 'string') errs[k] = { value: ['Not a valid string.'] };
        if (Object.keys(errs).length > 0) q.errors.properties = errs;
        else props = parsed as Record<string, string>;
      }
    }
  }
  const linked = (parent: LinkParent, ids: Set<number>): Set<number> => {
    const key = `${parent.replace(/s$/, '')}_id`;
    return new Set(
      store
        .rows(`timeseries_by_${parent}`)
        .filter((r) => ids.has(r[key] as number))
        .map((r) => r.timeseries_id as number),
    );
  };
  const children = (table: string, key: string, ids: Set<number>): Set<number> =>
    new Set(
      store
        .rows(table)
        .filter((r) => ids.has(r[key] as number))
        .map((r) => r.id),
    );
  const subtree = (level: 'sites' | 'buildings' | 'storeys', id: number): Set<number> => {
    const out = new Set<number>();
    let ids = new Set([id]);
    const levels: Array<[LinkParent, string, string] | [LinkParent]> = [
      ['sites', 'buildings', 'site_id'],
      ['buildings', 'storeys', 'building_id'],
      ['storeys', 'spaces', 'storey_id'],
      ['spaces'],
    ];
    let started = false;
    for (const l of levels) {
      if (l[0] === level) started = true;
      if (!started) continue;
      for (const t of linked(l[0], ids)) out.add(t);
      if (l.length === 3) ids = children(l[1], l[2], ids);
    }
    return out;
  };
  const sets: Array<Set<number>> = [];
  if (ints.site_id !== undefined) sets.push(linked('sites', new Set([ints.site_id])));
  if (ints.recurse_site_id !== undefined) sets.push(subtree('sites', ints.recurse_site_id));
  if (ints.building_id !== undefined) sets.push(linked('buildings', new Set([ints.building_id])));
  if (ints.recurse_building_id !== undefined) sets.push(subtree('buildings', ints.recurse_building_id));
  if (ints.storey_id !== undefined) sets.push(linked('storeys', new Set([ints.storey_id])));
  if (ints.recurse_storey_id !== undefined) sets.push(subtree('storeys', ints.recurse_storey_id));
  if (ints.space_id !== undefined) sets.push(linked('spaces', new Set([ints.space_id])));
  if (ints.zone_id !== undefined) sets.push(linked('zones', new Set([ints.zone_id])));
  if (ints.campaign_id !== undefined) preds.push((r) => r.campaign_id === ints.campaign_id);
  if (ints.campaign_scope_id !== undefined) preds.push((r) => r.campaign_scope_id === ints.campaign_scope_id);
  if (ints.user_id !== undefined) preds.push(() => ints.user_id === 1); // the service account (id 1) is an admin
  if (ints.event_id !== undefined) preds.push(() => false); // no events here
  if (props) {
    const byName = new Map(store.rows('timeseries_properties').map((p) => [p.name as string, p.id]));
    const wanted = Object.entries(props);
    preds.push((r) =>
      wanted.every(([pname, value]) => {
        const pid = byName.get(pname);
        return (
          pid !== undefined &&
          store.rows('timeseries_property_data').some((d) => d.timeseries_id === r.id && d.property_id === pid && d.value === value)
        );
      }),
    );
  }
  for (const s of sets) preds.push((r) => s.has(r.id));
  return preds.length === 0 ? null : (r) => preds.every((p) => p(r));
}
