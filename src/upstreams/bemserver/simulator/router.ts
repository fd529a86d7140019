// The routing of the API (§1.1, §1.5): paths (strict slashes, 308), route names, allowed methods, OPTIONS/405/414, login_required.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import type { Auth } from './auth.js';
import type { BemServerSimulatorOptions } from './index.js';
import { RESOURCE_BY_NAME, type ResourceDef } from './resources.js';
import { errorResult, jsonResult } from './responses.js';
import { getAggregate, getStats } from './routes-aggregate.js';
import { deleteData, getData, postData } from './routes-data.js';
import { create, getItem, list, remove, update } from './routes-resources.js';
import type { Store } from './store.js';

const API_VERSION = '0.27.0';
const CORE_VERSION = '0.22.0';

type RouteKind = 'about' | 'token' | 'refresh' | 'collection' | 'item' | 'data' | 'aggregate' | 'stats' | 'redirect' | 'unknown';

interface RouteMatch {
  kind: RouteKind;
  res?: ResourceDef;
  id?: number;
  /** By-name data routes: the campaign id of the path. */
  campaignId?: number;
}

/** Every request to the simulator: the route it matches, then its handler. */
export class Router {
  private readonly maxUrlLength: number;

  constructor(
    private readonly store: Store,
    private readonly auth: Auth,
    o: Pick<BemServerSimulatorOptions, 'maxUrlLength'>,
  ) {
    this.maxUrlLength = o.maxUrlLength ?? 8192;
  }

  private match(path: string): RouteMatch {
    if (path === '/about/') return { kind: 'about' };
    if (path === '/auth/token') return { kind: 'token' };
    if (path === '/auth/token/refresh') return { kind: 'refresh' };
    if (path === '/timeseries_data/') return { kind: 'data' };
    if (path === '/timeseries_data/aggregate') return { kind: 'aggregate' };
    if (path === '/timeseries_data/stats') return { kind: 'stats' };
    let m = /^\/timeseries_data\/campaign\/(\d+)(\/|\/aggregate|\/stats)?$/.exec(path);
    if (m) {
      const campaignId = Number(m[1]);
      if (m[2] === undefined) return { kind: 'redirect' };
      return { kind: m[2] === '/' ? 'data' : m[2] === '/aggregate' ? 'aggregate' : 'stats', campaignId };
    }
    m = /^\/([a-z_]+)\/$/.exec(path);
    if (m && RESOURCE_BY_NAME.has(m[1]!)) return { kind: 'collection', res: RESOURCE_BY_NAME.get(m[1]!)! };
    m = /^\/([a-z_]+)\/(\d+)$/.exec(path);
    if (m && RESOURCE_BY_NAME.has(m[1]!)) return { kind: 'item', res: RESOURCE_BY_NAME.get(m[1]!)!, id: Number(m[2]) };
    // Werkzeug's strict slashes: a rule ending in `/` asked without it → 308 (§1.1).
    m = /^\/([a-z_]+)$/.exec(path);
    if (m && (RESOURCE_BY_NAME.has(m[1]!) || m[1] === 'about' || m[1] === 'timeseries_data')) return { kind: 'redirect' };
    return { kind: 'unknown' };
  }

  private routeName(m: RouteMatch, method: string): string {
    const byName = m.campaignId !== undefined;
    switch (m.kind) {
      case 'about':
      case 'token':
      case 'refresh':
      case 'redirect':
      case 'unknown':
        return m.kind;
      case 'collection':
        return m.res!.name;
      case 'item':
        return `${m.res!.name}/item`;
      case 'data': {
        const base = byName ? 'timeseries_data/campaign' : 'timeseries_data';
        return method === 'POST' ? `${base}/post` : method === 'DELETE' ? `${base}/delete` : base;
      }
      case 'aggregate':
        return byName ? 'timeseries_data/campaign/aggregate' : 'timeseries_data/aggregate';
      case 'stats':
        return byName ? 'timeseries_data/campaign/stats' : 'timeseries_data/stats';
    }
  }

  private methods(m: RouteMatch): string[] {
    switch (m.kind) {
      case 'about':
      case 'aggregate':
      case 'stats':
        return ['GET'];
      case 'token':
      case 'refresh':
        return ['POST'];
      case 'collection':
        return ['GET', 'POST'];
      case 'item':
        return m.res!.put ? ['GET', 'PUT', 'DELETE'] : ['GET', 'DELETE'];
      case 'data':
        return ['GET', 'POST', 'DELETE'];
      default:
        return [];
    }
  }

  handle(req: SimRequest): SimResult {
    const m = this.match(req.path);
    const route = this.routeName(m, req.method);
    const r = this.dispatch(req, m);
    return { route, authorized: null, ...r };
  }

  private dispatch(req: SimRequest, m: RouteMatch): SimResult {
    // A reverse proxy's limit in front of the app (the gateway splits long id lists, §1.3).
    if (req.url.length > this.maxUrlLength) return errorResult(414);
    if (m.kind === 'unknown') return errorResult(404);
    if (m.kind === 'redirect') return this.redirect(req);
    const allowed = this.methods(m);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method === 'OPTIONS') {
      return {
        status: 200,
        rawBody: '',
        headers: {
          allow: [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort().join(', '),
          'content-type': 'text/html; charset=utf-8',
        },
      };
    }
    if (!allowed.includes(method)) return errorResult(405); // no Allow header (§1.4)
    if (m.kind === 'about') return jsonResult(200, { versions: { bemserver_core: CORE_VERSION, bemserver_api: API_VERSION } });
    if (m.kind === 'token') return this.auth.token(req);
    if (m.kind === 'refresh') return this.auth.refresh(req);

    // Every other route: login_required is the outermost decorator (§1.5).
    const auth = this.auth.authenticate(req, 'access');
    if (auth) return auth;
    const ok = (r: SimResult): SimResult => ({ ...r, authorized: true });
    switch (m.kind) {
      case 'collection':
        return ok(method === 'GET' ? list(this.store, req, m.res!) : create(this.store, req, m.res!));
      case 'item':
        return ok(
          method === 'GET'
            ? getItem(this.store, req, m.res!, m.id!)
            : method === 'PUT'
              ? update(this.store, req, m.res!, m.id!)
              : remove(this.store, req, m.res!, m.id!),
        );
      case 'data':
        return ok(
          method === 'GET'
            ? getData(this.store, req, m.campaignId)
            : method === 'POST'
              ? postData(this.store, req, m.campaignId)
              : deleteData(this.store, req, m.campaignId),
        );
      case 'aggregate':
        return ok(getAggregate(this.store, req, m.campaignId));
      case 'stats':
        return ok(getStats(this.store, req, m.campaignId));
      default:
        return errorResult(404);
    }
  }

  /** Werkzeug's 308 to the slashed URL: absolute Location, query kept, small HTML body (§1.1). */
  private redirect(req: SimRequest): SimResult {
    const q = req.url.indexOf('?');
    const rawPath = q < 0 ? req.url : req.url.slice(0, q);
    const location = `http://${req.headers.host ?? 'localhost'}${rawPath}/${q < 0 ? '' : req.url.slice(q)}`;
    const esc = location.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const html = `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${esc}">${esc}</a>. If not, click the link.\n`;
    return { status: 308, rawBody: html, headers: { location, 'content-type': 'text/html; charset=utf-8' } };
  }
}
