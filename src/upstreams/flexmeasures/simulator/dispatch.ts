// Every request's way in: the rate limit, routes by path (/api, /api/requestAuthToken, v1_1, v3_0),
// the public /api listing, and the headers every answer carries.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { methodNotAllowed, notFound } from './http.js';
import { answerV1, V1_ROUTES } from './routes-v1.js';
import { answerV3 } from './routes-v3.js';
import type { FmState } from './state.js';
import { deprecationHeaders } from './sunset.js';

const HEAD_VERSION = '0.31.0';
const OLD_VERSION = '0.12.3';

export function handle(state: FmState, req: SimRequest): SimResult {
  // Werkzeug's strict slashes: `/api` is a 308 to `/api/` with an absolute Location built from the
  // Host header (behind a TLS proxy it says http://), an HTML body and none of the app's headers: it
  // never reaches the app, nor its rate limit (real server, conformance suite).
  if (req.path === '/api' && state.head) return apiRedirect(req);
  const limited = state.limiter.rateLimited(req);
  const result = limited ?? routeRequest(state, req);
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  // Version headers came with HEAD (v3.0-30); v0.12 sends none (§2.1).
  if (state.head && req.path.startsWith('/api')) headers['flexmeasures-version'] = HEAD_VERSION;
  if (state.head && req.path.startsWith('/api/v3_0')) headers['api-version'] = 'v3_0';
  // after_request adds the deprecation headers to v1_1 answers, the 410s included (§1.1, §1.2).
  if (req.path.startsWith('/api/v1_1')) Object.assign(headers, deprecationHeaders(state.head, state.sunset));
  if (state.limiter.active && !limited) Object.assign(headers, state.limiter.rateHeaders(req));
  return { ...result, headers };
}

function routeRequest(state: FmState, req: SimRequest): SimResult {
  const path = req.path.replace(/\/+$/, '') || '/';
  if (path === '/api') return only(req, 'GET', 'api', () => versions(state));
  if (path === '/api/requestAuthToken') return only(req, 'POST', 'token', () => state.auth.login(req));
  const v1 = /^\/api\/v1_1\/(\w+)$/.exec(path);
  if (v1 && Object.hasOwn(V1_ROUTES, v1[1]!)) return answerV1(state, req, v1[1]!);
  if (path.startsWith('/api/v3_0')) return answerV3(state, req, path.slice('/api/v3_0'.length));
  return notFound();
}

function apiRedirect(req: SimRequest): SimResult {
  const target = `http://${req.headers.host ?? 'localhost'}/api/`;
  return {
    route: 'apiRedirect',
    authorized: null,
    status: 308,
    headers: { location: target, 'content-type': 'text/html; charset=utf-8' },
    rawBody: `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${target}">${target}</a>. If not, click the link.\n`,
  };
}

function only(req: SimRequest, method: string, route: string, answer: () => SimResult): SimResult {
  if (req.method !== method) return methodNotAllowed(route, method);
  return { route, ...answer() };
}

function versions(state: FmState): SimResult {
  // Flask-JSON adds status 200 (§2.2, §2.5).
  if (state.head) {
    return {
      authorized: null,
      status: 200,
      body: {
        flexmeasures_version: HEAD_VERSION,
        message:
          'For these API versions a public endpoint is available, listing its service. For example: /api/v3_0. An authentication token can be requested at: /api/requestAuthToken',
        status: 200,
        versions: ['v3_0'],
      },
    };
  }
  return {
    authorized: null,
    status: 200,
    body: {
      flexmeasures_version: OLD_VERSION,
      message:
        'For these API versions a public endpoint is available, listing its service. For example: /api/v2_0/getService and /api/v3_0/getService. An authentication token can be requested at: /api/requestAuthToken',
      status: 200,
      versions: ['v1', 'v1_1', 'v1_2', 'v1_3', 'v2_0', 'v3_0'],
    },
  };
}
