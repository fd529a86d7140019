// Built-in simulator of the FlexMeasures web API, both generations (contract:
// shared/upstreams/flexmeasures.md, checklist §6). `generation: 'v3_0'` behaves like a current
// server (v1_1 routes answer 410); `generation: 'v1_1'` like v0.12.3, the last release where v1_1
// works (or, with `sunset`, like v0.13 where it answers 410). Values come from sim-data.ts.
import { SimulatorServer, type SimRequest, type SimResult, type SimulatorOptions } from '../../../simulators/index.js';
import { formatDurationFM, formatDurationIsodate } from '../../../shared/durations.js';
import { parseEntityAddress } from '../entity-address.js';
import type { ApiVersion } from '../wire.js';
import { Auth, unauthorized } from './auth.js';
import { ALREADY_V1, methodNotAllowed, notFound, one, PROCESSED, unprocessable } from './http.js';
import { ACCOUNT, AUTHORITY, buildPortfolio, type Kind, type SimAsset, type SimSensor } from './portfolio.js';
import { duration, isoInOffset, MINUTE, parseAware, pyTimedelta } from './time.js';
import { RateLimiter } from './rate-limit.js';
import { BeliefStore, MAX_EVENTS, type Belief, type NewBelief } from './store.js';
import { deprecationHeaders, sunsetAnswer } from './sunset.js';
import { round6, unitFactor } from './units.js';
import { assetGroups, period, v1Query } from './v1-message.js';

export interface FlexMeasuresSimulatorOptions {
  /** Benchmarks only: identical reads of these routes answered again (see SimulatorOptions.memoize). */
  memoize?: SimulatorOptions['memoize'];
  /** Service account (default simulator@example.com / simulator). */
  email?: string;
  password?: string;
  /** Which server to be: a current one (v3_0, default) or v0.12.3 (v1_1 works, no /sensors/<id>/data). */
  generation?: ApiVersion;
  /** v1_1 generation only: answer every v1_1 route with 410, as v0.13 does (§1.2). */
  sunset?: boolean;
  clock?: () => number;
  latencyMs?: number;
  /** Tokens stop working after this long on the simulator clock (default 6 h, §2.1). */
  tokenLifetimeSeconds?: number;
  /** Rate limit per token (or per client without one), as HEAD has it (§2.1); none by default. */
  rateLimit?: { limit: number; windowSeconds: number } | null;
  /** Fraction of measured events that are missing (default 0.002). */
  gapRate?: number;
  /** Answer 500 where the real v1_1 code crashes: postPrognosis always, getConnection (§3.4, §3.8). */
  emulateUpstreamBugs?: boolean;
  /** Number of EV charging stations (default 30). */
  chargers?: number;
}

const HEAD_VERSION = '0.31.0';
const OLD_VERSION = '0.12.3';

const REPLACEMENT_V1 =
  'Some of the data represents a replacement, which is reserved for servers in play mode. Enable play mode or update the prior in your request.';
const REPLACEMENT_V3 =
  'Some of the data represents a replacement: existing values would be changed for the same sensor, source, event timestamp and belief time. This is reserved for customized servers. If you are hosting FlexMeasures, you can enable replacements by setting FLEXMEASURES_ALLOW_DATA_OVERWRITE=True in the configuration settings. Alternatively, submit the data with a different prior, or check whether the same file was already uploaded with different values.';
const INVALID_DOMAIN_V1 =
  "Connections, sensors and markets should be identified using the EA1 addressing scheme recommended by USEF. For example: 'ea1.2018-06.io.flexmeasures:<owner_id>:<asset_id>' 'ea1.2018-06.io.flexmeasures:temperature:<latitude>:<longitude>' 'ea1.2018-06.io.flexmeasures:<market_name>' 'ea1.2018-06.io.flexmeasures:<owner_id>:<asset_id>:<event_id>:<event_type>'";

/** Routes by (generation prefix, method); values are route names for the log and for faults. */
const V1_ROUTES: Record<string, 'GET' | 'POST'> = {
  getService: 'GET',
  getConnection: 'GET',
  getMeterData: 'GET',
  getPrognosis: 'GET',
  postMeterData: 'POST',
  postPrognosis: 'POST',
  postPriceData: 'POST',
  postWeatherData: 'POST',
};

export class FlexMeasuresSimulator extends SimulatorServer {
  private readonly state: FmState;

  constructor(options: FlexMeasuresSimulatorOptions = {}) {
    const state = new FmState(options);
    super('flexmeasures', (req) => state.handle(req), {
      latencyMs: options.latencyMs,
      memoize: options.memoize,
      clock: options.clock,
      // error_handling_router's shape for aborts and crashes (§2.3).
      errorBody: (status, message) => ({ message, status }),
    });
    this.state = state;
  }

  get email(): string {
    return this.state.auth.email;
  }

  get password(): string {
    return this.state.auth.password;
  }

  get generation(): ApiVersion {
    return this.state.generation;
  }

  /** Every token issued so far stops working (401). */
  expireTokens(): void {
    this.state.auth.tokens.clear();
  }

  /** Every token handed out so far, oldest first (for tests that check no secret leaks). */
  issuedTokens(): string[] {
    return [...this.state.auth.issued];
  }

  /** Stored (written) beliefs of a sensor: event start (ms) → beliefs. */
  stored(sensorId: number): Map<number, Belief[]> {
    return new Map(this.state.store.beliefs.get(sensorId) ?? []);
  }

  /** The simulated portfolio, for tests: sensor ids by kind. */
  sensorIds(kind?: Kind): number[] {
    return this.state.sensors.filter((s) => kind === undefined || s.kind === kind).map((s) => s.id);
  }

  set rateLimit(limit: { limit: number; windowSeconds: number } | null) {
    this.state.limiter.reset(limit);
  }
}

export function createFlexMeasuresSimulator(options: FlexMeasuresSimulatorOptions = {}): FlexMeasuresSimulator {
  return new FlexMeasuresSimulator(options);
}

class FmState {
  readonly generation: ApiVersion;
  readonly auth: Auth;
  readonly sensors: SimSensor[];
  readonly store: BeliefStore;
  readonly limiter: RateLimiter;
  private readonly sunset: boolean;
  private readonly bugs: boolean;
  private readonly assets: SimAsset[];
  private readonly sensorById: Map<number, SimSensor>;
  private readonly assetById: Map<number, SimAsset>;

  constructor(o: FlexMeasuresSimulatorOptions) {
    this.generation = o.generation ?? 'v3_0';
    this.auth = new Auth(
      o.email ?? 'simulator@example.com',
      o.password ?? 'simulator',
      (o.tokenLifetimeSeconds ?? 6 * 3600) * 1000,
      this.head,
    );
    this.sunset = o.sunset ?? false;
    this.store = new BeliefStore(o.gapRate ?? 0.002);
    this.bugs = o.emulateUpstreamBugs ?? false;
    this.limiter = new RateLimiter(o.rateLimit ?? null);
    const { assets, sensors } = buildPortfolio(o.chargers ?? 30);
    this.assets = assets;
    this.sensors = sensors;
    this.sensorById = new Map(sensors.map((s) => [s.id, s]));
    this.assetById = new Map(assets.map((a) => [a.id, a]));
  }

  private get head(): boolean {
    return this.generation === 'v3_0';
  }

  // ------------------------------------------------------------ dispatch

  handle(req: SimRequest): SimResult {
    const limited = this.limiter.rateLimited(req);
    const result = limited ?? this.route(req);
    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    // Version headers came with HEAD (v3.0-30); v0.12 sends none (§2.1).
    if (this.head && req.path.startsWith('/api')) headers['flexmeasures-version'] = HEAD_VERSION;
    if (this.head && req.path.startsWith('/api/v3_0')) headers['api-version'] = 'v3_0';
    // after_request adds the deprecation headers to v1_1 answers, the 410s included (§1.1, §1.2).
    if (req.path.startsWith('/api/v1_1')) Object.assign(headers, deprecationHeaders(this.head, this.sunset));
    if (this.limiter.active && !limited) Object.assign(headers, this.limiter.rateHeaders(req));
    return { ...result, headers };
  }

  private route(req: SimRequest): SimResult {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (path === '/api') return this.only(req, 'GET', 'api', () => this.versions());
    if (path === '/api/requestAuthToken') return this.only(req, 'POST', 'token', () => this.auth.login(req));
    const v1 = /^\/api\/v1_1\/(\w+)$/.exec(path);
    if (v1 && Object.hasOwn(V1_ROUTES, v1[1]!)) return this.v1(req, v1[1]!);
    if (path.startsWith('/api/v3_0')) return this.v3(req, path.slice('/api/v3_0'.length));
    return notFound();
  }

  private only(req: SimRequest, method: string, route: string, answer: () => SimResult): SimResult {
    if (req.method !== method) return methodNotAllowed(route, method);
    return { route, ...answer() };
  }

  // ------------------------------------------------------------ public routes

  private versions(): SimResult {
    // Flask-JSON adds status 200 (§2.2, §2.5).
    if (this.head) {
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

  // ------------------------------------------------------------ v3_0

  private sensorJson(s: SimSensor): Record<string, unknown> {
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

  private assetJson(a: SimAsset): Record<string, unknown> {
    const children = this.assets.filter((c) => c.parentId === a.id);
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
      sensors: this.sensors.filter((s) => s.assetId === a.id).map((s) => ({ id: s.id, name: s.name })),
      external_id: null,
    };
  }

  private v3(req: SimRequest, rest: string): SimResult {
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
    if (!this.head && (route === 'sensor' || route === 'sensorData' || route === 'postSensorData' || route === 'services'))
      return notFound();
    if (req.method !== method) return methodNotAllowed(route, method);
    if (route === 'health') return { route, authorized: null, status: 200, body: { database_sql: true, status: 200 } };
    if (!this.auth.authorized(req)) return unauthorized(route);
    const answer = (r: { status: number; body?: unknown }): SimResult => ({ route, authorized: true, ...r });
    switch (route) {
      case 'services':
        return answer({ status: 200, body: this.services(req) });
      case 'sensors':
        return answer(this.listSensors(req));
      case 'sensor': {
        const s = this.sensorByPath(seg[1]!);
        // Unknown ids fail in the schema field: 422 keyed by path (§4.3).
        if (!s)
          return answer(
            unprocessable('path', { id: [/^\d+$/.test(seg[1]!) ? `No sensor found with ID ${seg[1]}.` : 'Not a valid integer.'] }),
          );
        return answer({ status: 200, body: { ...this.sensorJson(s), status: 200 } });
      }
      case 'sensorData':
      case 'postSensorData': {
        const s = this.sensorByPath(seg[1]!);
        if (!s) return answer({ status: 404, body: { message: `Sensor ${seg[1]} not found`, status: 404 } });
        return answer(route === 'sensorData' ? this.getSensorData(req, s) : this.postSensorData(req, s));
      }
      case 'assets':
        return answer(this.listAssets(req));
      case 'asset': {
        const a = /^\d+$/.test(seg[1]!) ? this.assetById.get(Number(seg[1])) : undefined;
        if (!a) return answer({ status: 404, body: { message: `No asset found with ID ${seg[1]}.`, status: 404 } });
        return answer({ status: 200, body: { ...this.assetJson(a), status: 200 } });
      }
      default: {
        const a = /^\d+$/.test(seg[1]!) ? this.assetById.get(Number(seg[1])) : undefined;
        if (!a) return answer({ status: 404, body: { message: `No asset found with ID ${seg[1]}.`, status: 404 } });
        const list = this.sensors.filter((s) => s.assetId === a.id).map((s) => this.sensorJson(s));
        // Always paginated (§4.7).
        return answer(this.page(req, list, true));
      }
    }
  }

  private services(req: SimRequest): unknown {
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

  private sensorByPath(raw: string): SimSensor | undefined {
    return /^\d{1,12}$/.test(raw) ? this.sensorById.get(Number(raw)) : undefined;
  }

  private visibleAsset(assetId: number, includePublic: boolean): boolean {
    const a = this.assetById.get(assetId);
    return a !== undefined && (a.accountId !== null || includePublic);
  }

  private listSensors(req: SimRequest): { status: number; body: unknown } {
    const q = req.query;
    const flag = (k: string) => ['true', '1', 'yes'].includes((one(q, k) ?? '').toLowerCase());
    const includePublic = flag('include_public_assets');
    const account = one(q, 'account') ?? one(q, 'account_id');
    if (account !== undefined && account !== String(ACCOUNT.id)) {
      return { status: 404, body: { message: `Account ${account} not found`, status: 404 } };
    }
    let list = this.sensors;
    const asset = one(q, 'asset') ?? one(q, 'asset_id');
    if (asset !== undefined && this.head) {
      const root = Number(asset);
      const within = (id: number): boolean => {
        for (let a = this.assetById.get(id); a; a = a.parentId === null ? undefined : this.assetById.get(a.parentId))
          if (a.id === root) return true;
        return false;
      };
      list = list.filter((s) => within(s.assetId));
    } else {
      list = list.filter((s) => this.visibleAsset(s.assetId, includePublic));
    }
    const unit = one(q, 'unit');
    if (unit !== undefined && this.head) list = list.filter((s) => s.unit === unit);
    const filter = one(q, 'filter');
    if (filter !== undefined && this.head) {
      const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
      list = list.filter((s) => terms.every((t) => s.name.toLowerCase().includes(t) || String(s.id).startsWith(t)));
    }
    if (!this.head) {
      // v0.12: always a bare list; no id, no attributes, the resolution in minutes (§4.2 [v0.12]).
      return {
        status: 200,
        body: list.map((s) => {
          const { id: _id, attributes: _attrs, event_resolution: _res, ...rest } = this.sensorJson(s);
          return { ...rest, event_resolution: s.resolutionMs / MINUTE };
        }),
      };
    }
    return this.page(
      req,
      list.map((s) => this.sensorJson(s)),
      false,
    );
  }

  private listAssets(req: SimRequest): { status: number; body: unknown } {
    const includePublic = ['true', '1'].includes((one(req.query, 'include_public') ?? '').toLowerCase());
    const list = this.assets.filter((a) => a.accountId !== null || includePublic).map((a) => this.assetJson(a));
    if (!this.head) return { status: 200, body: list };
    return this.page(req, list, false);
  }

  /** Bare array without `page`; `{data, num-records, filtered-records, status}` with it (§4.2). */
  private page(req: SimRequest, list: unknown[], always: boolean): { status: number; body: unknown } {
    const pageRaw = one(req.query, 'page');
    if (pageRaw === undefined && !always) return { status: 200, body: list };
    const page = pageRaw === undefined ? 1 : Number(pageRaw);
    const perPage = Number(one(req.query, 'per-page') ?? one(req.query, 'per_page') ?? '10');
    const bad: Record<string, string[]> = {};
    if (!Number.isInteger(page) || page < 1) bad.page = ['Must be greater than or equal to 1.'];
    if (!Number.isInteger(perPage) || perPage < 1) bad['per-page'] = ['Must be greater than or equal to 1.'];
    if (Object.keys(bad).length) return unprocessable('query', bad);
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

  private getSensorData(req: SimRequest, s: SimSensor): { status: number; body: unknown } {
    // Query string and/or JSON body, the JSON winning; `_` in keys becomes `-` (§4.4).
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.query)) params[k.replace(/_/g, '-')] = Array.isArray(v) ? v[0] : v;
    if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
      for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) if (k !== 'id') params[k.replace(/_/g, '-')] = v;
    }
    const errors: Record<string, string[]> = {};
    const known = new Set([
      'start',
      'duration',
      'unit',
      'resolution',
      'horizon',
      'prior',
      'source',
      'source-account',
      'source-type',
      'type',
    ]);
    for (const k of Object.keys(params)) if (!known.has(k)) errors[k] = ['Unknown field.'];
    const start = parseAware(params.start, true);
    if (params.start === undefined) errors.start = ['Missing data for required field.'];
    else if (start === 'naive') errors.start = ['Not a valid aware datetime.'];
    else if (start === null) errors.start = ['Not a valid datetime.'];
    const anchor = typeof start === 'number' ? start : undefined;
    const dur = duration(params.duration, anchor);
    if (params.duration === undefined) errors.duration = ['Missing data for required field.'];
    else if (dur === null || dur < 0) errors.duration = ['Unable to parse duration string.'];
    else if (dur % MINUTE !== 0) errors.duration = ['FlexMeasures only support multiples of 1 minute.'];
    if (typeof params.unit !== 'string') errors.unit = ['Missing data for required field.'];
    let resolution = s.resolutionMs;
    if (params.resolution !== undefined) {
      const r = duration(params.resolution);
      if (r === null || r <= 0) errors.resolution = ['Unable to parse duration string.'];
      else resolution = r;
    }
    let horizon: number | null = null;
    if (params.horizon !== undefined) {
      horizon = duration(params.horizon);
      if (horizon === null) errors.horizon = ['Unable to parse duration string.'];
    }
    const type = params.type;
    const types = ['GetSensorDataRequest', 'GetMeterDataRequest', 'GetPrognosisRequest', 'GetPriceDataRequest'];
    if (type !== undefined && !types.includes(String(type))) errors.type = [`Must be one of: ${types.join(', ')}.`];
    if (Object.keys(errors).length) return unprocessable('combined_sensor_data_description', errors);

    const factor = unitFactor(s.unit, params.unit as string);
    if (factor === null) {
      return unprocessable('combined_sensor_data_description', {
        _schema: [`Required unit for this sensor is ${s.unit}, got incompatible unit: ${String(params.unit)}`],
      });
    }
    if (resolution % s.resolutionMs !== 0) {
      return unprocessable('combined_sensor_data_description', {
        _schema: [
          `Resolution of ${pyTimedelta(resolution)} is incompatible with the sensor's required resolution of ${pyTimedelta(s.resolutionMs)}.`,
        ],
      });
    }
    const t0 = start as number;
    // Every interval that starts in [start, start + duration).
    const n = Math.ceil((dur as number) / resolution);
    if (n * (resolution / s.resolutionMs) > MAX_EVENTS) {
      return unprocessable('combined_sensor_data_description', { duration: ['Too many values requested.'] });
    }
    // GetMeterDataRequest → horizons ≤ 0; GetPrognosisRequest → ≥ the given horizon (§4.4).
    const minH = type === 'GetPrognosisRequest' ? (horizon ?? 1) : horizon;
    const maxH = type === 'GetMeterDataRequest' ? 0 : null;
    const per = resolution / s.resolutionMs;
    const values: Array<number | null> = new Array(n);
    for (let i = 0; i < n; i++) {
      // Downsampling averages the events of each slot (§4.4: [91.3, 91.7] → 91.5).
      let sum = 0;
      let count = 0;
      for (let j = 0; j < per; j++) {
        const v = this.store.valueAt(s, t0 + i * resolution + j * s.resolutionMs, req.at, minH, maxH);
        if (v !== null) {
          sum += v;
          count++;
        }
      }
      values[i] = count === 0 ? null : round6((sum / count) * factor);
    }
    return {
      status: 200,
      body: {
        values,
        start: isoInOffset(t0, params.start),
        duration: formatDurationFM(dur as number),
        unit: params.unit,
        resolution: formatDurationFM(resolution),
        ...PROCESSED,
      },
    };
  }

  private postSensorData(req: SimRequest, s: SimSensor): { status: number; body: unknown } {
    const loc = 'combined_sensor_data_description';
    if (req.bodyKind !== 'json' || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      return unprocessable('json', { _schema: ['Invalid input type.'] });
    }
    const body = req.body as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const known = new Set(['values', 'start', 'duration', 'unit', 'horizon', 'prior', 'type', 'id']);
    for (const k of Object.keys(body)) if (!known.has(k)) errors[k] = ['Unknown field.'];
    const start = parseAware(body.start, true);
    if (body.start === undefined) errors.start = ['Missing data for required field.'];
    else if (start === 'naive') errors.start = ['Not a valid aware datetime.'];
    else if (start === null) errors.start = ['Not a valid datetime.'];
    const dur = duration(body.duration, typeof start === 'number' ? start : undefined);
    if (body.duration === undefined) errors.duration = ['Missing data for required field.'];
    else if (dur === null || dur < 0) errors.duration = ['Unable to parse duration string.'];
    else if (dur % MINUTE !== 0) errors.duration = ['FlexMeasures only support multiples of 1 minute.'];
    // A single number is accepted as a list of one (§4.5).
    const rawValues = typeof body.values === 'number' ? [body.values] : body.values;
    if (!Array.isArray(rawValues)) errors.values = ['Missing data for required field.'];
    else if (rawValues.length === 0) errors.values = ['Shorter than minimum length 1.'];
    else if (rawValues.some((v) => v !== null && (typeof v !== 'number' || !Number.isFinite(v)))) errors.values = ['Not a valid number.'];
    if (typeof body.unit !== 'string') errors.unit = ['Missing data for required field.'];
    let horizon: number | null = null;
    if (body.horizon !== undefined) {
      horizon = duration(body.horizon);
      if (horizon === null) errors.horizon = ['Unable to parse duration string.'];
    }
    const types = [
      'PostSensorDataRequest',
      'PostMeterDataRequest',
      'PostPrognosisRequest',
      'PostPriceDataRequest',
      'PostWeatherDataRequest',
    ];
    if (body.type !== undefined && !types.includes(String(body.type))) errors.type = [`Must be one of: ${types.join(', ')}.`];
    if (Object.keys(errors).length) return unprocessable(loc, errors);

    const values = rawValues as Array<number | null>;
    const factor = unitFactor(body.unit as string, s.unit);
    if (factor === null) {
      return unprocessable(loc, {
        _schema: [`Required unit for this sensor is ${s.unit}, got incompatible unit: ${String(body.unit)}`],
      });
    }
    const prior = body.prior !== undefined ? parseAware(body.prior, true) : null;
    // Without prior or horizon the belief time is the server's now (§4.5).
    const end = (start as number) + (dur as number);
    const beliefHorizon = typeof prior === 'number' ? end - prior : (horizon ?? end - req.at);
    if (body.type === 'PostMeterDataRequest' && beliefHorizon > 0)
      return unprocessable(loc, { _schema: ['Meter data must lie in the past.'] });
    if (body.type === 'PostPrognosisRequest' && beliefHorizon < 0)
      return unprocessable(loc, { _schema: ['Prognoses must lie in the future.'] });

    // Resolution: inferred = duration / count; up- or downsampled to the sensor's (§4.5).
    const inferred = (dur as number) / values.length;
    const required = s.resolutionMs;
    if (!Number.isInteger(inferred) || (inferred % required !== 0 && required % inferred !== 0)) {
      return unprocessable(loc, {
        _schema: [
          `Resolution of ${pyTimedelta(inferred)} is incompatible with the sensor's required resolution of ${pyTimedelta(required)}.`,
        ],
      });
    }
    if (inferred >= required && values.length * (inferred / required) > MAX_EVENTS) {
      return unprocessable(loc, {
        _schema: [`Upsampling ${values.length} values to ${pyTimedelta(required)} gives more than ${MAX_EVENTS} events.`],
      });
    }
    let events: Array<number | null>;
    if (inferred >= required) {
      const k = inferred / required;
      events = values.flatMap((v) => new Array<number | null>(k).fill(v));
    } else {
      const k = required / inferred;
      events = [];
      for (let i = 0; i < values.length; i += k) {
        const chunk = values.slice(i, i + k).filter((v): v is number => v !== null);
        events.push(chunk.length ? chunk.reduce((a, b) => a + b, 0) / chunk.length : null);
      }
    }
    // `start` is floored to the sensor resolution (§4.5).
    const floored = Math.floor((start as number) / required) * required;
    const items = events.flatMap((v, i) =>
      v === null ? [] : [{ sensor: s, t: floored + i * required, horizonMs: beliefHorizon, value: round6(v * factor) }],
    );
    const outcome = this.store.save(items);
    if (outcome === 'REPLACEMENT')
      return { status: 403, body: { results: 'Rejected', status: 'INVALID_REPLACEMENT', message: REPLACEMENT_V3 } };
    if (outcome === 'ALREADY')
      return { status: 200, body: { results: 'PROCESSED', status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED', message: ALREADY_V1 } };
    return { status: 200, body: { ...PROCESSED } };
  }

  // ------------------------------------------------------------ v1_1

  private v1(req: SimRequest, route: string): SimResult {
    const gone = sunsetAnswer(this.head, this.sunset, route);
    if (gone) return gone;
    const method = V1_ROUTES[route]!;
    if (req.method !== method) return methodNotAllowed(route, method);
    const type = `${route.charAt(0).toUpperCase()}${route.slice(1)}Response`;
    if (route === 'getService') return { route, ...this.getService(req, type) };
    if (!this.auth.authorized(req)) return unauthorized(route, type);
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
    const r = this.v1Route(route, msg, req.at);
    // Raised errors (422 INVALID_DOMAIN, 500) carry no `type`; returned ones do (§3.1).
    const body = r.raised ? r.body : { ...(r.body as object), type };
    return { route, authorized: true, status: r.status, body };
  }

  private getService(req: SimRequest, type: string): SimResult {
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

  private v1Route(route: string, msg: Record<string, unknown>, now: number): { status: number; body: unknown; raised?: boolean } {
    const rejected = (status: string, message: string, http = 400) => ({ status: http, body: { result: 'Rejected', status, message } });
    if (route === 'getConnection') {
      if (this.bugs) {
        // Sensor has no display_name outside play mode in v0.8–v0.13 (§3.4).
        return { status: 500, raised: true, body: { message: "'Sensor' object has no attribute 'display_name'", status: 500 } };
      }
      // Legacy power assets, ordered by id descending, fm1 addresses (§3.4); Flask-JSON adds status 200.
      const power = this.sensors.filter((s) => s.unit === 'MW').sort((a, b) => b.id - a.id);
      return {
        status: 200,
        body: { connections: power.map((s) => `${AUTHORITY}:fm1.${s.id}`), names: power.map((s) => s.name), status: 200 },
      };
    }
    // type_accepted (§3.2 step 3).
    const expected = `${route.charAt(0).toUpperCase()}${route.slice(1)}Request`;
    if (msg.type === undefined) return rejected('NO_MESSAGE_TYPE', "Request message should include 'type'.");
    if (msg.type !== expected) return rejected('INVALID_MESSAGE_TYPE', `Request message should specify type '${expected}'.`);

    if (route === 'getMeterData' || route === 'getPrognosis') return this.v1Get(route, msg, now, rejected);
    return this.v1Post(route, msg, now, rejected);
  }

  /** Resolves connection addresses to power sensors; every style names sensor <trailing id> (§2.7). */
  private connectionSensors(ids: string[]): { sensors: SimSensor[] } | { error: 'domain' | 'unknown'; ea: string; message?: string } {
    const out: SimSensor[] = [];
    for (const ea of ids) {
      let parsed;
      try {
        parsed = parseEntityAddress(ea);
      } catch (err) {
        return { error: 'domain', ea, message: (err as Error).message };
      }
      const s = parsed.kind === 'connection' && parsed.sensorId !== null ? this.sensorById.get(parsed.sensorId) : undefined;
      if (!s || s.unit !== 'MW') return { error: 'unknown', ea };
      out.push(s);
    }
    return { sensors: out };
  }

  private v1Get(
    route: string,
    msg: Record<string, unknown>,
    now: number,
    rejected: (status: string, message: string, http?: number) => { status: number; body: unknown },
  ): { status: number; body: unknown; raised?: boolean } {
    if (msg.unit !== 'MW') return rejected('INVALID_UNIT', 'Data for power should be given in MW.');
    const groups = assetGroups(msg, 'connection');
    if (!groups)
      return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
    const resolved = this.connectionSensors(groups.flatMap((g) => g.ids));
    if ('error' in resolved) {
      // With `resolution`, a schema field looks the sensors up and raises 422 INVALID_DOMAIN (§3.11).
      if (msg.resolution !== undefined) {
        const message = resolved.error === 'domain' ? resolved.message! : `connection with entity address ${resolved.ea} doesn't exist.`;
        return { status: 422, raised: true, body: { message: [message], result: 'Rejected', status: 'INVALID_DOMAIN' } };
      }
      if (resolved.error === 'domain') return rejected('INVALID_DOMAIN', `${INVALID_DOMAIN_V1} ${resolved.message}`);
      return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
    }
    let horizon: number | null = null;
    if (msg.horizon !== undefined) {
      horizon = duration(msg.horizon);
      if (horizon === null) return rejected('INVALID_HORIZON', 'The horizon field in your request could not be parsed.');
      if (route === 'getMeterData' && horizon > 0) {
        return rejected(
          'INVALID_HORIZON',
          'The horizon field in your request could not be parsed. Meter data must have a zero or negative horizon to indicate observations after the fact.',
        );
      }
    }
    const p = period(msg);
    if ('status' in p) return rejected(p.status, p.message);
    const sensorRes = resolved.sensors[0]!.resolutionMs;
    let resolution = sensorRes;
    if (msg.resolution !== undefined) {
      const r = duration(msg.resolution);
      if (r === null)
        return rejected(
          'INVALID_RESOLUTION',
          `The resolution string cannot be parsed as ISO8601 duration: ${String(msg.resolution).slice(0, 40)}`,
        );
      if (r <= 0 || r % sensorRes !== 0) {
        return rejected(
          'INVALID_RESOLUTION',
          `Only the following resolutions in the data are supported: ${formatDurationIsodate(sensorRes)} or a multiple hereof.`,
        );
      }
      resolution = r;
    }
    // getMeterData: beliefs within (horizon, 0]; getPrognosis: at least `horizon` ahead (§3.12).
    const minH = route === 'getPrognosis' ? (horizon ?? 1) : horizon;
    const maxH = route === 'getMeterData' ? 0 : null;
    const n = Math.ceil(p.duration / resolution);
    if ((n * resolution * resolved.sensors.length) / sensorRes > MAX_EVENTS) {
      return rejected(
        'INVALID_PERIOD',
        "A time period in your request doesn't seem right. (The simulator reads at most 1000000 events per request.)",
      );
    }
    const series = new Map<string, number[]>();
    const unique = [...new Map(resolved.sensors.map((s) => [s.id, s])).values()].sort((a, b) => a.id - b.id);
    for (const s of unique) {
      const out: number[] = [];
      const per = resolution / s.resolutionMs;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        let count = 0;
        for (let j = 0; j < per; j++) {
          const v = this.store.valueAt(s, p.start + i * resolution + j * s.resolutionMs, now, minH, maxH);
          if (v !== null) {
            sum += v;
            count++;
          }
        }
        // Missing events are left out, not filled (§3.5 quirk 3); the sign flips to USEF (quirk 4).
        if (count > 0) out.push(round6(-(sum / count)) || 0);
      }
      series.set(s.name, out);
    }
    // Identical value lists merge; a lone name comes under the plural key as a string (§3.5 quirk 2).
    const merged: Array<{ names: string[]; values: number[] }> = [];
    for (const [name, values] of series) {
      const same = merged.find((m) => m.values.length === values.length && m.values.every((v, i) => v === values[i]));
      if (same) same.names.push(name);
      else merged.push({ names: [name], values });
    }
    const key = (names: string[]) => ({ connections: names.length === 1 ? names[0]! : names });
    const head = { start: isoInOffset(p.start, msg.start), duration: formatDurationIsodate(p.duration), unit: 'MW', ...PROCESSED };
    if (merged.length === 1) return { status: 200, body: { ...key(merged[0]!.names), values: merged[0]!.values, ...head } };
    return { status: 200, body: { groups: merged.map((m) => ({ ...key(m.names), values: m.values })), ...head } };
  }

  private v1Post(
    route: string,
    msg: Record<string, unknown>,
    now: number,
    rejected: (status: string, message: string, http?: number) => { status: number; body: unknown },
  ): { status: number; body: unknown; raised?: boolean } {
    // Units first (§3.2 step 4).
    const unit = msg.unit;
    if (route === 'postMeterData' || route === 'postPrognosis') {
      if (unit !== 'MW') return rejected('INVALID_UNIT', 'Data for power should be given in MW.');
    } else if (route === 'postPriceData') {
      if (unit !== 'EUR/MWh' && unit !== 'KRW/kWh')
        return rejected('INVALID_UNIT', 'Data for price should be given in EUR/MWh or KRW/kWh.');
    } else if (typeof unit !== 'string' || unit === '') {
      return rejected('INVALID_UNIT', 'Data should be given a unit.');
    }
    const singular = route === 'postPriceData' ? 'market' : route === 'postWeatherData' ? 'sensor' : 'connection';
    const groups = assetGroups(msg, singular);
    if (!groups)
      return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
    for (const g of groups) {
      if (!Array.isArray(g.values) || g.values.length === 0) return rejected('PTUS_INCOMPLETE', 'Missing values.');
      if (g.values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        return rejected('PTUS_INCOMPLETE', 'Missing values. Request includes empty or ill-formatted value(s).');
      }
    }
    // Horizon (§3.7, §3.8, §3.12): `R/…` is rolling, a plain one is anchored to the period end.
    let horizon = 0;
    let rolling = true;
    if (msg.horizon !== undefined) {
      const text = String(msg.horizon);
      const h = duration(text);
      if (h === null) return rejected('INVALID_HORIZON', 'The horizon field in your request could not be parsed.');
      horizon = h;
      rolling = text.trim().toUpperCase().startsWith('R');
      if (route === 'postMeterData' && h > 0) {
        return rejected(
          'INVALID_HORIZON',
          'The horizon field in your request could not be parsed. Meter data must have a zero or negative horizon to indicate observations after the fact.',
        );
      }
    } else if (route === 'postPrognosis') {
      return rejected(
        'INVALID_HORIZON',
        "The horizon field in your request could not be parsed. Please specify the horizon field using an ISO 8601 duration (such as 'PT24H').",
      );
    }
    const p = period(msg);
    if ('status' in p) return rejected(p.status, p.message);

    // The assets (§3.9, §3.10); unknown addresses fail in the SensorField lookup: 422, raised (§3.11).
    const targets: SimSensor[][] = [];
    for (const g of groups) {
      const list: SimSensor[] = [];
      for (const ea of g.ids) {
        let parsed;
        try {
          parsed = parseEntityAddress(ea);
        } catch (err) {
          return { status: 422, raised: true, body: { message: [(err as Error).message], result: 'Rejected', status: 'INVALID_DOMAIN' } };
        }
        let s: SimSensor | undefined;
        if (singular === 'connection' && parsed.kind === 'connection') s = this.sensorById.get(parsed.sensorId ?? -1);
        if (singular === 'market' && parsed.kind === 'market') {
          // No sensor of that name at all fails the earlier resolution check (422 INVALID_DOMAIN, below);
          // a sensor that is not a market is UNRECOGNIZED_MARKET (§3.9).
          const named = this.sensors.filter((x) => x.name === parsed.market);
          const markets = named.filter((x) => x.kind === 'price');
          if (named.length > 0 && markets.length === 0)
            return rejected('UNRECOGNIZED_MARKET', `The requested market named ${parsed.market} is not known.`);
          s = markets[0];
        }
        if (singular === 'sensor' && parsed.kind === 'weather') {
          const type = parsed.weatherType!;
          const allowed: Record<string, string[]> = { temperature: ['°C', '0C'], irradiance: ['kW/m²', 'kW/m2'], 'wind speed': ['m/s'] };
          if (!allowed[type]) {
            return { status: 500, raised: true, body: { message: `Unknown weather sensor type ${type}`, status: 500 } };
          }
          if (!allowed[type]!.includes(unit as string))
            return rejected('INVALID_UNIT', `Data for ${type} should be given in ${allowed[type]![0]}.`);
          const ofType = this.sensors.filter((x) => x.weatherType === type);
          s = ofType.find((x) => {
            const a = this.assetById.get(x.assetId)!;
            return a.latitude === parsed.latitude && a.longitude === parsed.longitude;
          });
          if (!s) {
            const near = ofType.map((x) => this.assetById.get(x.assetId)!)[0];
            return rejected(
              'UNRECOGNIZED_SENSOR',
              near
                ? `No sensor is known at this location. The nearest sensor is at latitude ${near.latitude} and longitude ${near.longitude}`
                : "No sensor is known at this location. In fact, we can't find any sensors.",
            );
          }
        }
        if (!s || (singular === 'connection' && s.unit !== 'MW')) {
          return {
            status: 422,
            raised: true,
            body: { message: [`${singular} with entity address ${ea} doesn't exist.`], result: 'Rejected', status: 'INVALID_DOMAIN' },
          };
        }
        list.push(s);
      }
      targets.push(list);
    }
    const all = targets.flat();
    // All sensors must share a resolution (§3.7).
    const other = all.find((s) => s.resolutionMs !== all[0]!.resolutionMs);
    if (other) {
      return rejected(
        'INVALID_RESOLUTION',
        `Requested assets do not have matching resolutions. Cannot send data for both ${all[0]!.name} and ${other.name}.`,
      );
    }
    const required = all[0]!.resolutionMs;
    // Inferred from the FIRST group; a whole multiple is upsampled, anything else refused (§3.12).
    const inferred = p.duration / (groups[0]!.values as number[]).length;
    if (!Number.isInteger(inferred) || inferred % required !== 0) {
      return rejected('INVALID_RESOLUTION', `Only the following resolutions in the data are supported: ${formatDurationIsodate(required)}`);
    }
    if (route === 'postPriceData') {
      const s = all[0]!;
      if (unit !== s.unit) return rejected('INVALID_UNIT', `Data for ${s.name.replace(/_/g, ' ')} prices should be given in ${s.unit}.`);
    }
    if (route === 'postPrognosis' && this.bugs) {
      // post_prognosis_response() is called without `rolling` in v0.4–v0.13 (§3.8).
      return {
        status: 500,
        raised: true,
        body: { message: "post_prognosis_response() missing 1 required positional argument: 'rolling'", status: 500 },
      };
    }
    if ((p.duration / required) * all.length > MAX_EVENTS) {
      return rejected(
        'INVALID_PERIOD',
        "A time period in your request doesn't seem right. (The simulator stores at most 1000000 events per request.)",
      );
    }
    const items: NewBelief[] = [];
    const end = p.start + p.duration;
    for (let gi = 0; gi < groups.length; gi++) {
      const values = groups[gi]!.values as number[];
      const k = Math.max(1, Math.round(inferred / required));
      for (const s of targets[gi]!) {
        for (let i = 0; i < values.length; i++) {
          let v = values[i]!;
          if (s.kind === 'ev' || s.kind === 'solar') {
            // USEF sign in, database sign stored; pure consumers/producers are checked (§3.7).
            const ea = `${AUTHORITY}:fm1.${s.id}`;
            if (s.strictly === 'non-positive' && v < 0) {
              return rejected(
                'POWER_VALUE_TOO_SMALL',
                `One or more power values are too small. Connection ${ea} is registered as a pure consumer and can only receive non-negative values.`,
              );
            }
            if (s.strictly === 'non-negative' && v > 0) {
              return rejected(
                'POWER_VALUE_TOO_BIG',
                `One or more power values are too big. Connection ${ea} is registered as a pure producer and can only receive non-positive values.`,
              );
            }
            v = -v || 0;
          }
          for (let r = 0; r < k; r++) {
            const t = p.start + (i * k + r) * required;
            // Plain horizons are anchored to the end of the whole period (§3.12).
            const h = rolling ? horizon : horizon - (end - (t + required));
            items.push({ sensor: s, t, horizonMs: h, value: v });
          }
        }
      }
    }
    const outcome = this.store.save(items);
    if (outcome === 'REPLACEMENT')
      return { status: 403, body: { results: 'Rejected', status: 'INVALID_REPLACEMENT', message: REPLACEMENT_V1 } };
    if (outcome === 'ALREADY')
      return { status: 200, body: { results: 'PROCESSED', status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED', message: ALREADY_V1 } };
    return { status: 200, body: { ...PROCESSED } };
  }
}
