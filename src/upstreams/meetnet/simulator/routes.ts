// Routing of the simulated Meetnet API and its route handlers: 404/405, ping, catalog, currentData, getData.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { bearerToken, unauthorized, type MeetnetAuth } from './auth.js';
import { badRequest, field, idsOf, unsupportedMediaType } from './binding.js';
import { loadDefaultCatalog, serializeCatalog, seriesById, type Series } from './catalog.js';
import { isGap, meetnetSeries } from './data.js';
import { DATETIME_MIN_MS, DAY_MS, MINUTE_MS, formatMeetnetTime, parseMeetnetTime } from './formats.js';
import type { MeetnetSimulatorOptions } from './index.js';
import { scramble } from './quirks.js';
import {
  MEETNET_MAX_SPAN_DAYS,
  type CurrentDataItem,
  type CustomerModel,
  type GetDataResponse,
  type LPData,
  type PingResponse,
} from '../wire.js';

/** Lower-cased path → route name (as logged and as faults name it) and allowed methods. */
const ROUTES = new Map<string, { route: string; methods: string[] }>([
  ['/token', { route: 'token', methods: ['POST'] }],
  ['/v2/ping', { route: 'ping', methods: ['GET'] }],
  ['/v2/catalog', { route: 'catalog', methods: ['GET'] }],
  ['/v2/currentdata', { route: 'currentData', methods: ['GET', 'POST'] }],
  ['/v2/getdata', { route: 'getData', methods: ['POST'] }],
]);

/** Answers every request: routes it, checks the token, and serves the account's catalogue and data. */
export class MeetnetRoutes {
  private readonly maxSpanDays: number | null;
  private readonly gapRate: number;
  private readonly unordered: boolean;
  private readonly replay: { currentData?: string; getData?: string };
  private readonly historyStartMs: number;
  private readonly customer: CustomerModel;
  private readonly catalogBody: string;
  private readonly series: Map<string, Series>;
  private readonly liveSeries: Series[];

  constructor(
    o: MeetnetSimulatorOptions,
    private readonly auth: MeetnetAuth,
  ) {
    this.maxSpanDays = o.maxSpanDays === undefined ? MEETNET_MAX_SPAN_DAYS : o.maxSpanDays;
    this.gapRate = o.gapRate ?? 0.01;
    this.unordered = o.unordered ?? false;
    this.replay = o.replay ?? {};
    this.historyStartMs = o.historyStartMs ?? Date.UTC(2000, 0, 1);
    this.customer = { FullName: 'Simulator Account', Login: auth.username };
    const catalog = o.catalog ?? loadDefaultCatalog();
    this.catalogBody = serializeCatalog(catalog, this.customer);
    this.series = seriesById(catalog);
    // currentData is sorted by ID (§5.2) and leaves out series with CurrentInterval 0 (§4.6).
    this.liveSeries = [...this.series.values()].filter((s) => s.intervalMin > 0).sort((a, b) => cmp(a.id, b.id));
  }

  handle(req: SimRequest): SimResult {
    const key = req.path.toLowerCase().replace(/\/+$/, '') || '/'; // case-insensitive, trailing slash ok (§1)
    const def = ROUTES.get(key);
    if (!def) return this.notFound(req); // includes /V2/Token (§1)
    if (!def.methods.includes(req.method)) {
      return {
        route: def.route,
        authorized: null,
        status: 405,
        headers: { allow: def.methods.join(', ') },
        body: { Message: `The requested resource does not support http method '${req.method}'.` },
      };
    }
    switch (def.route) {
      case 'token':
        return this.auth.token(req);
      case 'ping':
        return this.ping(req);
      default: {
        const authorized = this.auth.isAuthorized(req);
        // [Authorize] runs before model binding: 401 whatever the body (§7).
        if (!authorized) return unauthorized(def.route);
        if (def.route === 'catalog') return { route: 'catalog', authorized: true, status: 200, rawBody: this.catalogBody };
        if (def.route === 'currentData') return { route: 'currentData', authorized: true, ...this.currentData(req) };
        return { route: 'getData', authorized: true, ...this.getData(req) };
      }
    }
  }

  private notFound(req: SimRequest): SimResult {
    const host = req.headers.host ?? 'localhost';
    return {
      route: 'unknown',
      authorized: null,
      status: 404,
      body: { Message: `No HTTP resource was found that matches the request URI 'http://${host}${req.url}'.` },
    };
  }

  private ping(req: SimRequest): SimResult {
    // Always 200; an invalid or expired token just gives Customer null (§3).
    const token = bearerToken(req);
    const authorized = token === null ? null : this.auth.isAuthorized(req);
    const body: PingResponse = { Customer: authorized ? { ...this.customer } : null };
    return { route: 'ping', authorized, status: 200, body };
  }

  private currentData(req: SimRequest): { status: number; body?: unknown; rawBody?: string } {
    if (this.replay.currentData !== undefined) return { status: 200, rawBody: this.replay.currentData };
    // GET ignores any filter, `?ids=` included (§5.1); only a POST body filters.
    let wanted: Set<string> | null = null;
    if (req.method === 'POST') {
      if (req.bodyError !== null) return badRequest('The request is invalid.', { MessageDetail: req.bodyError });
      const unsupported = unsupportedMediaType(req, 'CurrentDataRequest');
      if (unsupported) return unsupported;
      const ids = idsOf(req);
      if (ids !== null) wanted = new Set(ids); // the request model is optional: no IDs = everything (§5.1)
    }
    const now = req.at;
    const out: CurrentDataItem[] = [];
    for (const s of this.liveSeries) {
      if (wanted && !wanted.has(s.id)) continue; // unknown IDs are left out (§5.2)
      const t = this.latestPoint(s, now);
      if (t === null) continue; // never reported: left out (§5.2)
      out.push({ ID: s.id, Timestamp: formatMeetnetTime(t), Value: meetnetSeries(s.parameter, s.location)(t) });
    }
    return { status: 200, body: out };
  }

  /** The latest grid instant at or before `now` that is not a gap. */
  private latestPoint(s: Series, now: number): number | null {
    const step = s.intervalMin * MINUTE_MS;
    let t = Math.floor(now / step) * step;
    for (let i = 0; i < 100_000 && t >= this.historyStartMs; i++, t -= step) {
      if (!isGap(s.id, t, this.gapRate)) return t;
    }
    return null;
  }

  private getData(req: SimRequest): { status: number; body?: unknown; rawBody?: string } {
    if (this.replay.getData !== undefined) return { status: 200, rawBody: this.replay.getData };
    if (req.bodyError !== null) return badRequest('The request is invalid.', { MessageDetail: req.bodyError });
    const unsupported = unsupportedMediaType(req, 'GetDataRequest');
    if (unsupported) return unsupported;
    // A missing StartTime/EndTime binds to DateTime.MinValue: From/Till gives 200 and no points (§6.1).
    const times: number[] = [];
    for (const name of ['StartTime', 'EndTime']) {
      const v = field(req.body, name);
      if (v === undefined || v === null || v === '') {
        times.push(DATETIME_MIN_MS);
        continue;
      }
      const ms = typeof v === 'string' ? parseMeetnetTime(v) : null;
      if (ms === null) {
        return badRequest('The request is invalid.', {
          ModelState: { [`request.${name}`]: [`Could not convert string to DateTime: ${String(v)}.`] },
        });
      }
      times.push(ms);
    }
    const [start, end] = times as [number, number];
    // The real answer to a span over 365 days is unknown; ours is a 400 (§6.1, §8.6).
    if (this.maxSpanDays !== null && end - start > this.maxSpanDays * DAY_MS) {
      return badRequest(`The requested period is longer than ${this.maxSpanDays} days.`);
    }

    // One entry per known ID, duplicates once (a decision, §8.6); unknown IDs are left out (§6.2).
    const ids = [...new Set(idsOf(req) ?? [])];
    const known = ids.map((id) => this.series.get(id)).filter((s): s is Series => s !== undefined);
    // The recording came back in descending ID order, not request order (§6.2).
    known.sort((a, b) => cmp(b.id, a.id));
    const clippedEnd = Math.min(end, req.at); // no points in the future (§6.2)
    const from = Math.max(start, this.historyStartMs);
    const series = known.map((s) => this.seriesData(s, from, clippedEnd));

    let first: string | null = null;
    let last: string | null = null;
    for (const { head } of series) {
      if (head.StartTime !== null && (first === null || head.StartTime < first)) first = head.StartTime;
      if (head.EndTime !== null && (last === null || head.EndTime > last)) last = head.EndTime;
    }
    const intervals = [...new Set(known.map((s) => s.intervalMin).filter((i) => i > 0))].sort((a, b) => a - b);
    // Key order as recorded: StartTime, EndTime, Intervals, Values (§6.2). Assembled as text: a
    // year of 10-minute data for 40 series is 2 M points, too many for objects + JSON.stringify.
    const top: Omit<GetDataResponse, 'Values'> = { StartTime: first, EndTime: last, Intervals: intervals };
    const rawBody = `${JSON.stringify(top).slice(0, -1)},"Values":[${series.map((x) => x.json).join(',')}]}`;
    return { status: 200, rawBody };
  }

  /** One LPData: its head (everything but the points) and its complete JSON text. */
  private seriesData(s: Series, from: number, to: number): { head: Omit<LPData, 'Values'>; json: string } {
    const points: string[] = [];
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let firstT = Number.NaN;
    let lastT = Number.NaN;
    if (s.intervalMin > 0 && from <= to) {
      const step = s.intervalMin * MINUTE_MS;
      const gen = meetnetSeries(s.parameter, s.location);
      const lastGrid = Math.floor(to / step) * step;
      // Both ends inclusive (§6.2), on the interval grid aligned to the epoch (a decision, §8.6).
      for (let t = Math.ceil(from / step) * step; t <= lastGrid; t += step) {
        if (isGap(s.id, t, this.gapRate)) continue; // gaps are omitted, never null-filled (§6.2)
        const v = gen(t);
        if (!Number.isFinite(v)) continue;
        if (v < min) min = v;
        if (v > max) max = v;
        if (points.length === 0) firstT = t;
        lastT = t;
        points.push(`{"Timestamp":"${formatMeetnetTime(t)}","Value":${v}}`);
      }
    }
    // No point: the series is still present, with Start/End/Min/Max null and `Values: []` (§6.2).
    const head: Omit<LPData, 'Values'> =
      points.length === 0
        ? { ID: s.id, StartTime: null, EndTime: null, MinValue: null, MaxValue: null }
        : { ID: s.id, StartTime: formatMeetnetTime(firstT), EndTime: formatMeetnetTime(lastT), MinValue: min, MaxValue: max };
    // "Timeseries are not always sorted on the server", and repeat values (§6.2, S3 commit bcab6eb).
    const returned = this.unordered && points.length > 0 ? scramble(points, s.id) : points;
    return { head, json: `${JSON.stringify(head).slice(0, -1)},"Values":[${returned.join(',')}]}` };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
