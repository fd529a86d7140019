// The data routes' answer text (§7.1, §7.3, §7.4): timestamps in a zone, floats, the JSON body, JSON or CSV by Accept.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { STEP_MS } from './data.js';
import { DAY, MINUTE, SECOND } from './datetimes.js';
import { pyFloat, pyStr } from './pyjson.js';
import { TimeZone } from './timezones.js';

const TIME_OF_DAY: string[] = Array.from(
  { length: 1440 },
  (_, m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`,
);

/**
 * Timestamps as the data routes write them in a zone (§7.3, §7.4): `isoformat()` for JSON
 * (`2020-01-01T01:00:00+01:00`, microseconds when present), `%Y-%m-%dT%H:%M:%S%z` for CSV
 * (`+0100`, no fraction). Cheap on a grid: the date part is cached per local day.
 */
export class TimeFormatter {
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
export function isoUtc(t: number): string {
  return new TimeFormatter(TimeZone.get('UTC'), false).format(t);
}

/** pyFloat with a per-response memo: measured values repeat a lot (a year of data is millions of points). */
export class FloatText {
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
export class GridLabels {
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

/** The data routes' JSON (§7.3): json.dumps defaults, `{label: {timestamp: value, …}, …}`; items are `"timestamp": value`. */
export function seriesJson(columns: Array<{ label: string; items: string[] }>): string {
  return `{${columns.map((c) => `${pyStr(c.label)}: {${c.items.join(', ')}}`).join(', ')}}`;
}

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

/** The Accept header verbatim decides (§7.1): exactly `text/csv` gives CSV; anything else JSON, echoed as Content-Type. */
export function dataAnswer(req: SimRequest, json: () => string, csv: () => string): SimResult {
  const raw = req.headers.accept;
  const accept = raw === undefined ? 'application/json' : Array.isArray(raw) ? raw.join(', ') : raw;
  if (accept === 'text/csv') return { status: 200, rawBody: csv(), headers: { 'content-type': 'text/csv; charset=utf-8' } };
  return { status: 200, rawBody: json(), headers: { 'content-type': responseMimetype(accept) } };
}
