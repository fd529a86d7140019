// The resource routes (§5, §6): list, read, create, replace and delete, with ETags, If-Match, integrity 409s and nested links.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { listFilters } from './filters.js';
import { isoUtc } from './formats.js';
import { paginate } from './pagination.js';
import { PyFloat } from './pyjson.js';
import { QueryArgs } from './query-args.js';
import { RESOURCE_BY_NAME, type ResourceDef } from './resources.js';
import { errorResult, etagList, etagOf, jsonResult, noContent, noneMatch } from './responses.js';
import type { Row, Store } from './store.js';
import { loadFields, validPropertyValue, validationError } from './validation.js';

/** A resource body through its schema (POST, or PUT without the excluded fields). */
function loadBody(req: SimRequest, def: ResourceDef, mode: 'post' | 'put'): { data: Record<string, unknown> } | { result: SimResult } {
  return loadFields(req, mode === 'put' ? def.fields.filter((f) => !f.putExcluded) : def.fields);
}

/** The dumped resource: id, nested parents (links), fields in schema order, nulls left out (§1.2). */
function dump(store: Store, def: ResourceDef, row: Row, withId = true): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (withId) out.set('id', row.id);
  if (def.link) {
    const nest = (table: string, r: Row | undefined) => {
      if (r) out.set(table.replace(/s$/, ''), dump(store, RESOURCE_BY_NAME.get(table)!, r, false));
    };
    const parentKey = `${def.link.replace(/s$/, '')}_id`;
    const parent = store.row(def.link, row[parentKey] as number);
    if (def.link === 'zones') nest('zones', parent);
    else {
      const chain: Array<[string, Row | undefined]> = [];
      let table: string = def.link;
      let r = parent;
      while (r) {
        chain.unshift([table, r]);
        const up: Record<string, [string, string]> = {
          spaces: ['storeys', 'storey_id'],
          storeys: ['buildings', 'building_id'],
          buildings: ['sites', 'site_id'],
        };
        const next = up[table];
        if (!next) break;
        r = store.row(next[0], r[next[1]] as number);
        table = next[0];
      }
      for (const [t, pr] of chain) nest(t, pr);
    }
  }
  for (const f of def.fields) {
    const v = row[f.name];
    if (v === null || v === undefined) continue;
    out.set(f.name, f.type === 'float' ? new PyFloat(v as number) : f.type === 'datetime' ? isoUtc(v as number) : v);
  }
  return out;
}

/** `GET /<resources>/` (§4, §6.1): filtered, sorted, paginated where the resource is, with its ETag (§5). */
export function list(store: Store, req: SimRequest, def: ResourceDef): SimResult {
  const q = new QueryArgs(req.query);
  const sort = def.sortable ? q.sort(['name']) : undefined;
  const preds = listFilters(store, def, q);
  let rows = store.rows(def.name);
  if (!q.ok) return validationError('query', q.errors);
  if (def.name === 'timeseries') {
    // validates_schema runs after the fields (§6.1): x_id with recurse_x_id.
    for (const x of ['site', 'building', 'storey']) {
      if (q.has(`${x}_id`) && q.has(`recurse_${x}_id`)) {
        return validationError('query', { _schema: [`${x}_id and recurse_${x}_id are mutually exclusive arguments`] });
      }
    }
  }
  rows = rows.filter((r) => preds.every((p) => p(r)));
  if (sort && sort.length > 0) {
    const collator = new Intl.Collator('en-US');
    rows = rows.slice().sort((a, b) => {
      for (const s of sort) {
        const c = collator.compare(String(a[s.field] ?? ''), String(b[s.field] ?? ''));
        if (c !== 0) return s.desc ? -c : c;
      }
      return a.id - b.id;
    });
  }

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let dumped: Array<Map<string, unknown>>;
  let etagData: unknown;
  if (def.paginated) {
    // flask-smorest parses page/page_size inside the view, after the schema arguments (§1.5, §4).
    const paged = paginate(req.query, rows);
    if ('result' in paged) return paged.result;
    headers['x-pagination'] = paged.header;
    dumped = paged.rows.map((r) => dump(store, def, r));
    etagData = [dumped, [['X-Pagination', paged.header]]];
  } else {
    dumped = rows.map((r) => dump(store, def, r));
    etagData = dumped;
  }
  if (def.etag) {
    const etag = etagOf(etagData);
    headers.etag = etag;
    if (noneMatch(req, etag)) return { status: 304, rawBody: '', headers: { etag } };
  }
  return jsonResult(200, dumped, headers);
}

/** `GET /<resources>/<id>` with its ETag and If-None-Match (§5). */
export function getItem(store: Store, req: SimRequest, def: ResourceDef, id: number): SimResult {
  const row = store.row(def.name, id);
  if (!row) return errorResult(404);
  const dumped = dump(store, def, row);
  if (!def.etag) return jsonResult(200, dumped);
  const etag = etagOf(dumped);
  if (noneMatch(req, etag)) return { status: 304, rawBody: '', headers: { etag } };
  return jsonResult(200, dumped, { etag });
}

/** 409s of a write (§1.4): foreign keys, then unique constraints; also the property value check. */
function integrity(store: Store, def: ResourceDef, data: Record<string, unknown>, selfId?: number): SimResult | null {
  for (const f of def.fields) {
    if (f.ref && f.name in data && data[f.name] !== null && !store.row(f.ref, data[f.name] as number)) {
      return errorResult(409, { message: 'Foreign key constraint violation' });
    }
  }
  if (def.name === 'timeseries_property_data' && typeof data.value === 'string') {
    const prop = store.row('timeseries_properties', data.property_id as number);
    if (prop && !validPropertyValue(prop.value_type, data.value)) return validationError('json', { value: ['Invalid type.'] });
  }
  const current = selfId === undefined ? undefined : store.row(def.name, selfId);
  const merged = { ...current, ...data };
  for (const fields of def.unique) {
    const clash = store.rows(def.name).some((r) => r.id !== selfId && fields.every((f) => r[f] === merged[f]));
    if (clash) return errorResult(409, { message: 'Unique constraint violation' });
  }
  return null;
}

/** `POST /<resources>/`: 201 with the new item (§6). */
export function create(store: Store, req: SimRequest, def: ResourceDef): SimResult {
  const loaded = loadBody(req, def, 'post');
  if ('result' in loaded) return loaded.result;
  const bad = integrity(store, def, loaded.data);
  if (bad) return bad;
  const id = store.insert(def.name, loaded.data);
  if (def.name === 'timeseries') store.meta.set(id, { kind: 'custom', model: null });
  return savedResult(store, 201, def, store.row(def.name, id)!);
}

/** A created or replaced item, with its new ETag when the resource has them (§5). */
function savedResult(store: Store, status: number, def: ResourceDef, row: Row): SimResult {
  const dumped = dump(store, def, row);
  return jsonResult(status, dumped, def.etag ? { etag: etagOf(dumped) } : {});
}

/** If-Match against the current item (§5): null when it passes or the resource has no ETag, else the 412. */
function checkIfMatch(store: Store, req: SimRequest, def: ResourceDef, row: Row): SimResult | null {
  if (!def.etag) return null;
  const tags = etagList(req.headers['if-match']) ?? [];
  if (tags.includes('*') || tags.includes(etagOf(dump(store, def, row)))) return null;
  return errorResult(412);
}

/** `PUT /<resources>/<id>`: full replacement under If-Match (§5, §6). */
export function update(store: Store, req: SimRequest, def: ResourceDef, id: number): SimResult {
  if (def.etag && req.headers['if-match'] === undefined) return errorResult(428); // before validation and 404 (§1.5)
  const loaded = loadBody(req, def, 'put');
  if ('result' in loaded) return loaded.result;
  const row = store.row(def.name, id);
  if (!row) return errorResult(404);
  const failed = checkIfMatch(store, req, def, row);
  if (failed) return failed;
  const bad = integrity(store, def, loaded.data, id);
  if (bad) return bad;
  Object.assign(row, loaded.data);
  return savedResult(store, 200, def, row);
}

/** `DELETE /<resources>/<id>` under If-Match, with its cascade (§5, §6). */
export function remove(store: Store, req: SimRequest, def: ResourceDef, id: number): SimResult {
  if (def.etag && req.headers['if-match'] === undefined) return errorResult(428);
  const row = store.row(def.name, id);
  if (!row) return errorResult(404);
  const failed = checkIfMatch(store, req, def, row);
  if (failed) return failed;
  store.cascadeDelete(def.name, id);
  return noContent();
}
