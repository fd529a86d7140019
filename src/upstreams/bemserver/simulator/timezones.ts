// IANA time zones: UTC offsets at instants, and local wall time → instant as zoneinfo resolves it (folds, gaps).
import { LOCAL_PARTS } from '../../../shared/time-zones.js';
import { HOUR, SECOND, mod, utcMs } from './datetimes.js';

/** An IANA zone: UTC offsets at instants (Intl, memoised per hour) and local wall time → instant. */
export class TimeZone {
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
    this.fmt = this.fixed === null ? new Intl.DateTimeFormat('en-US', { timeZone: name, ...LOCAL_PARTS }) : null;
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
