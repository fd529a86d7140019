// The v3_0 routes: which path is which route, what v0.12 lacks, auth, and the service listing.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { unauthorized } from './auth.js';
import { methodNotAllowed, notFound, PROCESSED, unprocessable } from './http.js';
import { ACCOUNT, type SimSensor } from './portfolio.js';
import type { FmState } from './state.js';
import { assetJson, listAssets, listSensors, page, sensorJson } from './v3-catalog.js';
import { getSensorData, postSensorData } from './v3-sensor-data.js';

export function answerV3(state: FmState, req: SimRequest, rest: string): SimResult {
  const seg = rest.split('/').filter(Boolean);
  let route: string;
  let method = 'GET';
  if (seg.length === 0) route = 'services';
  else if (seg[0] === 'health' && seg[1] === 'ready' && seg.length === 2) route = 'health';
  else if (seg[0] === 'sensors' && seg.length === 1) route = 'sensors';
  else if (seg[0] === 'sensors' && seg.length === 2) route = 'sensor';
  else if (seg[0] === 'sensors' && seg.length === 3 && seg[2] === 'data') {
    route = req.method === 'POST' ? 'postSensorData' : 'sensorData';
    method = req.method === 'POST' ? 'POST' : 'GET';
  } else if (seg[0] === 'assets' && seg.length === 1) route = 'assets';
  else if (seg[0] === 'assets' && seg.length === 2) route = 'asset';
  else if (seg[0] === 'assets' && seg.length === 3 && seg[2] === 'sensors') route = 'assetSensors';
  else return notFound();
  // v0.12 has no /sensors/<id> nor /sensors/<id>/data (they came in v0.15 and v0.28, §4.3, §4.4).
  if (!state.head && (route === 'sensor' || route === 'sensorData' || route === 'postSensorData' || route === 'services'))
    return notFound();
  if (req.method !== method) return methodNotAllowed(route, method);
  if (route === 'health') return { route, authorized: null, status: 200, body: { database_sql: true, status: 200 } };
  if (!state.auth.authorized(req)) return unauthorized(route);
  const answer = (r: { status: number; body?: unknown }): SimResult => ({ route, authorized: true, ...r });
  switch (route) {
    case 'services':
      return answer({ status: 200, body: services(req) });
    case 'sensors':
      return answer(listSensors(state, req));
    case 'sensor': {
      const s = sensorByPath(state, seg[1]!);
      // Unknown ids fail in the schema field: 422 keyed by path (§4.3).
      if (!s)
        return answer(
          unprocessable('path', { id: [/^\d+$/.test(seg[1]!) ? `No sensor found with ID ${seg[1]}.` : 'Not a valid integer.'] }),
        );
      if (!readable(state, s)) return answer(notAuthorized());
      return answer({ status: 200, body: { ...sensorJson(s), status: 200 } });
    }
    case 'sensorData':
    case 'postSensorData': {
      const s = sensorByPath(state, seg[1]!);
      if (!s) return answer({ status: 404, body: { message: `Sensor ${seg[1]} not found`, status: 404 } });
      // Another account's sensor: neither read nor written; a public one: read only (real server, conformance suite).
      if (!readable(state, s) || (route === 'postSensorData' && state.assetById.get(s.assetId)?.accountId !== ACCOUNT.id))
        return answer(notAuthorized());
      return answer(route === 'sensorData' ? getSensorData(state, req, s) : postSensorData(state, req, s));
    }
    case 'assets':
      return answer(listAssets(state, req));
    case 'asset': {
      const a = /^\d+$/.test(seg[1]!) ? state.assetById.get(Number(seg[1])) : undefined;
      if (!a) return answer({ status: 404, body: { message: `No asset found with ID ${seg[1]}.`, status: 404 } });
      if (a.accountId !== ACCOUNT.id && a.accountId !== null) return answer(notAuthorized());
      return answer({ status: 200, body: { ...assetJson(state, a), status: 200 } });
    }
    default: {
      const a = /^\d+$/.test(seg[1]!) ? state.assetById.get(Number(seg[1])) : undefined;
      if (!a) return answer({ status: 404, body: { message: `No asset found with ID ${seg[1]}.`, status: 404 } });
      if (a.accountId !== ACCOUNT.id && a.accountId !== null) return answer(notAuthorized());
      const list = state.sensors.filter((s) => s.assetId === a.id).map((s) => sensorJson(s));
      // Always paginated (§4.7).
      return answer(page(req, list, true));
    }
  }
}

function services(req: SimRequest): unknown {
  const host = req.headers.host ?? 'localhost';
  const list = [
    ['GET /sensors', 'sensors', 'Get list of sensors'],
    ['GET /sensors/<id>', 'sensors/<id>', 'Get a sensor'],
    ['GET /sensors/<id>/data', 'sensors/<id>/data', 'Get sensor data'],
    ['POST /sensors/<id>/data', 'sensors/<id>/data', 'Post sensor data'],
    ['GET /assets', 'assets', 'Get list of assets'],
    ['GET /assets/<id>', 'assets/<id>', 'Get an asset'],
    ['GET /assets/<id>/sensors', 'assets/<id>/sensors', 'Get sensors of an asset'],
  ].map(([name, path, description]) => ({ url: `http://${host}/api/v3_0/${path}`, name, description }));
  list.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return { services: list, version: '3.0', ...PROCESSED };
}

/**
 * Public assets (the market, the weather station) belong to no account: only an admin may add
 * their data, and the service account is an account-admin; another account's assets are closed.
 */
function notAuthorized(): { status: number; body: unknown } {
  return {
    status: 403,
    body: { message: 'You cannot be authorized for this content or functionality.', result: 'Rejected', status: 'INVALID_SENDER' },
  };
}

function readable(state: FmState, s: SimSensor): boolean {
  const owner = state.assetById.get(s.assetId)?.accountId;
  return owner === ACCOUNT.id || owner === null;
}

function sensorByPath(state: FmState, raw: string): SimSensor | undefined {
  return /^\d{1,12}$/.test(raw) ? state.sensorById.get(Number(raw)) : undefined;
}
