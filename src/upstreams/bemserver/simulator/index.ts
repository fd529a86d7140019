// Built-in simulator of the BEMServer REST API (contract: shared/upstreams/bemserver.md, checklist
// §11): JWT auth with refresh tokens (§2), Flask/flask-smorest transport quirks (§1: compact JSON,
// 308 to the trailing slash, error bodies, 422 validation), pagination (§4), ETags (§5), the
// campaign/site/building/storey/space/zone/timeseries resources with their filters (§6) and the
// timeseries data routes (§7: raw, aggregate, stats, JSON/CSV, writes where the first value wins).
// Values and the portfolio come from sim-data.ts.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SimulatorServer, type ParamRecord, type SimRequest, type SimResult, type SimulatorOptions } from '../../../simulators/index.js';
import {
  STEP_MS,
  TIMEZONES,
  buildPortfolio,
  conversion,
  isEnergyModel,
  isGap,
  seriesValue,
  unitInfo,
  type SeriesKind,
  type SeriesModel,
} from './data.js';
import type { AuthErrorCode, TokenClaims } from '../wire.js';

export interface BemServerSimulatorOptions {
  /** Benchmarks only: identical reads of these routes answered again (see SimulatorOptions.memoize). */
  memoize?: SimulatorOptions['memoize'];
  /** Service account, an admin (default 'simulator@example.com'). */
  email?: string;
  /** Default 'simulator'. */
  password?: string;
  /** The simulator's "now" (token expiry, generated data up to it); Date.now by default. */
  clock?: () => number;
  latencyMs?: number;
  /** Default 900 (§2.3). */
  accessTokenLifetimeSeconds?: number;
  /** Default 5 184 000 (60 days, §2.3). */
  refreshTokenLifetimeSeconds?: number;
  /** Fraction of missing 10-minute points in the raw data (default 0.01). */
  gapRate?: number;
  /** A request target longer than this is answered 414, as a reverse proxy would (default 8192). */
  maxUrlLength?: number;
  /** Generated data starts here (default 2025-01-01T00:00Z). */
  historyStartMs?: number;
}

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const API_VERSION = '0.27.0';
const CORE_VERSION = '0.22.0';
/** Guards of the simulator itself (it runs inside test processes), answered 422 with a message. */
const MAX_POINTS_OUT = 5_000_000;
const MAX_POINTS_SCANNED = 20_000_000;
const MAX_BUCKETS = 1_000_000;
const MAX_CELLS = 5_000_000;

/** Python's http.HTTPStatus phrases, as flask-smorest writes them in `status` (§1.4). */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  500: 'Internal Server Error',
};

// ---------------------------------------------------------------- Python-compatible JSON (§1.2)

/** A number Python holds as a float: always written with a decimal point or an exponent (`1.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's repr(float): `0.0`, `1.5`, `1e-05`, `1.5e+16`, `NaN`, `Infinity`. */
export function pyFloat(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-4 && abs < 1e16) return v % 1 === 0 ? `${v}.0` : String(v);
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string as Python writes it with ensure_ascii: non-ASCII as \uXXXX (`"\u00b0C"`). */
export function pyStr(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

interface DumpStyle {
  item: string;
  key: string;
  sortKeys?: boolean;
}
/** Flask's jsonify (§1.2). */
const COMPACT: DumpStyle = { item: ',', key: ':' };
/** Python's json.dumps defaults (data routes §7.3, X-Pagination §4). */
const PY_DEFAULT: DumpStyle = { item: ', ', key: ': ' };
/** flask-smorest's ETag input (§5). */
const ETAG_STYLE: DumpStyle = { item: ', ', key: ': ', sortKeys: true };

/** json.dumps of a value; Maps and plain objects keep their order, PyFloat is a float. */
export function pyDumps(value: unknown, style: DumpStyle): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloat(value);
    case 'string':
      return pyStr(value);
    default:
      break;
  }
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (Array.isArray(value)) return `[${value.map((v) => pyDumps(v, style)).join(style.item)}]`;
  let entries: Array<[string, unknown]> =
    value instanceof Map ? [...(value as Map<string, unknown>).entries()] : Object.entries(value as object);
  if (style.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pyStr(k)}${style.key}${pyDumps(v, style)}`).join(style.item)}}`;
}

/** Python's repr() of a str, as it appears in "Unknown timeseries: ['Dummy name']" (§7.9). */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Flask's JSON answer: compact, then one newline (§1.2). */
function jsonResult(status: number, value: unknown, headers: Record<string, string> = {}): SimResult {
  return { status, rawBody: `${pyDumps(value, COMPACT)}\n`, headers: { 'content-type': 'application/json', ...headers } };
}

/** flask-smorest's error payload: code, status, then message and errors when given (§1.4). */
function errorBody(status: number, extra: { message?: string; errors?: unknown } = {}): Map<string, unknown> {
  const body = new Map<string, unknown>([
    ['code', status],
    ['status', PHRASES[status] ?? 'Error'],
  ]);
  if (extra.message !== undefined) body.set('message', extra.message);
  if (extra.errors !== undefined) body.set('errors', extra.errors);
  return body;
}

function errorResult(status: number, extra: { message?: string; errors?: unknown } = {}, headers: Record<string, string> = {}): SimResult {
  return jsonResult(status, errorBody(status, extra), headers);
}

/** A 204 as Flask sends it: no body, still `Content-Type: application/json`. */
function noContent(): SimResult {
  return { status: 204, rawBody: '', headers: { 'content-type': 'application/json' } };
}

const etagOf = (data: unknown): string => `"${createHash('sha1').update(pyDumps(data, ETAG_STYLE)).digest('hex')}"`;

// ---------------------------------------------------------------- datetimes

/** Epoch ms of a UTC wall time; years 0–99 too (Date.UTC maps them to 1900–1999). */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function validYmdHms(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || y < 1) return false;
  const date = new Date(utcMs(y, mo, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

// marshmallow 3's ISO 8601 pattern (S8): date, `T` or space, HH:MM[:SS[.ffffff]], optional zone.
const MA_DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATETIME_MIN = Date.UTC(1680, 0, 1);
const DATETIME_MAX = Date.UTC(2260, 0, 1);
const RANGE_MESSAGE = 'Must be greater than or equal to 1680-01-01 00:00:00+00:00 and less than or equal to 2260-01-01 00:00:00+00:00.';

/** Zone suffix → offset in minutes; null when Python's timezone() would refuse it. */
function zoneOffsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (mm > 59) return null;
  const total = hh * 60 + mm;
  return total >= 24 * 60 ? null : sign * total;
}

/**
 * The instant of parsed date-time fields (year, month, day, hour, minute, second; fraction; zone
 * suffix): epoch ms, fractional below the ms (microseconds kept, anything finer dropped); 'invalid'
 * for a date or time that does not exist or a zone Python refuses; 'naive' without a zone.
 */
function instantOf(fields: readonly string[], frac: string, zone: string | undefined): number | 'naive' | 'invalid' {
  const [y, mo, d, h, mi, s] = fields.map(Number) as [number, number, number, number, number, number];
  if (!validYmdHms(y, mo, d, h, mi, s)) return 'invalid';
  if (zone === undefined) return 'naive';
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return 'invalid';
  const micro = Number(frac.slice(0, 6).padEnd(6, '0') || '0');
  return utcMs(y, mo, d, h, mi, s, Math.floor(micro / 1000)) + (micro % 1000) / 1000 - offset * MINUTE;
}

/**
 * An `AwareDateTime` query/body field (§1.3): epoch ms (fractional below the ms) or the message.
 * A `+` left unencoded arrives as a space and fails as "Not a valid datetime.".
 */
function parseAwareField(raw: unknown): number | { error: string } {
  if (typeof raw !== 'string') return { error: 'Not a valid datetime.' };
  const m = MA_DATETIME.exec(raw);
  if (!m) return { error: 'Not a valid datetime.' };
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const t = instantOf([y!, mo!, d!, h!, mi!, s], frac, zone);
  if (t === 'invalid') return { error: 'Not a valid datetime.' };
  if (t === 'naive') return { error: 'Not a valid aware datetime.' };
  if (t < DATETIME_MIN || t > DATETIME_MAX) return { error: RANGE_MESSAGE };
  return t;
}

// pandas.to_datetime(format="ISO8601") as the data import uses it (§7.7).
const PD_DATETIME =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;
const PD_MIN = Date.UTC(1677, 8, 22);
const PD_MAX = Date.UTC(2262, 3, 11);

/** A timestamp of posted data: epoch ms, 'naive' or 'invalid' (§7.7, §7.9). */
function parseDataTimestamp(raw: string): number | 'naive' | 'invalid' {
  const m = PD_DATETIME.exec(raw);
  if (!m) return 'invalid';
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const t = instantOf([y!, mo!, d!, h, mi, s], frac, zone?.toUpperCase());
  if (typeof t !== 'number') return t;
  return t < PD_MIN || t > PD_MAX ? 'invalid' : t;
}

const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** An IANA zone: UTC offsets at instants (Intl, memoised per hour) and local wall time → instant. */
class TimeZone {
  private static readonly cache = new Map<string, TimeZone>();
  readonly name: string;
  private readonly fixed: number | null;
  private readonly fmt: Intl.DateTimeFormat | null;
  /** hour index → offset, or [transition instant, offset before, offset after]. */
  private readonly hours = new Map<number, number | [number, number, number]>();
  private lastHour = Number.NaN;
  private lastEntry: number | [number, number, number] = 0;

  private constructor(name: string) {
    this.name = name;
    this.fixed = name === 'UTC' ? 0 : null;
    this.fmt =
      this.fixed === null
        ? new Intl.DateTimeFormat('en-US', {
            timeZone: name,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          })
        : null;
  }

  static get(name: string): TimeZone {
    let z = TimeZone.cache.get(name);
    if (!z) {
      z = new TimeZone(name);
      TimeZone.cache.set(name, z);
    }
    return z;
  }

  /** Offset (ms) of the zone at instant t. */
  offset(t: number): number {
    if (this.fixed !== null) return this.fixed;
    const h = Math.floor(t / HOUR);
    let e: number | [number, number, number];
    if (h === this.lastHour) e = this.lastEntry;
    else {
      let found = this.hours.get(h);
      if (found === undefined) {
        found = this.computeHour(h);
        if (this.hours.size > 400_000) this.hours.clear();
        this.hours.set(h, found);
      }
      e = found;
      this.lastHour = h;
      this.lastEntry = e;
    }
    return typeof e === 'number' ? e : t < e[0] ? e[1] : e[2];
  }

  private raw(t: number): number {
    const whole = t - mod(t, SECOND);
    const parts = this.fmt!.formatToParts(new Date(whole));
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
    let year = get('year');
    if (parts.some((p) => p.type === 'era' && /^B/.test(p.value))) year = 1 - year;
    return utcMs(year, get('month'), get('day'), get('hour') % 24, get('minute'), get('second')) - whole;
  }

  private computeHour(h: number): number | [number, number, number] {
    let lo = h * HOUR;
    let hi = (h + 1) * HOUR - SECOND; // the last whole second of the hour
    const a = this.raw(lo);
    const b = this.raw(hi);
    if (a === b) return a;
    // One transition inside the hour (Lord Howe switches at :30): bisect to its second.
    while (hi - lo > SECOND) {
      const mid = lo + Math.max(1, Math.floor((hi - lo) / SECOND / 2)) * SECOND;
      if (this.raw(mid) === a) lo = mid;
      else hi = mid;
    }
    return [hi, a, b];
  }

  /**
   * The instant of a local wall time (ms since 1970-01-01 local). Ambiguous (fall back): the
   * candidate with offset `prefer` if valid, else the earlier one (fold=0). Nonexistent (spring
   * forward): shifted forward by the gap, as zoneinfo does with fold=0.
   */
  fromLocal(wall: number, prefer?: number): number {
    if (this.fixed !== null) return wall - this.fixed;
    const before = this.offset(wall - 14 * HOUR);
    const after = this.offset(wall + 14 * HOUR);
    const candidates = [...new Set([before, after])].map((o) => wall - o).filter((u) => this.offset(u) === wall - u);
    if (candidates.length === 0) return wall - before;
    if (prefer !== undefined) {
      const p = candidates.find((u) => wall - u === prefer);
      if (p !== undefined) return p;
    }
    return Math.min(...candidates);
  }
}

const TIME_OF_DAY: string[] = Array.from(
  { length: 1440 },
  (_, m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`,
);

/**
 * Timestamps as the data routes write them in a zone (§7.3, §7.4): `isoformat()` for JSON
 * (`2020-01-01T01:00:00+01:00`, microseconds when present), `%Y-%m-%dT%H:%M:%S%z` for CSV
 * (`+0100`, no fraction). Cheap on a grid: the date part is cached per local day.
 */
class TimeFormatter {
  private day = Number.NaN;
  private prefix = '';
  private readonly suffixes = new Map<number, string>();

  constructor(
    private readonly zone: TimeZone,
    private readonly csv: boolean,
  ) {}

  format(t: number): string {
    const off = this.zone.offset(t);
    const local = t + off;
    const day = Math.floor(local / DAY);
    if (day !== this.day) {
      this.day = day;
      this.prefix = new Date(day * DAY).toISOString().slice(0, 11);
    }
    const rest = local - day * DAY;
    let time: string;
    if (rest % MINUTE === 0) time = TIME_OF_DAY[rest / MINUTE]!;
    else {
      const wholeSec = Math.floor(rest / SECOND);
      const hh = Math.floor(wholeSec / 3600);
      const mi = Math.floor((wholeSec % 3600) / 60);
      const ss = wholeSec % 60;
      time = `${String(hh).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
      const micro = Math.round((rest - wholeSec * SECOND) * 1000);
      if (!this.csv && micro > 0) time += `.${String(Math.min(micro, 999_999)).padStart(6, '0')}`;
    }
    let suffix = this.suffixes.get(off);
    if (suffix === undefined) {
      const sign = off < 0 ? '-' : '+';
      const abs = Math.abs(Math.round(off / SECOND));
      const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
      const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
      const ss = abs % 60;
      suffix = this.csv
        ? `${sign}${hh}${mm}${ss ? String(ss).padStart(2, '0') : ''}`
        : `${sign}${hh}:${mm}${ss ? `:${String(ss).padStart(2, '0')}` : ''}`;
      this.suffixes.set(off, suffix);
    }
    return this.prefix + time + suffix;
  }
}

/** `2012-09-04T00:00:00+00:00`: resource datetimes come back in UTC (§1.2). */
function isoUtc(t: number): string {
  return new TimeFormatter(TimeZone.get('UTC'), false).format(t);
}

/** pyFloat with a per-response memo: measured values repeat a lot (a year of data is millions of points). */
class FloatText {
  private readonly memo = new Map<number, string>();
  get(v: number): string {
    let s = this.memo.get(v);
    if (s === undefined) {
      s = pyFloat(v);
      if (this.memo.size < 200_000) this.memo.set(v, s);
    }
    return s;
  }

  /** The value after a convert_to conversion (none: as stored). */
  converted(v: number, c: { scale: number; shift: number } | null | undefined): string {
    return this.get(c ? v * c.scale + c.shift : v);
  }
}

/** Formatted timestamps of the 10-minute grid inside [from, to), computed once per response. */
class GridLabels {
  private readonly base: number;
  private readonly labels: Array<string | undefined>;

  constructor(
    private readonly fmt: TimeFormatter,
    from: number,
    to: number,
    private readonly wrap: (label: string) => string,
  ) {
    this.base = Number.isFinite(from) ? Math.ceil(from / STEP_MS) * STEP_MS : 0;
    const size = Number.isFinite(to) && Number.isFinite(from) ? Math.ceil((to - this.base) / STEP_MS) : 0;
    this.labels = new Array<string | undefined>(size > 0 && size <= 2_000_000 ? size : 0);
  }

  get(t: number): string {
    const k = (t - this.base) / STEP_MS;
    if (k >= 0 && k < this.labels.length && k % 1 === 0) {
      let s = this.labels[k];
      if (s === undefined) {
        s = this.wrap(this.fmt.format(t));
        this.labels[k] = s;
      }
      return s;
    }
    return this.wrap(this.fmt.format(t));
  }
}

// ---------------------------------------------------------------- JWT (§2.3)

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');
const JWT_HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function signJwt(claims: TokenClaims, secret: Buffer): string {
  const payload = `${JWT_HEADER}.${b64url(JSON.stringify(claims))}`;
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** Claims of a valid HS256 token signed with `secret`; null when undecodable or badly signed. */
function verifyJwt(token: string, secret: Buffer): { email: unknown; type: unknown; exp: unknown } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown };
    if (!header || header.alg !== 'HS256') return null; // only HS256 (§2.3)
    const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
    return { email: claims.email, type: claims.type, exp: claims.exp };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- validation (webargs/marshmallow wording, §1.3, §1.4)

type Errors = Record<string, unknown>;
const MISSING = 'Missing data for required field.';
const NOT_INT = 'Not a valid integer.';
const INT_RE = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?\s*$/;

/** marshmallow Integer (not strict): integral numbers and integer strings (Python int()). */
function maInt(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : null;
  if (typeof raw === 'string' && INT_RE.test(raw)) return Number(raw.replace(/_/g, '').trim());
  return null;
}

/** marshmallow Float: numbers and numeric strings, booleans refused. */
function maFloat(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && FLOAT_RE.test(raw)) return Number(raw.replace(/_/g, '').trim());
  return null;
}

/** Python float() of a CSV/JSON value string: numbers, `inf`, `nan` (→ NaN = skipped). */
function pyFloatOf(raw: string): number | null {
  const s = raw.trim();
  if (FLOAT_RE.test(s)) return Number(s.replace(/_/g, ''));
  const l = s.toLowerCase().replace(/^[+]/, '');
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan' || l === '-nan') return Number.NaN;
  return null;
}

const oneOfMessage = (choices: readonly string[]): string => `Must be one of: ${choices.join(', ')}.`;
const TIMEZONE_SET = new Set(TIMEZONES);
const TIMEZONE_MESSAGE = oneOfMessage(TIMEZONES);

/** Query-string arguments with webargs semantics: first value for scalars, repeated keys for lists. */
class QueryArgs {
  readonly errors: Errors = {};
  constructor(private readonly q: ParamRecord) {}

  has(k: string): boolean {
    return this.q[k] !== undefined;
  }

  first(k: string): string | undefined {
    const v = this.q[k];
    return Array.isArray(v) ? v[0] : v;
  }

  all(k: string): string[] | undefined {
    const v = this.q[k];
    return v === undefined ? undefined : Array.isArray(v) ? v : [v];
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  private missing(k: string, required: boolean): boolean {
    if (this.q[k] !== undefined) return false;
    if (required) this.errors[k] = [MISSING];
    return true;
  }

  int(k: string, required = false, range?: [number, number]): number | undefined {
    if (this.missing(k, required)) return undefined;
    const v = maInt(this.first(k));
    if (v === null) {
      this.errors[k] = [NOT_INT];
      return undefined;
    }
    if (range && (v < range[0] || v > range[1])) {
      this.errors[k] = [
        range[1] === Infinity
          ? `Must be greater than or equal to ${range[0]}.`
          : `Must be greater than or equal to ${range[0]} and less than or equal to ${range[1]}.`,
      ];
      return undefined;
    }
    return v;
  }

  str(k: string, required = false): string | undefined {
    if (this.missing(k, required)) return undefined;
    return this.first(k);
  }

  aware(k: string, required = false): number | undefined {
    if (this.missing(k, required)) return undefined;
    const v = parseAwareField(this.first(k));
    if (typeof v !== 'number') {
      this.errors[k] = [v.error];
      return undefined;
    }
    return v;
  }

  /** The first value if `valid` accepts it, else the field error `message`; `fallback` when absent. */
  private checked<T extends string>(
    k: string,
    required: boolean,
    fallback: T | undefined,
    valid: (v: string) => boolean,
    message: string,
  ): T | undefined {
    if (this.missing(k, required)) return fallback;
    const v = this.first(k)!;
    if (!valid(v)) {
      this.errors[k] = [message];
      return undefined;
    }
    return v as T;
  }

  oneOf<T extends string>(k: string, choices: readonly T[], fallback?: T, required = false): T | undefined {
    return this.checked(k, required, fallback, (v) => (choices as readonly string[]).includes(v), oneOfMessage(choices));
  }

  timezone(k: string): string | undefined {
    return this.checked(k, false, 'UTC', (v) => TIMEZONE_SET.has(v), TIMEZONE_MESSAGE);
  }

  unit(k: string): string | undefined {
    return this.checked(k, false, undefined, (v) => unitInfo(v) !== null, 'Undefined unit.');
  }

  /** A repeated-key list; item errors are keyed by index (`{"0": ["Not a valid integer."]}`). */
  list<T>(k: string, required: boolean, item: (raw: string) => T | { error: string }): T[] | undefined {
    if (this.missing(k, required)) return undefined;
    const out: T[] = [];
    const errs: Errors = {};
    this.all(k)!.forEach((raw, i) => {
      const v = item(raw);
      if (v !== null && typeof v === 'object' && 'error' in (v as object)) errs[String(i)] = [(v as { error: string }).error];
      else out.push(v as T);
    });
    if (Object.keys(errs).length > 0) {
      this.errors[k] = errs;
      return undefined;
    }
    return out;
  }

  /** `sort` (webargs DelimitedList, comma-separated, §1.3). */
  sort(fields: readonly string[]): Array<{ field: string; desc: boolean }> | undefined {
    if (this.missing('sort', false)) return undefined;
    const choices = fields.flatMap((f) => [f, `+${f}`, `-${f}`]);
    const raw = this.first('sort')!;
    const items = raw === '' ? [] : raw.split(',');
    const errs: Errors = {};
    items.forEach((s, i) => {
      if (!choices.includes(s)) errs[String(i)] = [oneOfMessage(choices)];
    });
    if (Object.keys(errs).length > 0) {
      this.errors.sort = errs;
      return undefined;
    }
    return items.map((s) => ({ field: s.replace(/^[+-]/, ''), desc: s.startsWith('-') }));
  }
}

function validationError(location: 'query' | 'json', errors: unknown): SimResult {
  return errorResult(422, { errors: { [location]: errors } });
}

/** A data_state id that does not exist: 422 with a plain string, not a list (§7.2, §7.7). */
function unknownDataState(): SimResult {
  return validationError('query', { data_state: 'Unknown data state ID' });
}

// ---------------------------------------------------------------- resources (§6.1)

type FieldType = 'str' | 'email' | 'int' | 'float' | 'datetime' | 'timezone' | 'unit' | 'valueType';

interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  /** Length(1, 80) → "Length must be between 1 and 80." */
  between?: [number, number];
  /** Length(max=N) → "Longer than maximum length N." */
  maxLength?: number;
  range?: [number, number];
  /** load_default (timeseries unit_symbol "", property value_type "string"). */
  fallback?: unknown;
  /** Excluded from the PUT schema: sending it is "Unknown field." (§6). */
  putExcluded?: boolean;
  /** Foreign key: the referenced collection. */
  ref?: string;
}

type Row = Record<string, unknown> & { id: number };
type LinkParent = 'sites' | 'buildings' | 'storeys' | 'spaces' | 'zones';

interface ResourceDef {
  name: string;
  fields: FieldDef[];
  etag: boolean;
  paginated: boolean;
  put: boolean;
  /** Unique constraints (sets of field names). */
  unique: string[][];
  /** `sort` accepted (on `name`). */
  sortable: boolean;
  /** Simple equality filters: query name → kind. Timeseries have more, handled apart. */
  filters: Record<string, 'int' | 'str' | 'unit' | 'valueType' | 'in_name'>;
  /** timeseries_by_<parent>: the nested read-only parents. */
  link?: LinkParent;
}

const VALUE_TYPES = ['integer', 'float', 'boolean', 'string'] as const;
const NAME: FieldDef = { name: 'name', type: 'str', required: true, between: [1, 80] };
const DESCRIPTION: FieldDef = { name: 'description', type: 'str', maxLength: 500 };
const IFC_ID: FieldDef = { name: 'ifc_id', type: 'str', maxLength: 22 };
const parentField = (name: string, ref: string): FieldDef => ({ name, type: 'int', required: true, ref, putExcluded: true });
const linkDef = (parent: LinkParent, key: string): ResourceDef => ({
  name: `timeseries_by_${parent}`,
  fields: [
    { name: 'timeseries_id', type: 'int', required: true, ref: 'timeseries' },
    { name: key, type: 'int', required: true, ref: parent },
  ],
  etag: false, // association resources carry no ETag (§5)
  paginated: true,
  put: false,
  unique: [['timeseries_id', key]],
  sortable: false,
  filters: { [key]: 'int', timeseries_id: 'int' },
  link: parent,
});

/** The usual resource (§5, §6): ETag, full-replacement PUT, `sort` on name, not paginated. */
const resourceDef = (def: Pick<ResourceDef, 'name' | 'fields' | 'unique' | 'filters'> & Partial<ResourceDef>): ResourceDef => ({
  etag: true,
  paginated: false,
  put: true,
  sortable: true,
  ...def,
});

const RESOURCES: ResourceDef[] = [
  resourceDef({
    name: 'campaigns',
    fields: [
      NAME,
      DESCRIPTION,
      { name: 'start_time', type: 'datetime' },
      { name: 'end_time', type: 'datetime' },
      { name: 'timezone', type: 'timezone', required: true },
    ],
    unique: [['name']],
    filters: { name: 'str', in_name: 'in_name' },
  }),
  resourceDef({
    name: 'campaign_scopes',
    fields: [NAME, DESCRIPTION, parentField('campaign_id', 'campaigns')],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int' },
  }),
  resourceDef({
    name: 'sites',
    fields: [
      NAME,
      { name: 'latitude', type: 'float', range: [-90, 90] },
      { name: 'longitude', type: 'float', range: [-180, 180] },
      DESCRIPTION,
      IFC_ID,
      parentField('campaign_id', 'campaigns'),
    ],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'buildings',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('site_id', 'sites')],
    unique: [['site_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'storeys',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('building_id', 'buildings')],
    unique: [['building_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', building_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'spaces',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('storey_id', 'storeys')],
    unique: [['storey_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', building_id: 'int', storey_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'zones',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('campaign_id', 'campaigns')],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'timeseries',
    fields: [
      NAME,
      { name: 'unit_symbol', type: 'unit', fallback: '' },
      DESCRIPTION,
      parentField('campaign_id', 'campaigns'),
      parentField('campaign_scope_id', 'campaign_scopes'),
    ],
    paginated: true,
    unique: [['campaign_id', 'name']],
    filters: {}, // §6.1 timeseries filters: see BemState.filterTimeseries
  }),
  resourceDef({
    name: 'timeseries_properties',
    fields: [
      NAME,
      { name: 'description', type: 'str', maxLength: 250 },
      { name: 'value_type', type: 'valueType', fallback: 'string', putExcluded: true },
      { name: 'unit_symbol', type: 'unit' },
    ],
    unique: [['name']],
    filters: { name: 'str', value_type: 'valueType', unit_symbol: 'unit' },
  }),
  resourceDef({
    name: 'timeseries_property_data',
    fields: [
      { name: 'timeseries_id', type: 'int', required: true, ref: 'timeseries' },
      { name: 'property_id', type: 'int', required: true, ref: 'timeseries_properties' },
      { name: 'value', type: 'str', required: true, maxLength: 100 },
    ],
    unique: [['timeseries_id', 'property_id']],
    sortable: false,
    filters: { timeseries_id: 'int', property_id: 'int' },
  }),
  resourceDef({ name: 'timeseries_data_states', fields: [NAME], unique: [['name']], sortable: false, filters: {} }),
  linkDef('sites', 'site_id'),
  linkDef('buildings', 'building_id'),
  linkDef('storeys', 'storey_id'),
  linkDef('spaces', 'space_id'),
  linkDef('zones', 'zone_id'),
];

const RESOURCE_BY_NAME = new Map(RESOURCES.map((r) => [r.name, r]));

/** One body field through its marshmallow field: the value or the error messages. */
function loadField(f: FieldDef, raw: unknown): { value: unknown } | { errors: string[] } {
  if (raw === null) return f.required ? { errors: ['Field may not be null.'] } : { value: null };
  switch (f.type) {
    case 'str':
    case 'email':
    case 'unit':
    case 'timezone':
    case 'valueType': {
      if (typeof raw !== 'string') return { errors: ['Not a valid string.'] };
      if (f.between && (raw.length < f.between[0] || raw.length > f.between[1])) {
        return { errors: [`Length must be between ${f.between[0]} and ${f.between[1]}.`] };
      }
      if (f.maxLength !== undefined && raw.length > f.maxLength) return { errors: [`Longer than maximum length ${f.maxLength}.`] };
      if (f.type === 'email' && !EMAIL_RE.test(raw)) return { errors: ['Not a valid email address.'] };
      if (f.type === 'unit' && unitInfo(raw) === null) return { errors: ['Undefined unit.'] };
      if (f.type === 'timezone' && !TIMEZONE_SET.has(raw)) return { errors: [TIMEZONE_MESSAGE] };
      if (f.type === 'valueType' && !(VALUE_TYPES as readonly string[]).includes(raw)) return { errors: [oneOfMessage(VALUE_TYPES)] };
      return { value: raw };
    }
    case 'int': {
      const v = typeof raw === 'boolean' ? null : maInt(raw);
      return v === null ? { errors: [NOT_INT] } : { value: v };
    }
    case 'float': {
      const v = typeof raw === 'boolean' ? null : maFloat(raw);
      if (v === null) return { errors: ['Not a valid number.'] };
      if (f.range && (v < f.range[0] || v > f.range[1])) {
        return { errors: [`Must be greater than or equal to ${f.range[0]} and less than or equal to ${f.range[1]}.`] };
      }
      return { value: v };
    }
    case 'datetime': {
      const v = parseAwareField(raw);
      return typeof v === 'number' ? { value: v } : { errors: [v.error] };
    }
  }
}

/** Does a property value string parse as the property's value_type (§6.1)? */
function validPropertyValue(valueType: unknown, value: string): boolean {
  switch (valueType) {
    case 'integer':
      return INT_RE.test(value);
    case 'float':
      return pyFloatOf(value) !== null;
    case 'boolean':
      return value === 'true' || value === 'false';
    default:
      return true;
  }
}

/** Python csv / pandas quoting of one CSV cell (QUOTE_MINIMAL, §7.4). */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line of the data routes' CSV (§7.4): `Datetime`, then a column per requested series. */
function csvHeader(labels: string[]): string {
  return `Datetime${labels.map((l) => `,${csvCell(l)}`).join('')}\n`;
}

/** The data routes' JSON (§7.3): json.dumps defaults, `{label: {timestamp: value, …}, …}`; items are `"timestamp": value`. */
function seriesJson(columns: Array<{ label: string; items: string[] }>): string {
  return `{${columns.map((c) => `${pyStr(c.label)}: {${c.items.join(', ')}}`).join(', ')}}`;
}

/** RFC 4180 rows (quotes, doubled quotes, CRLF/LF/CR); a blank line is an empty row. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let cellStarted = false;
  const endRow = () => {
    if (cellStarted || row.length > 0) row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
    cellStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      cellStarted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      cellStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else {
      cell += c;
      cellStarted = true;
    }
  }
  if (cellStarted || row.length > 0) endRow();
  return rows;
}

/** pandas' default NA strings (read_csv): such cells are skipped like empty ones (§7.7). */
const NA_VALUES = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/** Werkzeug's Response(mimetype=…): text/* (and a few XML/JS types) get `; charset=utf-8` (§7.1). */
function responseMimetype(mimetype: string): string {
  const charset =
    (mimetype.startsWith('text/') ||
      mimetype.endsWith('+xml') ||
      [
        'application/ecmascript',
        'application/javascript',
        'application/sql',
        'application/xml',
        'application/xml-dtd',
        'application/xml-external-parsed-entity',
      ].includes(mimetype)) &&
    !mimetype.toLowerCase().includes('charset');
  return charset ? `${mimetype}; charset=utf-8` : mimetype;
}

/** Comma-separated entity tags of If-Match / If-None-Match; `*` kept; `W/` dropped. */
function etagList(header: string | string[] | undefined): string[] | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .filter((s) => s.length > 0);
}

// ---------------------------------------------------------------- stored data

/** Points written to one (timeseries, data state), and the ranges deleted from its generated data. */
class StoredSeries {
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

interface Points {
  t: Float64Array;
  v: Float64Array;
  n: number;
}

interface TsMeta {
  kind: SeriesKind | 'custom';
  model: SeriesModel | null;
}

/** A timeseries a data request names, and the label it answers under (id or name, as asked). */
interface Target {
  row: Row;
  label: string;
}

/** Query fields a data route reads besides timeseries and data_state (§7.2, §7.5, §7.6, §7.8). */
type DataField = 'window' | 'timezone' | 'convert_to' | 'buckets';

/** The data routes' query arguments; the fields a route does not read stay undefined. */
interface DataArgs {
  labels?: Array<number | string>;
  start?: number;
  end?: number;
  ds?: number;
  tz?: string;
  convertTo?: string[];
  width?: number;
  unit?: Period;
  agg?: Aggregation;
}

type RouteKind = 'about' | 'token' | 'refresh' | 'collection' | 'item' | 'data' | 'aggregate' | 'stats' | 'redirect' | 'unknown';

interface RouteMatch {
  kind: RouteKind;
  res?: ResourceDef;
  id?: number;
  /** By-name data routes: the campaign id of the path. */
  campaignId?: number;
}

const PERIODS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'] as const;
type Period = (typeof PERIODS)[number];
const FIXED_PERIOD_MS: Partial<Record<Period, number>> = { second: SECOND, minute: MINUTE, hour: HOUR };
const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count'] as const;
type Aggregation = (typeof AGGREGATIONS)[number];
const BUCKET_VALUE_MESSAGE = 'Only fixed bucket width units (second, minute, hour) accept a value different than 1.';
const CONVERT_TO_SIZE_MESSAGE = 'If provided, convert_to must be the same size as timeseries.';
const EMAIL_RE = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$|^[^\s@]+@localhost$/i;
/** The body of `POST /auth/token` (§2.1). */
const LOGIN_FIELDS: FieldDef[] = [
  { name: 'email', type: 'email', required: true },
  { name: 'password', type: 'str', required: true, between: [1, 80] },
];

class BemState {
  readonly email: string;
  readonly password: string;
  secret: Buffer = randomBytes(32);
  readonly issued: string[] = [];
  private readonly accessLifetimeS: number;
  private readonly refreshLifetimeS: number;
  private readonly gapRate: number;
  private readonly maxUrlLength: number;
  /** First instant of the generated 10-minute grid. */
  private readonly gridStart: number;
  readonly tables = new Map<string, Map<number, Row>>();
  private readonly nextIds = new Map<string, number>();
  readonly meta = new Map<number, TsMeta>();
  /** `${timeseries id}:${data state id}` → written points and deleted ranges. */
  readonly data = new Map<string, StoredSeries>();
  /** Bumped on every data write/delete: keys the stats cache. */
  private version = 0;
  private readonly statsCache = new Map<string, Map<string, unknown>>();

  constructor(o: BemServerSimulatorOptions) {
    this.email = o.email ?? 'simulator@example.com';
    this.password = o.password ?? 'simulator';
    this.accessLifetimeS = o.accessTokenLifetimeSeconds ?? 900;
    this.refreshLifetimeS = o.refreshTokenLifetimeSeconds ?? 5_184_000;
    this.gapRate = o.gapRate ?? 0.01;
    this.maxUrlLength = o.maxUrlLength ?? 8192;
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
    for (const prop of p.properties) put('timeseries_properties', { description: null, unit_symbol: null, ...prop });
    for (const d of p.propertyData) put('timeseries_property_data', { ...d });
    for (const s of p.dataStates) put('timeseries_data_states', { name: s.name });
  }

  private insert(table: string, row: Record<string, unknown>): number {
    const id = this.nextIds.get(table)!;
    this.nextIds.set(table, id + 1);
    this.tables.get(table)!.set(id, { ...row, id });
    return id;
  }

  private rows(table: string): Row[] {
    return [...this.tables.get(table)!.values()];
  }

  private row(table: string, id: number | undefined): Row | undefined {
    return id === undefined ? undefined : this.tables.get(table)!.get(id);
  }

  // ------------------------------------------------------------ routing (§1.1)

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
    if (m.kind === 'token') return this.token(req);
    if (m.kind === 'refresh') return this.refresh(req);

    // Every other route: login_required is the outermost decorator (§1.5).
    const auth = this.authenticate(req, 'access');
    if (auth) return auth;
    const ok = (r: SimResult): SimResult => ({ ...r, authorized: true });
    switch (m.kind) {
      case 'collection':
        return ok(method === 'GET' ? this.list(req, m.res!) : this.create(req, m.res!));
      case 'item':
        return ok(
          method === 'GET'
            ? this.getItem(req, m.res!, m.id!)
            : method === 'PUT'
              ? this.update(req, m.res!, m.id!)
              : this.remove(req, m.res!, m.id!),
        );
      case 'data':
        return ok(
          method === 'GET'
            ? this.getData(req, m.campaignId)
            : method === 'POST'
              ? this.postData(req, m.campaignId)
              : this.deleteData(req, m.campaignId),
        );
      case 'aggregate':
        return ok(this.getAggregate(req, m.campaignId));
      case 'stats':
        return ok(this.getStats(req, m.campaignId));
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

  // ------------------------------------------------------------ authentication (§2)

  private unauthorized(code: AuthErrorCode): SimResult {
    return { ...errorResult(401, { errors: { authentication: code } }, { 'www-authenticate': 'Bearer' }), authorized: false };
  }

  /** null when the request carries a valid token of the wanted type; else the 400/401 answer (§2.4). */
  private authenticate(req: SimRequest, want: 'access' | 'refresh'): SimResult | null {
    const header = req.headers.authorization;
    if (header === undefined) return this.unauthorized('missing_authentication');
    const m = /^(\S+)\s+(\S[\s\S]*)$/.exec(header.replace(/^\s+/, ''));
    if (!m) return { ...errorResult(400), authorized: false }; // no space at all (§1.4)
    if (m[1]!.toLowerCase() !== 'bearer') return this.unauthorized('invalid_scheme');
    const claims = verifyJwt(m[2]!.trim(), this.secret);
    if (!claims || typeof claims.email !== 'string' || typeof claims.type !== 'string') return this.unauthorized('invalid_token');
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== 'number') return this.unauthorized('invalid_token');
      // authlib: expired when exp < now (whole seconds, no leeway) on the SERVER's clock (§2.3).
      if (claims.exp < Math.floor(req.at / 1000)) return this.unauthorized('expired_token');
    }
    if (claims.type !== want) return this.unauthorized('invalid_token'); // wrong token type (§2.2)
    if (claims.email !== this.email) return this.unauthorized('invalid_token'); // unknown user
    return null;
  }

  private issuePair(at: number): SimResult {
    const now = Math.floor(at / 1000);
    const access = signJwt({ email: this.email, exp: now + this.accessLifetimeS, type: 'access' }, this.secret);
    const refresh = signJwt({ email: this.email, exp: now + this.refreshLifetimeS, type: 'refresh' }, this.secret);
    this.issued.push(access, refresh);
    if (this.issued.length > 10_000) this.issued.splice(0, this.issued.length - 10_000);
    return { ...jsonResult(200, { status: 'success', access_token: access, refresh_token: refresh }), authorized: true };
  }

  /** `POST /auth/token`: 200 either way, `{"status":"failure"}` for bad credentials (§2.1). */
  private token(req: SimRequest): SimResult {
    const loaded = this.loadFields(req, LOGIN_FIELDS);
    if ('result' in loaded) return loaded.result;
    const { email, password } = loaded.data;
    if (email !== this.email || password !== this.password) return { ...jsonResult(200, { status: 'failure' }), authorized: false };
    return this.issuePair(req.at);
  }

  /** `POST /auth/token/refresh` with the refresh token: a new pair (§2.2). */
  private refresh(req: SimRequest): SimResult {
    return this.authenticate(req, 'refresh') ?? this.issuePair(req.at);
  }

  // ------------------------------------------------------------ bodies (§1.3, §1.4)

  /**
   * webargs' JSON location: only an `application/json` (or `+json`) body counts; another type or an
   * empty body is "missing" (so required fields are reported); a malformed one is 400.
   */
  private readJson(req: SimRequest): { value: unknown } | { result: SimResult } {
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const isJson = ct === 'application/json' || (ct.startsWith('application/') && ct.endsWith('+json'));
    if (!isJson || req.rawBody.trim() === '') return { value: undefined };
    try {
      return { value: JSON.parse(req.rawBody) as unknown };
    } catch {
      return { result: errorResult(400, { errors: { json: ['Invalid JSON body.'] } }) };
    }
  }

  /** A resource body through its schema (POST, or PUT without the excluded fields). */
  private loadBody(req: SimRequest, def: ResourceDef, mode: 'post' | 'put'): { data: Record<string, unknown> } | { result: SimResult } {
    return this.loadFields(req, mode === 'put' ? def.fields.filter((f) => !f.putExcluded) : def.fields);
  }

  /** A JSON body through a schema's fields: the loaded data, or the 400/422 answer (§1.4). */
  private loadFields(req: SimRequest, fields: readonly FieldDef[]): { data: Record<string, unknown> } | { result: SimResult } {
    const read = this.readJson(req);
    if ('result' in read) return read;
    const body = read.value ?? {};
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return { result: validationError('json', { _schema: ['Invalid input type.'] }) };
    const rec = body as Record<string, unknown>;
    const errs: Errors = {};
    const data: Record<string, unknown> = {};
    for (const f of fields) {
      if (!(f.name in rec)) {
        if (f.required) errs[f.name] = [MISSING];
        else data[f.name] = f.fallback ?? null; // full replacement: missing = null or the default (§6)
        continue;
      }
      const loaded = loadField(f, rec[f.name]);
      if ('errors' in loaded) errs[f.name] = loaded.errors;
      else data[f.name] = loaded.value;
    }
    for (const k of Object.keys(rec)) if (!fields.some((f) => f.name === k)) errs[k] = ['Unknown field.'];
    if (Object.keys(errs).length > 0) return { result: validationError('json', errs) };
    return { data };
  }

  // ------------------------------------------------------------ resources (§5, §6)

  /** The dumped resource: id, nested parents (links), fields in schema order, nulls left out (§1.2). */
  private dump(def: ResourceDef, row: Row, withId = true): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (withId) out.set('id', row.id);
    if (def.link) {
      const nest = (table: string, r: Row | undefined) => {
        if (r) out.set(table.replace(/s$/, ''), this.dump(RESOURCE_BY_NAME.get(table)!, r, false));
      };
      const parentKey = `${def.link.replace(/s$/, '')}_id`;
      const parent = this.row(def.link, row[parentKey] as number);
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
          r = this.row(next[0], r[next[1]] as number);
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

  private list(req: SimRequest, def: ResourceDef): SimResult {
    const q = new QueryArgs(req.query);
    const sort = def.sortable ? q.sort(['name']) : undefined;
    let rows = this.rows(def.name);
    const preds: Array<(r: Row) => boolean> = [];
    for (const [param, kind] of Object.entries(def.filters)) {
      if (kind === 'int') {
        const v = q.int(param);
        if (v !== undefined) preds.push(this.filterPredicate(def, param, v));
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
      const ts = this.timeseriesFilters(q);
      if (ts) preds.push(ts);
    }
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
      const pq = new QueryArgs(req.query);
      const page = pq.int('page', false, [1, Infinity]) ?? 1;
      const pageSize = pq.int('page_size', false, [1, 100]) ?? 10;
      if (!pq.ok) return validationError('query', pq.errors);
      const total = rows.length;
      const meta = new Map<string, number>([['total', total]]);
      if (total === 0) meta.set('total_pages', 0);
      else {
        const pages = Math.floor((total - 1) / pageSize) + 1;
        meta.set('total_pages', pages).set('first_page', 1).set('last_page', pages);
        if (page <= pages) {
          meta.set('page', page);
          if (page > 1) meta.set('previous_page', page - 1);
          if (page < pages) meta.set('next_page', page + 1);
        }
      }
      const header = pyDumps(meta, PY_DEFAULT);
      headers['x-pagination'] = header;
      dumped = rows.slice((page - 1) * pageSize, page * pageSize).map((r) => this.dump(def, r));
      etagData = [dumped, [['X-Pagination', header]]];
    } else {
      dumped = rows.map((r) => this.dump(def, r));
      etagData = dumped;
    }
    if (def.etag) {
      const etag = etagOf(etagData);
      headers.etag = etag;
      if (this.noneMatch(req, etag)) return { status: 304, rawBody: '', headers: { etag } };
    }
    return jsonResult(200, dumped, headers);
  }

  /** `campaign_id` etc. on a collection whose rows only point to their direct parent (§6.1). */
  private filterPredicate(def: ResourceDef, param: string, v: number): (r: Row) => boolean {
    if (def.fields.some((f) => f.name === param)) return (r) => r[param] === v;
    const up = (table: string, r: Row | undefined, key: string): Row | undefined => (r ? this.row(table, r[key] as number) : undefined);
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
  private timeseriesFilters(q: QueryArgs): ((r: Row) => boolean) | null {
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
        this.rows(`timeseries_by_${parent}`)
          .filter((r) => ids.has(r[key] as number))
          .map((r) => r.timeseries_id as number),
      );
    };
    const children = (table: string, key: string, ids: Set<number>): Set<number> =>
      new Set(
        this.rows(table)
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
      const byName = new Map(this.rows('timeseries_properties').map((p) => [p.name as string, p.id]));
      const wanted = Object.entries(props);
      preds.push((r) =>
        wanted.every(([pname, value]) => {
          const pid = byName.get(pname);
          return (
            pid !== undefined &&
            this.rows('timeseries_property_data').some((d) => d.timeseries_id === r.id && d.property_id === pid && d.value === value)
          );
        }),
      );
    }
    for (const s of sets) preds.push((r) => s.has(r.id));
    return preds.length === 0 ? null : (r) => preds.every((p) => p(r));
  }

  private noneMatch(req: SimRequest, etag: string): boolean {
    const tags = etagList(req.headers['if-none-match']);
    return tags !== null && (tags.includes('*') || tags.includes(etag));
  }

  private getItem(req: SimRequest, def: ResourceDef, id: number): SimResult {
    const row = this.row(def.name, id);
    if (!row) return errorResult(404);
    const dumped = this.dump(def, row);
    if (!def.etag) return jsonResult(200, dumped);
    const etag = etagOf(dumped);
    if (this.noneMatch(req, etag)) return { status: 304, rawBody: '', headers: { etag } };
    return jsonResult(200, dumped, { etag });
  }

  /** 409s of a write (§1.4): foreign keys, then unique constraints; also the property value check. */
  private integrity(def: ResourceDef, data: Record<string, unknown>, selfId?: number): SimResult | null {
    for (const f of def.fields) {
      if (f.ref && f.name in data && data[f.name] !== null && !this.row(f.ref, data[f.name] as number)) {
        return errorResult(409, { message: 'Foreign key constraint violation' });
      }
    }
    if (def.name === 'timeseries_property_data' && typeof data.value === 'string') {
      const prop = this.row('timeseries_properties', data.property_id as number);
      if (prop && !validPropertyValue(prop.value_type, data.value)) return validationError('json', { value: ['Invalid type.'] });
    }
    const current = selfId === undefined ? undefined : this.row(def.name, selfId);
    const merged = { ...current, ...data };
    for (const fields of def.unique) {
      const clash = this.rows(def.name).some((r) => r.id !== selfId && fields.every((f) => r[f] === merged[f]));
      if (clash) return errorResult(409, { message: 'Unique constraint violation' });
    }
    return null;
  }

  private create(req: SimRequest, def: ResourceDef): SimResult {
    const loaded = this.loadBody(req, def, 'post');
    if ('result' in loaded) return loaded.result;
    const bad = this.integrity(def, loaded.data);
    if (bad) return bad;
    const id = this.insert(def.name, loaded.data);
    if (def.name === 'timeseries') this.meta.set(id, { kind: 'custom', model: null });
    return this.savedResult(201, def, this.row(def.name, id)!);
  }

  /** A created or replaced item, with its new ETag when the resource has them (§5). */
  private savedResult(status: number, def: ResourceDef, row: Row): SimResult {
    const dumped = this.dump(def, row);
    return jsonResult(status, dumped, def.etag ? { etag: etagOf(dumped) } : {});
  }

  /** If-Match against the current item (§5): null when it passes or the resource has no ETag, else the 412. */
  private checkIfMatch(req: SimRequest, def: ResourceDef, row: Row): SimResult | null {
    if (!def.etag) return null;
    const tags = etagList(req.headers['if-match']) ?? [];
    if (tags.includes('*') || tags.includes(etagOf(this.dump(def, row)))) return null;
    return errorResult(412);
  }

  private update(req: SimRequest, def: ResourceDef, id: number): SimResult {
    if (def.etag && req.headers['if-match'] === undefined) return errorResult(428); // before validation and 404 (§1.5)
    const loaded = this.loadBody(req, def, 'put');
    if ('result' in loaded) return loaded.result;
    const row = this.row(def.name, id);
    if (!row) return errorResult(404);
    const failed = this.checkIfMatch(req, def, row);
    if (failed) return failed;
    const bad = this.integrity(def, loaded.data, id);
    if (bad) return bad;
    Object.assign(row, loaded.data);
    return this.savedResult(200, def, row);
  }

  private remove(req: SimRequest, def: ResourceDef, id: number): SimResult {
    if (def.etag && req.headers['if-match'] === undefined) return errorResult(428);
    const row = this.row(def.name, id);
    if (!row) return errorResult(404);
    const failed = this.checkIfMatch(req, def, row);
    if (failed) return failed;
    this.cascadeDelete(def.name, id);
    return noContent();
  }

  /** Deleting a parent deletes its children, links, property data and data (§6). */
  private cascadeDelete(table: string, id: number): void {
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

  // ------------------------------------------------------------ timeseries data (§7)

  private series(tsId: number, ds: number, create: boolean): StoredSeries | undefined {
    const key = `${tsId}:${ds}`;
    let s = this.data.get(key);
    if (!s && create) {
      s = new StoredSeries(); // the timeseries × data state link appears on first write (§7.7)
      this.data.set(key, s);
    }
    return s;
  }

  /** The generated data of (timeseries, data state): Raw (1) for every modelled series, with gaps; Clean (2) for the energy meters, without. */
  private generator(tsId: number, ds: number): { model: SeriesModel; gaps: boolean } | null {
    const model = this.meta.get(tsId)?.model;
    if (!model || !this.row('timeseries_data_states', ds)) return null;
    if (ds === 1) return { model, gaps: true };
    if (ds === 2 && isEnergyModel(model)) return { model, gaps: false };
    return null;
  }

  /** First and last generated grid instants inside [from, to) and not after now (last < first: none). */
  private gridRange(from: number, to: number, now: number): [number, number] {
    const first = Math.ceil(Math.max(from, this.gridStart) / STEP_MS) * STEP_MS;
    const beforeEnd = Math.ceil(to / STEP_MS) * STEP_MS - STEP_MS;
    const last = Math.min(beforeEnd, Math.floor(now / STEP_MS) * STEP_MS);
    return [first, last];
  }

  /** Upper bound of the points of a series in [from, to) (guards, before any work). */
  private estimate(tsId: number, ds: number, from: number, to: number, now: number): number {
    let n = 0;
    if (this.generator(tsId, ds)) {
      const [first, last] = this.gridRange(from, to, now);
      if (last >= first) n += (last - first) / STEP_MS + 1;
    }
    const st = this.series(tsId, ds, false);
    if (st) {
      const [a, b] = st.range(from, to);
      n += b - a;
    }
    return n;
  }

  /** Does a point exist at t (generated and not deleted, or written)? First write wins (§7.7). */
  private exists(tsId: number, ds: number, t: number, now: number, st: StoredSeries): boolean {
    if (st.values.has(t)) return true;
    const gen = this.generator(tsId, ds);
    if (!gen || t % STEP_MS !== 0 || t < this.gridStart || t > now || st.masked(t)) return false;
    return !(gen.gaps && isGap(gen.model.seed, t, this.gapRate));
  }

  /** The points of a series in [from, to), sorted: generated ones merged with written ones (written win). */
  private collect(tsId: number, ds: number, from: number, to: number, now: number): Points {
    const cap = this.estimate(tsId, ds, from, to, now);
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    let n = 0;
    const st = this.series(tsId, ds, false);
    const keys = st ? st.keys() : [];
    let [i, b] = st ? st.range(from, to) : [0, 0];
    const gen = this.generator(tsId, ds);
    if (gen) {
      const [first, last] = this.gridRange(from, to, now);
      const masks = st?.masks ?? [];
      let mi = 0;
      const { model, gaps } = gen;
      const seed = model.seed;
      const rate = this.gapRate;
      for (let g = first; g <= last; g += STEP_MS) {
        while (i < b && keys[i]! < g) {
          t[n] = keys[i]!;
          v[n++] = st!.values.get(keys[i++]!)!;
        }
        if (i < b && keys[i] === g) {
          t[n] = g;
          v[n++] = st!.values.get(keys[i++]!)!;
          continue;
        }
        while (mi < masks.length && masks[mi]![1] <= g) mi++;
        if (mi < masks.length && masks[mi]![0] <= g) continue;
        if (gaps && isGap(seed, g, rate)) continue;
        t[n] = g;
        v[n++] = seriesValue(model, g);
      }
    }
    while (i < b) {
      t[n] = keys[i]!;
      v[n++] = st!.values.get(keys[i++]!)!;
    }
    return { t, v, n };
  }

  /**
   * After validation (§7.2 check order): by-name campaign (404), then the timeseries (422
   * "Unknown timeseries: [69]"), then the data state (422, a plain string).
   */
  private lookup(
    labels: Array<number | string>,
    ds: number | null,
    campaignId: number | undefined,
  ): { targets: Target[] } | { result: SimResult } {
    if (campaignId !== undefined && !this.row('campaigns', campaignId)) return { result: errorResult(404) };
    const seen = new Set<string>();
    const unknown: Array<number | string> = [];
    const targets: Target[] = [];
    for (const l of labels) {
      const key = String(l);
      if (seen.has(key)) continue;
      seen.add(key);
      const row =
        campaignId === undefined
          ? this.row('timeseries', l as number)
          : this.rows('timeseries').find((r) => r.campaign_id === campaignId && r.name === l);
      if (row) targets.push({ row, label: key });
      else unknown.push(l);
    }
    if (unknown.length > 0) {
      const list = unknown.map((u) => (typeof u === 'number' ? String(u) : pyRepr(u))).join(', ');
      return { result: errorResult(422, { message: `Unknown timeseries: [${list}]` }) };
    }
    if (ds !== null && !this.row('timeseries_data_states', ds)) {
      return { result: unknownDataState() };
    }
    return { targets };
  }

  /**
   * A data route's query up to its targets (§7.2 check order): the fields (timeseries ids, or names
   * on the by-campaign routes, then those `fields` names) in the route schema's order, so that a 422
   * lists every field error in that order; then the schema checks (convert_to as long as
   * timeseries; a width other than 1 only for fixed units, §7.5); then the lookup.
   */
  private dataQuery(
    req: SimRequest,
    campaignId: number | undefined,
    fields: readonly DataField[],
  ): { args: DataArgs; targets: Target[] } | { result: SimResult } {
    const q = new QueryArgs(req.query);
    const args: DataArgs = {
      labels:
        campaignId !== undefined
          ? q.list<string>('timeseries', true, (s) => s)
          : q.list<number>('timeseries', true, (s) => maInt(s) ?? { error: NOT_INT }),
    };
    if (fields.includes('window')) {
      args.start = q.aware('start_time', true);
      args.end = q.aware('end_time', true);
    }
    args.ds = q.int('data_state', true);
    if (fields.includes('timezone')) args.tz = q.timezone('timezone');
    if (fields.includes('convert_to'))
      args.convertTo = q.list<string>('convert_to', false, (s) => (s === '' || unitInfo(s) ? s : { error: 'Undefined unit.' }));
    if (fields.includes('buckets')) {
      args.width = q.int('bucket_width_value', true, [1, Infinity]);
      args.unit = q.oneOf('bucket_width_unit', PERIODS, undefined, true);
      args.agg = q.oneOf('aggregation', AGGREGATIONS, 'avg');
    }
    if (!q.ok) return { result: validationError('query', q.errors) };
    const schemaErrors: Errors = {};
    if (args.convertTo && args.convertTo.length !== args.labels!.length) schemaErrors._schema = [CONVERT_TO_SIZE_MESSAGE];
    if (fields.includes('buckets') && FIXED_PERIOD_MS[args.unit!] === undefined && args.width !== 1)
      schemaErrors.bucket_width_value = [BUCKET_VALUE_MESSAGE];
    if (Object.keys(schemaErrors).length > 0) return { result: validationError('query', schemaErrors) };
    const found = this.lookup(args.labels!, args.ds!, campaignId);
    return 'result' in found ? found : { args, targets: found.targets };
  }

  /** convert_to per target (pint semantics; "" = none); `source` overrides the series unit (count). */
  private conversions(
    targets: Target[],
    labels: Array<number | string>,
    convertTo: string[] | undefined,
    source?: string,
  ): Array<{ scale: number; shift: number } | null> | { error: string } {
    const wanted = new Map<string, string>();
    if (convertTo) labels.forEach((l, i) => convertTo[i] && wanted.set(String(l), convertTo[i]!));
    const out: Array<{ scale: number; shift: number } | null> = [];
    for (const t of targets) {
      const unit = wanted.get(t.label);
      if (!unit) {
        out.push(null);
        continue;
      }
      const c = conversion(source ?? String(t.row.unit_symbol ?? ''), unit);
      if ('error' in c) return c;
      out.push(c.scale === 1 && c.shift === 0 ? null : c);
    }
    return out;
  }

  private budget(targets: Target[], ds: number, from: number, to: number, now: number, max: number): SimResult | null {
    let total = 0;
    for (const t of targets) total += this.estimate(t.row.id, ds, from, to, now);
    if (total <= max) return null;
    return errorResult(422, {
      message: `Too many data points: ${total} in the request, this simulator answers at most ${max}. Ask for a shorter time range or fewer timeseries.`,
    });
  }

  /** The Accept header verbatim decides (§7.1): exactly `text/csv` gives CSV; anything else JSON, echoed as Content-Type. */
  private dataAnswer(req: SimRequest, json: () => string, csv: () => string): SimResult {
    const raw = req.headers.accept;
    const accept = raw === undefined ? 'application/json' : Array.isArray(raw) ? raw.join(', ') : raw;
    if (accept === 'text/csv') return { status: 200, rawBody: csv(), headers: { 'content-type': 'text/csv; charset=utf-8' } };
    return { status: 200, rawBody: json(), headers: { 'content-type': responseMimetype(accept) } };
  }

  /** `GET /timeseries_data/` and `/timeseries_data/campaign/<id>/` (§7.2–§7.4). */
  private getData(req: SimRequest, campaignId: number | undefined): SimResult {
    const query = this.dataQuery(req, campaignId, ['window', 'timezone', 'convert_to']);
    if ('result' in query) return query.result;
    const { targets } = query;
    const { labels, start, end, ds, tz, convertTo } = query.args;
    const convs = this.conversions(targets, labels!, convertTo);
    if ('error' in convs) return errorResult(422, { message: convs.error }); // BEMServerCoreDimensionalityError (§7.9)
    const tooMany = this.budget(targets, ds!, start!, end!, req.at, MAX_POINTS_OUT);
    if (tooMany) return tooMany;
    const zone = TimeZone.get(tz!);
    const series = targets.map((t) => ({ label: t.label, pts: this.collect(t.row.id, ds!, start!, end!, req.at) }));
    const floats = new FloatText();
    const json = (): string => {
      // json.dumps defaults; series without data left out, no null (§7.3).
      const labelsOf = new GridLabels(new TimeFormatter(zone, false), start!, end!, (l) => `"${l}": `);
      const columns: Array<{ label: string; items: string[] }> = [];
      series.forEach(({ label, pts }, si) => {
        if (pts.n === 0) return;
        const items = new Array<string>(pts.n);
        for (let i = 0; i < pts.n; i++) items[i] = labelsOf.get(pts.t[i]!) + floats.converted(pts.v[i]!, convs[si]);
        columns.push({ label, items });
      });
      return seriesJson(columns);
    };
    const csv = (): string => {
      // Every requested series is a column, one row per instant with any value (§7.4).
      const fmt = new TimeFormatter(zone, true);
      const total = series.reduce((a, s) => a + s.pts.n, 0);
      const all = new Float64Array(total);
      let k = 0;
      for (const s of series) {
        all.set(s.pts.t.subarray(0, s.pts.n), k);
        k += s.pts.n;
      }
      all.sort();
      const ptr = new Array<number>(series.length).fill(0);
      const lines: string[] = [csvHeader(series.map((s) => s.label))];
      const cells: string[] = new Array<string>(series.length);
      let prev = Number.NaN;
      for (let j = 0; j < total; j++) {
        const t = all[j]!;
        if (t === prev) continue;
        prev = t;
        for (let si = 0; si < series.length; si++) {
          const pts = series[si]!.pts;
          const p = ptr[si]!;
          if (p < pts.n && pts.t[p] === t) {
            cells[si] = floats.converted(pts.v[p]!, convs[si]);
            ptr[si] = p + 1;
          } else cells[si] = '';
        }
        lines.push(`${fmt.format(t)},${cells.join(',')}\n`);
      }
      return lines.join('');
    };
    return this.dataAnswer(req, json, csv);
  }

  /** `GET .../aggregate` (§7.5): buckets on the grid of the timezone, every bucket for every series. */
  private getAggregate(req: SimRequest, campaignId: number | undefined): SimResult {
    const query = this.dataQuery(req, campaignId, ['window', 'timezone', 'convert_to', 'buckets']);
    if ('result' in query) return query.result;
    const { targets } = query;
    const { labels, start, end, ds, tz, convertTo, width, unit, agg } = query.args;
    const convs = this.conversions(targets, labels!, convertTo, agg === 'count' ? 'count' : undefined);
    // Not caught on this route: pint's error becomes a 500 (§7.5).
    if ('error' in convs) return errorResult(500);

    const zone = TimeZone.get(tz!);
    const fixedMs = FIXED_PERIOD_MS[unit!];
    const from = floorTo(start!, unit!, width!, zone);
    const to = ceilTo(end!, unit!, width!, zone);
    const approxUnit =
      fixedMs !== undefined ? fixedMs * width! : { day: DAY, week: 7 * DAY, month: 28 * DAY, year: 365 * DAY }[unit as 'day'];
    const approx = to > from ? Math.ceil((to - from) / approxUnit) : 0;
    if (approx > MAX_BUCKETS || approx * targets.length > MAX_CELLS) {
      return errorResult(422, {
        message: `Too many buckets: ${approx} for ${targets.length} timeseries, this simulator answers at most ${MAX_BUCKETS} buckets and ${MAX_CELLS} values. Use wider buckets or a shorter time range.`,
      });
    }
    const tooMany = this.budget(targets, ds!, from, to, req.at, MAX_POINTS_SCANNED);
    if (tooMany) return tooMany;
    const starts = bucketStarts(from, to, unit!, width!, zone);
    const nb = starts.length;
    const results = targets.map((t) =>
      aggregateSeries(this.collect(t.row.id, ds!, from, to, req.at), starts, agg!, width!, fixedMs ?? 0, from),
    );
    if (agg === 'sum' && width! > 1) {
      // pandas resample().sum() gives 0.0 for empty bins between the first and last data (§7.5).
      let lo = nb;
      let hi = -1;
      for (const r of results) {
        lo = Math.min(lo, r.first);
        hi = Math.max(hi, r.last);
      }
      for (const r of results) for (let b = lo; b <= hi; b++) if (r.values[b] !== r.values[b]) r.values[b] = 0;
    }
    const floats = new FloatText();
    const cell = (si: number, b: number, empty: string): string => {
      const v = results[si]!.values[b]!;
      if (v !== v) return empty;
      const c = convs[si];
      if (agg === 'count' && !c) return String(v); // counts are integers (§7.5)
      return floats.converted(v, c);
    };
    const json = (): string => {
      if (nb === 0) return '{}';
      const fmt = new TimeFormatter(zone, false);
      const keys = Array.from(starts, (s) => `"${fmt.format(s)}": `);
      return seriesJson(targets.map((t, si) => ({ label: t.label, items: keys.map((k, b) => k + cell(si, b, 'null')) })));
    };
    const csv = (): string => {
      const fmt = new TimeFormatter(zone, true);
      const lines = [csvHeader(targets.map((t) => t.label))];
      for (let b = 0; b < nb; b++) {
        let line = fmt.format(starts[b]!);
        for (let si = 0; si < targets.length; si++) line += `,${cell(si, b, '')}`;
        lines.push(`${line}\n`);
      }
      return lines.join('');
    };
    return this.dataAnswer(req, json, csv);
  }

  /** `GET .../stats` (§7.6): over all the data of each series, Flask JSON. */
  private getStats(req: SimRequest, campaignId: number | undefined): SimResult {
    const query = this.dataQuery(req, campaignId, ['timezone']);
    if ('result' in query) return query.result;
    const { targets } = query;
    const { ds, tz } = query.args;
    const tooMany = this.budget(targets, ds!, -Infinity, Infinity, req.at, MAX_POINTS_SCANNED);
    if (tooMany) return tooMany;
    const fmt = new TimeFormatter(TimeZone.get(tz!), false);
    const stats = new Map<string, unknown>();
    for (const t of targets) {
      const s = this.seriesStats(t.row.id, ds!, req.at);
      const f = (v: number | null) => (v === null ? null : new PyFloat(v));
      stats.set(
        t.label,
        new Map<string, unknown>([
          ['first_timestamp', s.first === null ? null : fmt.format(s.first)],
          ['last_timestamp', s.last === null ? null : fmt.format(s.last)],
          ['count', s.count],
          ['min', f(s.min)],
          ['max', f(s.max)],
          ['avg', f(s.avg)],
          ['stddev', f(s.stddev)],
        ]),
      );
    }
    return jsonResult(200, { stats });
  }

  private seriesStats(
    tsId: number,
    ds: number,
    now: number,
  ): {
    first: number | null;
    last: number | null;
    count: number;
    min: number | null;
    max: number | null;
    avg: number | null;
    stddev: number | null;
  } {
    const key = `${tsId}:${ds}:${now}:${this.version}`;
    const cached = this.statsCache.get(key);
    if (cached) return cached as never;
    const pts = this.collect(tsId, ds, -Infinity, Infinity, now);
    const n = pts.n;
    let result;
    if (n === 0) result = { first: null, last: null, count: 0, min: null, max: null, avg: null, stddev: null };
    else {
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = pts.v[i]!;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const avg = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (pts.v[i]! - avg) ** 2;
      // stddev_samp: null for a single value (§7.6).
      result = { first: pts.t[0]!, last: pts.t[n - 1]!, count: n, min, max, avg, stddev: n > 1 ? Math.sqrt(ss / (n - 1)) : null };
    }
    if (this.statsCache.size > 2000) this.statsCache.clear();
    this.statsCache.set(key, result as never);
    return result;
  }

  /** `POST /timeseries_data/?data_state=N` (§7.7): JSON or, for exactly `text/csv`, CSV; 201 `null`. */
  private postData(req: SimRequest, campaignId: number | undefined): SimResult {
    const q = new QueryArgs(req.query);
    const ds = q.int('data_state', true);
    if (!q.ok) return validationError('query', q.errors);
    if (campaignId !== undefined && !this.row('campaigns', campaignId)) return errorResult(404);
    if (!this.row('timeseries_data_states', ds!)) return unknownDataState();
    // The body arrived decoded with replacement characters: the real server fails to decode it (§7.7).
    const bad = req.rawBody.indexOf('\ufffd');
    if (bad >= 0)
      return errorResult(422, {
        message: `'utf-8' codec can't decode byte in position ${Buffer.byteLength(req.rawBody.slice(0, bad))}: invalid start byte`,
      });
    const contentType = req.headers['content-type'] ?? 'application/json';
    const payload = contentType === 'text/csv' ? parseCsvPayload(req.rawBody) : parseJsonPayload(req.rawBody);
    if ('error' in payload) return errorResult(422, { message: payload.error });
    let labels: Array<number | string> = payload.columns;
    if (campaignId === undefined) {
      if (!payload.columns.every((c) => INT_RE.test(c))) return errorResult(422, { message: 'Wrong timeseries ID type' });
      labels = payload.columns.map((c) => Number(c.replace(/_/g, '').trim()));
    }
    const found = this.lookup(labels, null, campaignId);
    if ('result' in found) return found.result;
    const idOf = new Map(found.targets.map((t) => [t.label, t.row.id]));
    labels.forEach((l, c) => {
      const tsId = idOf.get(String(l))!;
      const st = this.series(tsId, ds!, true)!;
      const column = payload.values[c]!;
      for (let r = 0; r < payload.times.length; r++) {
        const v = column[r]!;
        if (v !== v) continue; // null / empty cell: nothing written
        const t = payload.times[r]!;
        if (this.exists(tsId, ds!, t, req.at, st)) continue; // ON CONFLICT DO NOTHING: the first value wins
        st.set(t, v);
      }
    });
    this.version++;
    return jsonResult(201, null);
  }

  /** `DELETE /timeseries_data/` (§7.8): all four parameters; removes [start, end), generated points too. */
  private deleteData(req: SimRequest, campaignId: number | undefined): SimResult {
    const query = this.dataQuery(req, campaignId, ['window']);
    if ('result' in query) return query.result;
    const { start, end, ds } = query.args;
    if (end! > start!) for (const t of query.targets) this.series(t.row.id, ds!, true)!.deleteRange(start!, end!);
    this.version++;
    return noContent();
  }
}

// ---------------------------------------------------------------- buckets (§7.5)

/** time_utils.floor: fixed units on multiples of the width from 1970-01-01 local wall time; calendar units at local midnight, Monday, the 1st, Jan 1st. */
function floorTo(t: number, unit: Period, width: number, zone: TimeZone): number {
  const off = zone.offset(t);
  const wall = t + off;
  const fixed = FIXED_PERIOD_MS[unit];
  let floored: number;
  if (fixed !== undefined) floored = Math.floor(wall / (fixed * width)) * fixed * width;
  else {
    const day = Math.floor(wall / DAY);
    const d = new Date(day * DAY);
    if (unit === 'day') floored = day * DAY;
    else if (unit === 'week')
      floored = (day - mod(day + 3, 7)) * DAY; // 1970-01-01 was a Thursday
    else if (unit === 'month') floored = utcMs(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    else floored = utcMs(d.getUTCFullYear(), 1, 1);
  }
  return floored === wall ? t : zone.fromLocal(floored, off);
}

function addPeriod(wall: number, unit: Period): number {
  if (unit === 'day') return wall + DAY;
  if (unit === 'week') return wall + 7 * DAY;
  const d = new Date(wall);
  return unit === 'month' ? utcMs(d.getUTCFullYear(), d.getUTCMonth() + 2, 1) : utcMs(d.getUTCFullYear() + 1, 1, 1);
}

function ceilTo(t: number, unit: Period, width: number, zone: TimeZone): number {
  const fixed = FIXED_PERIOD_MS[unit];
  if (fixed !== undefined) {
    const off = zone.offset(t);
    const wall = t + off;
    const w = fixed * width;
    const ceiled = Math.ceil(wall / w) * w;
    return ceiled === wall ? t : zone.fromLocal(ceiled, off);
  }
  const f = floorTo(t, unit, 1, zone);
  return f === t ? t : zone.fromLocal(addPeriod(f + zone.offset(f), unit));
}

/** pd.date_range(from, to, freq, inclusive="left"): fixed widths step in absolute time, calendar units in wall time. */
function bucketStarts(from: number, to: number, unit: Period, width: number, zone: TimeZone): Float64Array {
  const out: number[] = [];
  const fixed = FIXED_PERIOD_MS[unit];
  if (fixed !== undefined) {
    for (let u = from; u < to && out.length <= MAX_BUCKETS; u += fixed * width) out.push(u);
  } else {
    let wall = from + zone.offset(from);
    for (let u = from; u < to && out.length <= MAX_BUCKETS;) {
      out.push(u);
      wall = addPeriod(wall, unit);
      const next = zone.fromLocal(wall);
      if (next <= u) break;
      u = next;
    }
  }
  return Float64Array.from(out);
}

/** One series into its buckets: NaN for an empty bucket (count: 0); first/last bucket with data. */
function aggregateSeries(
  pts: Points,
  starts: Float64Array,
  agg: Aggregation,
  width: number,
  unitMs: number,
  origin: number,
): { values: Float64Array; first: number; last: number } {
  const nb = starts.length;
  const count = new Float64Array(nb);
  const sum = new Float64Array(nb);
  const min = new Float64Array(nb).fill(Infinity);
  const max = new Float64Array(nb).fill(-Infinity);
  // width > 1: SQL aggregates per single unit first, pandas then takes the mean of those means (§7.5).
  const unitMeans = width > 1 && agg === 'avg';
  const meanSum = new Float64Array(unitMeans ? nb : 0);
  const meanCount = new Float64Array(unitMeans ? nb : 0);
  let curUnit = Number.NaN;
  let curBucket = 0;
  let us = 0;
  let un = 0;
  const flush = () => {
    if (un > 0) {
      meanSum[curBucket] = meanSum[curBucket]! + us / un;
      meanCount[curBucket] = meanCount[curBucket]! + 1;
    }
    us = 0;
    un = 0;
  };
  let b = 0;
  let first = nb;
  let last = -1;
  for (let i = 0; i < pts.n; i++) {
    const t = pts.t[i]!;
    while (b + 1 < nb && starts[b + 1]! <= t) b++;
    if (nb === 0 || t < starts[0]!) continue;
    const v = pts.v[i]!;
    count[b] = count[b]! + 1;
    sum[b] = sum[b]! + v;
    if (v < min[b]!) min[b] = v;
    if (v > max[b]!) max[b] = v;
    if (b < first) first = b;
    last = b;
    if (unitMeans) {
      const u = Math.floor((t - origin) / unitMs);
      if (u !== curUnit) {
        flush();
        curUnit = u;
        curBucket = b;
      }
      us += v;
      un += 1;
    }
  }
  if (unitMeans) flush();
  const values = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const c = count[k]!;
    if (agg === 'count') values[k] = c;
    else if (c === 0) values[k] = Number.NaN;
    else if (agg === 'sum') values[k] = sum[k]!;
    else if (agg === 'min') values[k] = min[k]!;
    else if (agg === 'max') values[k] = max[k]!;
    else values[k] = unitMeans ? meanSum[k]! / meanCount[k]! : sum[k]! / c;
  }
  return { values, first, last };
}

// ---------------------------------------------------------------- posted data (§7.7, §7.9)

interface Payload {
  columns: string[];
  times: number[];
  /** values[column][row]; NaN = no value. */
  values: number[][];
}

/** Timestamps the way to_utc_index checks them: any unparseable first, then any naive (§7.9). */
function parseTimes(raw: string[]): number[] | { error: string } {
  const parsed = raw.map(parseDataTimestamp);
  if (parsed.includes('invalid')) return { error: 'Invalid timestamp' };
  if (parsed.includes('naive')) return { error: 'Invalid or TZ-naive timestamp' };
  return parsed as number[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** pandas.read_json(orient="columns") of `{id: {timestamp: value}}` and the checks after it. */
function parseJsonPayload(text: string): Payload | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'Wrong JSON file' };
  }
  if (!isPlainObject(doc)) return { error: 'Wrong JSON file' };
  const columns = Object.keys(doc);
  if (!columns.every((c) => isPlainObject(doc[c]))) return { error: 'Wrong JSON file' };
  if (columns.includes('')) return { error: 'Wrong timeseries ID' };
  const index = new Map<string, number>();
  for (const c of columns) for (const k of Object.keys(doc[c] as object)) if (!index.has(k)) index.set(k, index.size);
  const times = parseTimes([...index.keys()]);
  if ('error' in times) return times;
  const values: number[][] = [];
  for (const c of columns) {
    const column = new Array<number>(index.size).fill(Number.NaN);
    for (const [k, raw] of Object.entries(doc[c] as Record<string, unknown>)) {
      let v: number | null;
      if (raw === null) v = Number.NaN;
      else if (typeof raw === 'number') v = raw;
      else if (typeof raw === 'boolean') v = raw ? 1 : 0;
      else if (typeof raw === 'string') v = pyFloatOf(raw);
      else v = null;
      if (v === null) return { error: 'Invalid values' };
      column[index.get(k)!] = v;
    }
    values.push(column);
  }
  return { columns, times, values };
}

/** The CSV import: header checks with Python's csv, then pandas.read_csv(index_col=0) (§7.7, §7.9). */
function parseCsvPayload(text: string): Payload | { error: string } {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header || header.length === 0) return { error: 'Missing headers' };
  if (header.includes('')) return { error: 'Empty timeseries name or trailing comma' };
  if (header[0] !== 'Datetime') return { error: 'Invalid file' };
  const body = rows.slice(1).filter((r) => r.length > 0 && !(r.length === 1 && r[0]!.trim() === ''));
  if (body.some((r) => r.length > header.length)) return { error: 'Bad CSV file' };
  // pandas renames repeated column labels: `1`, `1.1`, `1.2`.
  const seen = new Map<string, number>();
  const columns = header.slice(1).map((h) => {
    const n = seen.get(h) ?? 0;
    seen.set(h, n + 1);
    return n === 0 ? h : `${h}.${n}`;
  });
  const times = parseTimes(body.map((r) => r[0]!));
  if ('error' in times) return times;
  const values: number[][] = columns.map(() => []);
  for (const r of body) {
    for (let c = 0; c < columns.length; c++) {
      const cell = r[c + 1] ?? '';
      if (NA_VALUES.has(cell)) {
        values[c]!.push(Number.NaN);
        continue;
      }
      const v = pyFloatOf(cell);
      if (v === null) return { error: 'Invalid values' };
      values[c]!.push(v);
    }
  }
  return { columns, times, values };
}

// ---------------------------------------------------------------- the simulator

export class BemServerSimulator extends SimulatorServer {
  private readonly state: BemState;

  constructor(options: BemServerSimulatorOptions = {}) {
    const state = new BemState(options);
    super('bemserver', (req) => state.handle(req), {
      latencyMs: options.latencyMs,
      memoize: options.memoize,
      clock: options.clock,
      // flask-smorest's shape for the answers the server machinery makes itself (413, 500, §1.4).
      errorBody: (status) => ({ code: status, status: PHRASES[status] ?? 'Error' }),
    });
    this.state = state;
  }

  get email(): string {
    return this.state.email;
  }

  get password(): string {
    return this.state.password;
  }

  /** Every access and refresh token handed out (the latest 10 000), oldest first. */
  issuedTokens(): string[] {
    return [...this.state.issued];
  }

  /** A new signing key: every token issued so far is invalid_token from now on. */
  rotateSecret(): void {
    this.state.secret = randomBytes(32);
  }

  /**
   * Ids of the timeseries that exist now, by id. `unit` matches unit_symbol; `kind` is one of
   * electricity, heat, outdoor_temperature, outdoor_humidity, indoor_temperature, co2, humidity,
   * manual, or custom (created through the API).
   */
  timeseriesIds(filter: { unit?: string; kind?: string } = {}): number[] {
    return [...this.state.tables.get('timeseries')!.values()]
      .filter((r) => filter.unit === undefined || r.unit_symbol === filter.unit)
      .filter((r) => filter.kind === undefined || this.state.meta.get(r.id)?.kind === filter.kind)
      .map((r) => r.id);
  }

  /** Points written through POST to (timeseries, data state), sorted: epoch ms → value. */
  stored(timeseriesId: number, dataState = 1): Map<number, number> {
    const st = this.state.data.get(`${timeseriesId}:${dataState}`);
    return new Map(st ? st.keys().map((t) => [t, st.values.get(t)!]) : []);
  }
}

export function createBemServerSimulator(options: BemServerSimulatorOptions = {}): BemServerSimulator {
  return new BemServerSimulator(options);
}
