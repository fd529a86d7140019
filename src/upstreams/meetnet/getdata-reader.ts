// A reader of `/V2/getData` bodies straight from the text into columns. JSON.parse would first
// build an object and a timestamp string per point (52,560 of each for a year of 10-minute data:
// a third of the CPU of such a query and most of its short-lived memory); this walks the text
// once and reads each timestamp and value where it stands.
//
// It only answers when it is sure: any string with an escape, a repeated key, a value of another
// type than expected or anything JSON.parse would reject makes it give up (undefined), and the
// body then goes through JSON.parse and mapGetData, which say precisely what is wrong with it.
// What it answers is exactly what mapGetData answers for the same body (test/meetnet-getdata-reader.test.ts).
import {
  accumulator,
  addPoint,
  apiTimestampAt,
  finishSeries,
  newAccumulator,
  parseMeetnetTimestamp,
  type Accumulator,
  type MeetnetSeries,
} from './mapping.js';

/** Gives up: the caller falls back to JSON.parse. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

class Reader {
  i = 0;
  /** Content of the last plain string read: [a, b). */
  a = 0;
  b = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** The next non-blank character code, consumed. */
  next(): number {
    this.ws();
    return this.s.charCodeAt(this.i++);
  }

  expect(c: number): void {
    if (this.next() !== c) throw GIVE_UP;
  }

  /** A string without escapes, the opening quote consumed: its content is [a, b). */
  plainString(): void {
    const s = this.s;
    const start = this.i;
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break; // "
      if (c === 92 || c < 32 || Number.isNaN(c)) throw GIVE_UP; // an escape, a control character, the end
      i++;
    }
    this.a = start;
    this.b = i;
    this.i = i + 1;
  }

  key(): string {
    this.plainString();
    this.expect(58); // :
    return this.s.slice(this.a, this.b);
  }

  /** Skips any JSON value, checking it is well-formed. */
  skip(depth = 0): void {
    if (depth > 64) throw GIVE_UP;
    const c = this.next();
    if (c === 34) this.skipString();
    else if (c === 123)
      this.skipContainer(125, true, depth); // { }
    else if (c === 91)
      this.skipContainer(93, false, depth); // [ ]
    else if (c === 116) this.literal('rue');
    else if (c === 102) this.literal('alse');
    else if (c === 110) this.literal('ull');
    else {
      this.i--;
      this.number();
    }
  }

  private skipContainer(close: number, object: boolean, depth: number): void {
    this.ws();
    if (this.s.charCodeAt(this.i) === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (object) {
        this.expect(34);
        this.skipString();
        this.expect(58);
      }
      this.skip(depth + 1);
      const c = this.next();
      if (c === close) return;
      if (c !== 44) throw GIVE_UP; // ,
    }
  }

  private skipString(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i++);
      if (c === 34) break;
      if (c < 32 || Number.isNaN(c)) throw GIVE_UP;
      if (c === 92) {
        const e = s.charCodeAt(i++);
        if (e === 117) {
          // \uXXXX
          for (let k = 0; k < 4; k++, i++) {
            const x = s.charCodeAt(i);
            // Digits are checked on the code itself: control characters 16-25 | 32 would pass as '0'-'9'.
            const lower = x | 32;
            if (!((x >= 48 && x <= 57) || (lower >= 97 && lower <= 102))) throw GIVE_UP;
          }
        } else if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
          throw GIVE_UP;
        }
      }
    }
    this.i = i;
  }

  literal(rest: string): void {
    if (!this.s.startsWith(rest, this.i)) throw GIVE_UP;
    this.i += rest.length;
  }

  /** A JSON number (the grammar checked), as JSON.parse reads it. */
  number(): number {
    const s = this.s;
    const start = this.i;
    let i = start;
    const neg = s.charCodeAt(i) === 45;
    if (neg) i++;
    let m = 0;
    let n = 0; // digits read into m
    const first = s.charCodeAt(i);
    if (first === 48) {
      i++;
      n = 1;
    } else if (first >= 49 && first <= 57) {
      for (let c = first; c >= 48 && c <= 57; c = s.charCodeAt(++i)) {
        m = m * 10 + (c - 48);
        n++;
      }
    } else {
      throw GIVE_UP;
    }
    let k = 0; // decimals
    if (s.charCodeAt(i) === 46) {
      i++;
      for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) {
        m = m * 10 + (c - 48);
        k++;
      }
      if (k === 0) throw GIVE_UP;
    }
    let exponent = false;
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      exponent = true;
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      let digits = 0;
      for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) digits++;
      if (digits === 0) throw GIVE_UP;
    }
    this.i = i;
    // Up to 15 significant digits, m and 10^k are exact doubles: one division rounds correctly,
    // which is what JSON.parse gives. Longer numbers and exponents: Number() reads them the same way.
    if (!exponent && n + k <= 15) {
      const v = k === 0 ? m : m / POW10[k]!;
      return neg ? -v : v;
    }
    return Number(s.slice(start, i));
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) throw GIVE_UP;
  }
}

/**
 * `/V2/getData` body text → the same series mapGetData gives for JSON.parse(text), or undefined
 * when this reader is not sure (the caller then parses and maps the body the usual way).
 */
export function readGetData(text: string): Map<string, MeetnetSeries> | undefined {
  try {
    return read(new Reader(text));
  } catch (err) {
    if (err instanceof GiveUp || err instanceof RangeError) return undefined;
    throw err;
  }
}

function read(r: Reader): Map<string, MeetnetSeries> {
  const raw = new Map<string, Accumulator>();
  members(r, (key) => {
    // null for an unknown ID (§6.2), or the list of series.
    if (key === 'Values') nullOrList(r, () => readSeries(r, raw));
    else r.skip();
  });
  r.end();
  return finishSeries(raw);
}

/** An object whose keys are all different; `member` reads the value of each. */
function members(r: Reader, member: (key: string) => void): void {
  r.expect(123); // {
  const seen = new Set<string>();
  r.ws();
  if (r.next() === 125) return;
  r.i--;
  for (;;) {
    r.expect(34);
    const key = r.key();
    if (seen.has(key)) throw GIVE_UP;
    seen.add(key);
    member(key);
    const c = r.next();
    if (c === 125) return;
    if (c !== 44) throw GIVE_UP;
  }
}

/** null, or a list whose items `item` reads. */
function nullOrList(r: Reader, item: () => void): void {
  const c = r.next();
  if (c === 110) return r.literal('ull');
  if (c !== 91) throw GIVE_UP;
  r.ws();
  if (r.next() === 93) return;
  r.i--;
  for (;;) {
    item();
    const d = r.next();
    if (d === 93) return;
    if (d !== 44) throw GIVE_UP;
  }
}

function readSeries(r: Reader, raw: Map<string, Accumulator>): void {
  let id: string | undefined;
  // The points are read as they come, into an accumulator of their own when the ID is not known yet.
  let points: Accumulator | undefined;
  members(r, (key) => {
    if (key === 'ID') {
      r.expect(34);
      r.plainString();
      id = r.s.slice(r.a, r.b).trim();
      if (id === '') throw GIVE_UP;
    } else if (key === 'Values') {
      const into = (points = id !== undefined ? accumulator(raw, id) : newAccumulator());
      // null in older versions (§6.2), or the points.
      nullOrList(r, () => readPoint(r, into));
    } else {
      r.skip();
    }
  });
  if (id === undefined) throw GIVE_UP;
  const acc = accumulator(raw, id);
  if (points !== undefined && points !== acc) {
    for (let i = 0; i < points.times.length; i++) addPoint(acc, points.times[i]!, points.values[i]!);
  }
}

function readPoint(r: Reader, acc: Accumulator): void {
  r.expect(123);
  let t: number | null = null;
  let v: number | null | undefined;
  for (;;) {
    r.expect(34);
    r.plainString();
    const a = r.a;
    const b = r.b;
    r.expect(58);
    const s = r.s;
    if (b - a === 9 && s.startsWith('Timestamp', a)) {
      if (t !== null) throw GIVE_UP;
      if (r.next() !== 34) throw GIVE_UP;
      r.plainString();
      const fast = r.b - r.a === 25 ? apiTimestampAt(s, r.a) : undefined;
      t = fast !== undefined ? fast : parseMeetnetTimestamp(s.slice(r.a, r.b));
      if (t === null) throw GIVE_UP;
    } else if (b - a === 5 && s.startsWith('Value', a)) {
      if (v !== undefined) throw GIVE_UP;
      r.ws();
      if (s.charCodeAt(r.i) === 110) {
        r.i++;
        r.literal('ull');
        v = null;
      } else {
        v = r.number();
        if (!Number.isFinite(v)) throw GIVE_UP;
      }
    } else {
      // Any other key: JSON.parse would keep the last of repeated ones, which only matters for these two.
      r.skip();
    }
    const c = r.next();
    if (c === 125) break;
    if (c !== 44) throw GIVE_UP;
  }
  if (t === null || v === undefined) throw GIVE_UP;
  addPoint(acc, t, v);
}
