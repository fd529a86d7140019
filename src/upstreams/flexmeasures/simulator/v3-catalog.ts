// v3_0's view of the portfolio: sensor and asset JSON, the filtered listings, and pagination.
import type { SimRequest } from '../../../simulators/index.js';
import { formatDurationIsodate } from '../../../shared/durations.js';
import { notFoundBody, one, unprocessable } from './http.js';
import { ACCOUNT, AUTHORITY, type SimAsset, type SimSensor } from './portfolio.js';
import type { FmState } from './state.js';
import { MINUTE } from './time.js';

export function sensorJson(s: SimSensor): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    unit: s.unit,
    timezone: 'Europe/Amsterdam',
    event_resolution: formatDurationIsodate(s.resolutionMs),
    entity_address: `${AUTHORITY}:fm1.${s.id}`,
    // A JSON-encoded string, not an object (§4.9).
    attributes: JSON.stringify(s.attributes),
    generic_asset_id: s.assetId,
  };
}

export function assetJson(state: FmState, a: SimAsset): Record<string, unknown> {
  const children = state.assets.filter((c) => c.parentId === a.id);
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    account_id: a.accountId,
    owner: a.accountId === null ? null : { ...ACCOUNT },
    latitude: a.latitude,
    longitude: a.longitude,
    generic_asset_type_id: a.type.id,
    generic_asset_type: { ...a.type },
    // JSON fields are strings (§4.9).
    attributes: '{}',
    sensors_to_show: '[]',
    flex_context: '{}',
    flex_model: '{}',
    sensors_to_show_as_kpis: '[]',
    parent_asset_id: a.parentId,
    child_assets: children.map((c) => ({ id: c.id, name: c.name, account_id: c.accountId, generic_asset_type: { ...c.type } })),
    sensors: state.sensors.filter((s) => s.assetId === a.id).map((s) => ({ id: s.id, name: s.name })),
    external_id: null,
  };
}

function visibleAsset(state: FmState, assetId: number, includePublic: boolean): boolean {
  const a = state.assetById.get(assetId);
  return a !== undefined && (a.accountId === ACCOUNT.id || (a.accountId === null && includePublic));
}

export function listSensors(state: FmState, req: SimRequest): { status: number; body: unknown } {
  const q = req.query;
  const flag = (k: string) => ['true', '1', 'yes'].includes((one(q, k) ?? '').toLowerCase());
  const includePublic = flag('include_public_assets');
  const account = one(q, 'account') ?? one(q, 'account_id');
  if (account !== undefined && account !== String(ACCOUNT.id)) {
    return { status: 404, body: { message: `Account ${account} not found`, status: 404 } };
  }
  let list = state.sensors;
  const asset = one(q, 'asset') ?? one(q, 'asset_id');
  if (asset !== undefined && state.head) {
    const root = Number(asset);
    const within = (id: number): boolean => {
      for (let a = state.assetById.get(id); a; a = a.parentId === null ? undefined : state.assetById.get(a.parentId))
        if (a.id === root) return true;
      return false;
    };
    list = list.filter((s) => within(s.assetId));
  } else {
    list = list.filter((s) => visibleAsset(state, s.assetId, includePublic));
  }
  const unit = one(q, 'unit');
  if (unit !== undefined && state.head) list = list.filter((s) => s.unit === unit);
  const filter = one(q, 'filter');
  if (filter !== undefined && state.head) {
    const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
    list = list.filter((s) => terms.every((t) => s.name.toLowerCase().includes(t) || String(s.id).startsWith(t)));
  }
  if (!state.head) {
    // v0.12: always a bare list; no id, no attributes, the resolution in minutes (§4.2 [v0.12]).
    return {
      status: 200,
      body: list.map((s) => {
        const { id: _id, attributes: _attrs, event_resolution: _res, ...rest } = sensorJson(s);
        return { ...rest, event_resolution: s.resolutionMs / MINUTE };
      }),
    };
  }
  return page(
    req,
    list.map((s) => sensorJson(s)),
    false,
  );
}

export function listAssets(state: FmState, req: SimRequest): { status: number; body: unknown } {
  const includePublic = ['true', '1'].includes((one(req.query, 'include_public') ?? '').toLowerCase());
  const list = state.assets.filter((a) => visibleAsset(state, a.id, includePublic)).map((a) => assetJson(state, a));
  if (!state.head) return { status: 200, body: list };
  return page(req, list, false);
}

/** Bare array without `page`; `{data, num-records, filtered-records, status}` with it (§4.2). */
export function page(req: SimRequest, list: unknown[], always: boolean): { status: number; body: unknown } {
  const pageRaw = one(req.query, 'page');
  if (pageRaw === undefined && !always) return { status: 200, body: list };
  const page = pageRaw === undefined ? 1 : Number(pageRaw);
  const perPage = Number(one(req.query, 'per-page') ?? one(req.query, 'per_page') ?? '10');
  const bad: Record<string, string[]> = {};
  if (!Number.isInteger(page) || page < 1) bad.page = ['Must be greater than or equal to 1.'];
  if (!Number.isInteger(perPage) || perPage < 1) bad['per-page'] = ['Must be greater than or equal to 1.'];
  if (Object.keys(bad).length) return unprocessable('query', bad);
  // paginate(error_out=True): a page after the first with nothing on it is Flask's 404 (real server, conformance suite).
  if (page > 1 && (page - 1) * perPage >= list.length) return notFoundBody();
  return {
    status: 200,
    body: {
      data: list.slice((page - 1) * perPage, page * perPage),
      'num-records': list.length,
      'filtered-records': list.length,
      status: 200,
    },
  };
}
