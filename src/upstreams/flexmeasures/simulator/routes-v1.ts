// The v1_1 routes (v0.12 generation): sunset, method and auth checks, reading the message, getService,
// getConnection and the message type check; the data routes are in v1-get.ts and v1-post.ts.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { unauthorized } from './auth.js';
import { methodNotAllowed, one, PROCESSED } from './http.js';
import { AUTHORITY } from './portfolio.js';
import type { FmState } from './state.js';
import { sunsetAnswer } from './sunset.js';
import { v1Get } from './v1-get.js';
import { rejected, v1Query, type V1Answer } from './v1-message.js';
import { v1Post } from './v1-post.js';

/** Routes by (generation prefix, method); values are route names for the log and for faults. */
export const V1_ROUTES: Record<string, 'GET' | 'POST'> = {
  getService: 'GET',
  getConnection: 'GET',
  getMeterData: 'GET',
  getPrognosis: 'GET',
  postMeterData: 'POST',
  postPrognosis: 'POST',
  postPriceData: 'POST',
  postWeatherData: 'POST',
};

export function answerV1(state: FmState, req: SimRequest, route: string): SimResult {
  const gone = sunsetAnswer(state.head, state.sunset, route);
  if (gone) return gone;
  const method = V1_ROUTES[route]!;
  if (req.method !== method) return methodNotAllowed(route, method);
  const type = `${route.charAt(0).toUpperCase()}${route.slice(1)}Response`;
  if (route === 'getService') return { route, ...getService(req, type) };
  if (!state.auth.authorized(req)) return unauthorized(route, type);
  // GETs read only the query string; POSTs the body, whatever its Content-Type (§3.1).
  let msg: Record<string, unknown>;
  if (method === 'GET') msg = v1Query(req.query);
  else {
    let body = req.body;
    if (body === undefined && req.rawBody) {
      try {
        body = JSON.parse(req.rawBody);
      } catch {
        body = undefined;
      }
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return {
        route,
        authorized: true,
        status: 400,
        body: { message: 'The browser (or proxy) sent a request that this server could not understand.', status: 400 },
      };
    }
    msg = body as Record<string, unknown>;
  }
  const r = v1Route(state, route, msg, req.at);
  // Raised errors (422 INVALID_DOMAIN, 500) carry no `type`; returned ones do (§3.1).
  const body = r.raised ? r.body : { ...(r.body as object), type };
  return { route, authorized: true, status: r.status, body };
}

function getService(req: SimRequest, type: string): SimResult {
  const roles = ['Aggregator', 'Supplier', 'MDC', 'DSO', 'Prosumer', 'ESCo'];
  const services = [
    ['getConnection', 'Request entity addresses of connections'],
    ['getMeterData', 'Request meter reading'],
    ['postMeterData', 'Send meter reading'],
    ['getPrognosis', 'Request load planning'],
    ['postPrognosis', 'Send prediction'],
    ['postPriceData', 'Send prices'],
    ['postWeatherData', 'Send weather forecasts or weather sensor observations'],
  ].map(([name, description]) => ({ name, access: roles, description }));
  const access = one(req.query, 'access');
  if (access !== undefined && !roles.includes(access)) {
    return {
      authorized: null,
      status: 400,
      body: {
        result: 'Rejected',
        status: 'INVALID_ROLE',
        message: `No known services for specified role ${access.slice(0, 100)}.`,
        type,
      },
    };
  }
  return { authorized: null, status: 200, body: { version: '1.1', services, ...PROCESSED, type } };
}

function v1Route(state: FmState, route: string, msg: Record<string, unknown>, now: number): V1Answer {
  if (route === 'getConnection') {
    if (state.bugs) {
      // Sensor has no display_name outside play mode in v0.8–v0.13 (§3.4).
      return { status: 500, raised: true, body: { message: "'Sensor' object has no attribute 'display_name'", status: 500 } };
    }
    // Legacy power assets, ordered by id descending, fm1 addresses (§3.4); Flask-JSON adds status 200.
    const power = state.sensors.filter((s) => s.unit === 'MW').sort((a, b) => b.id - a.id);
    return {
      status: 200,
      body: { connections: power.map((s) => `${AUTHORITY}:fm1.${s.id}`), names: power.map((s) => s.name), status: 200 },
    };
  }
  // type_accepted (§3.2 step 3).
  const expected = `${route.charAt(0).toUpperCase()}${route.slice(1)}Request`;
  if (msg.type === undefined) return rejected('NO_MESSAGE_TYPE', "Request message should include 'type'.");
  if (msg.type !== expected) return rejected('INVALID_MESSAGE_TYPE', `Request message should specify type '${expected}'.`);

  if (route === 'getMeterData' || route === 'getPrognosis') return v1Get(state, route, msg, now);
  return v1Post(state, route, msg);
}
