// A reader of `/V2/getData` bodies straight from the bytes into columns. JSON.parse would first
// need the body decoded from UTF-8 into a string, then build an object and a timestamp string per
// point (52,560 of each for a year of 10-minute data); this walks the bytes once and reads each
// timestamp and value where it stands.
//
// It only answers when it is sure: any string it keeps with an escape or a byte outside ASCII, a
// repeated key, a value of another type than expected or anything JSON.parse would reject makes it
// give up (undefined), and the body then goes through UTF-8 decoding, JSON.parse and mapGetData,
// which say precisely what is wrong with it. What it answers is exactly what mapGetData answers
// for JSON.parse of the body's UTF-8 text (test/unit/meetnet-getdata-reader.test.ts).
//
// Why bytes are enough: outside strings JSON is ASCII, and a UTF-8 decoder turns any byte >= 0x80
// (valid sequence or not) into characters >= U+0080, never into an ASCII one, and never swallows
// an ASCII byte into a sequence. So the structure read from the bytes is the structure of the
// text; only the content of the strings it keeps (keys, the ID, an unusual timestamp) needs to be
// ASCII, and then its bytes are its characters.
import {
  accumulator,
  addPoint,
  daysFromCivil,
  finishSeries,
  newAccumulator,
  parseMeetnetTimestamp,
  validDate,
  type Accumulator,
  type MeetnetSeries,
} from './mapping.js';

/** Gives up: the caller falls back to JSON.parse. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** The rest of a point's keys after their opening quote, closing quote included. */
const TIMESTAMP_KEY = ascii('Timestamp"');
const VALUE_KEY = ascii('Value"');
/** Four ASCII characters as DataView.getUint32(at, true) reads their bytes. */
const word = (text: string) => Buffer.from(text, 'latin1').readUint32LE(0);
/** Two, as getUint16(at, true) does. */
const half = (text: string) => Buffer.from(text, 'latin1').readUint16LE(0);
// A point in the API's compact form: `{"Timestamp":"` + 25 characters + `","Value":` + its value + `}`.
const HEAD_1 = word('{"Ti');
const HEAD_2 = word('mest');
const HEAD_3 = word('amp"');
const HEAD_4 = half(':"');
const HEAD_LENGTH = 14;
const VALUE_1 = word('","V');
const VALUE_2 = word('alue');
const VALUE_3 = half('":');
const VALUE_LENGTH = 10; // with the timestamp's closing quote
// yyyy-MM-ddTHH:mm:ss+00:00 (§5.2): its fixed characters.
const UTC_1 = word('+00:');
const UTC_2 = half('00');
const TRUE = ascii('rue');
const FALSE = ascii('alse');
const NULL = ascii('ull');

class Reader {
  i = 0;
  /** Content of the last plain string read: [from, to). */
  from = 0;
  to = 0;
  /** The value of the last point read (`point`): a number, or null when `isNull`. */
  value = 0;
  isNull = false;
  /** The bytes of the date of the last timestamp read by hand (-1: none yet), and its epoch ms. */
  dayA = -1;
  dayB = -1;
  dayC = -1;
  dayMs = 0;
  readonly n: number;
  /** The same bytes, read several at a time where the form is fixed. */
  readonly v: DataView;
  constructor(readonly s: Buffer) {
    this.n = s.length;
    this.v = new DataView(s.buffer, s.byteOffset, s.length);
  }

  /** The byte at `i`, -1 past the end. */
  at(i: number): number {
    return i < this.n ? this.s[i]! : -1;
  }

  ws(): void {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    while (i < n) {
      const c = s[i]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** The next non-blank byte, consumed (-1 past the end, which is consumed too). */
  next(): number {
    this.ws();
    return this.at(this.i++);
  }

  expect(c: number): void {
    if (this.next() !== c) throw GIVE_UP;
  }

  /** Whether the bytes at `i` are `lit`. */
  matches(i: number, lit: Uint8Array): boolean {
    if (i + lit.length > this.n) return false;
    const s = this.s;
    for (let k = 0; k < lit.length; k++) if (s[i + k] !== lit[k]) return false;
    return true;
  }

  /** A string of printable ASCII without escapes, the opening quote consumed: its content is [from, to). */
  plainString(): void {
    const s = this.s;
    const n = this.n;
    const start = this.i;
    let i = start;
    for (;;) {
      if (i >= n) throw GIVE_UP;
      const c = s[i]!;
      if (c === 34) break; // "
      // An escape, a control character, or a byte of a UTF-8 sequence the text would need decoding for.
      if (c === 92 || c < 32 || c >= 128) throw GIVE_UP;
      i++;
    }
    this.from = start;
    this.to = i;
    this.i = i + 1;
  }

  /** The content of the last plain string: ASCII, so its bytes are its characters. */
  text(): string {
    return this.s.toString('latin1', this.from, this.to);
  }

  key(): string {
    this.plainString();
    this.expect(58); // :
    return this.text();
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
    else if (c === 116) this.literal(TRUE);
    else if (c === 102) this.literal(FALSE);
    else if (c === 110) this.literal(NULL);
    else {
      this.i--;
      this.number();
    }
  }

  private skipContainer(close: number, object: boolean, depth: number): void {
    this.ws();
    if (this.at(this.i) === close) {
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

  /** Any string, its content unread: bytes >= 0x80 are fine here (whatever they decode to, they are not `"`, `\` or a control character). */
  private skipString(): void {
    let i = this.i;
    for (;;) {
      const c = this.at(i++);
      if (c === 34) break;
      if (c < 32) throw GIVE_UP; // a control character, or the end (-1)
      if (c === 92) {
        const e = this.at(i++);
        if (e === 117) {
          // \uXXXX
          for (let k = 0; k < 4; k++, i++) {
            const x = this.at(i);
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

  literal(rest: Uint8Array): void {
    if (!this.matches(this.i, rest)) throw GIVE_UP;
    this.i += rest.length;
  }

  /** A JSON number (the grammar checked), as JSON.parse reads it. */
  number(): number {
    const start = this.i;
    let i = start;
    const neg = this.at(i) === 45;
    if (neg) i++;
    let m = 0;
    let n = 0; // digits read into m
    const first = this.at(i);
    if (first === 48) {
      i++;
      n = 1;
    } else if (first >= 49 && first <= 57) {
      for (let c = first; c >= 48 && c <= 57; c = this.at(++i)) {
        m = m * 10 + (c - 48);
        n++;
      }
    } else {
      throw GIVE_UP;
    }
    let k = 0; // decimals
    if (this.at(i) === 46) {
      i++;
      for (let c = this.at(i); c >= 48 && c <= 57; c = this.at(++i)) {
        m = m * 10 + (c - 48);
        k++;
      }
      if (k === 0) throw GIVE_UP;
    }
    let exponent = false;
    const e = this.at(i);
    if (e === 101 || e === 69) {
      exponent = true;
      i++;
      const sign = this.at(i);
      if (sign === 43 || sign === 45) i++;
      let digits = 0;
      for (let c = this.at(i); c >= 48 && c <= 57; c = this.at(++i)) digits++;
      if (digits === 0) throw GIVE_UP;
    }
    this.i = i;
    // Up to 15 significant digits, m and 10^k are exact doubles: one division rounds correctly,
    // which is what JSON.parse gives. Longer numbers and exponents: Number() reads them the same way.
    if (!exponent && n + k <= 15) {
      const v = k === 0 ? m : m / POW10[k]!;
      return neg ? -v : v;
    }
    return Number(this.s.toString('latin1', start, i));
  }

  /** Two decimal digits at `i`, -1 if they are not. */
  private two(i: number): number {
    const a = this.s[i]! - 48;
    const b = this.s[i + 1]! - 48;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  }

  /** Whether the 25 bytes at `i` have the fixed characters of `yyyy-MM-ddTHH:mm:ss+00:00`. */
  private utc(i: number): boolean {
    const s = this.s;
    const v = this.v;
    return (
      s[i + 4] === 45 && // -
      s[i + 7] === 45 &&
      s[i + 10] === 84 && // T
      s[i + 13] === 58 && // :
      s[i + 16] === 58 &&
      v.getUint32(i + 19, true) === UTC_1 &&
      v.getUint16(i + 23, true) === UTC_2
    );
  }

  /**
   * The `yyyy-MM-ddTHH:mm:ss+00:00` at `i` (its fixed characters checked), as parseMeetnetTimestamp
   * reads it; its closing quote consumed. Its date changes once in 144 points of 10-minute data:
   * the day's epoch is kept, with the bytes that spelled it, and only the time of day read.
   */
  private utcAt(i: number): number {
    const v = this.v;
    const dayA = v.getUint32(i, true);
    const dayB = v.getUint32(i + 4, true);
    const dayC = v.getUint16(i + 8, true);
    let day = this.dayMs;
    if (dayA !== this.dayA || dayB !== this.dayB || dayC !== this.dayC) {
      const hi = this.two(i);
      const lo = this.two(i + 2);
      const mo = this.two(i + 5);
      const dd = this.two(i + 8);
      // Not a date (digits, month, day of that month): parseMeetnetTimestamp says null.
      if (hi < 0 || lo < 0 || mo < 0 || dd < 0) throw GIVE_UP;
      const y = hi * 100 + lo;
      if (!validDate(y, mo, dd, 0, 0, 0)) throw GIVE_UP;
      day = daysFromCivil(y, mo, dd) * 86_400_000;
      this.dayA = dayA;
      this.dayB = dayB;
      this.dayC = dayC;
      this.dayMs = day;
    }
    const h = this.two(i + 11);
    const mi = this.two(i + 14);
    const sec = this.two(i + 17);
    if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) throw GIVE_UP;
    this.i = i + 26;
    return day + h * 3_600_000 + mi * 60_000 + sec * 1000;
  }

  /**
   * A point's timestamp, the opening quote consumed: epoch ms as parseMeetnetTimestamp reads it.
   * The API's own `yyyy-MM-ddTHH:mm:ss+00:00` (§5.2) is read by utcAt, any other form by
   * parseMeetnetTimestamp itself.
   */
  timestamp(): number {
    const i = this.i;
    if (i + 26 <= this.n && this.s[i + 25] === 34 && this.utc(i)) return this.utcAt(i);
    this.plainString();
    const t = parseMeetnetTimestamp(this.text());
    if (t === null) throw GIVE_UP;
    return t;
  }

  /** A point's value after its key: a finite number, or null. */
  private pointValue(): void {
    this.ws();
    if (this.at(this.i) === 110) {
      this.i++;
      this.literal(NULL);
      this.isNull = true;
    } else {
      const v = this.number();
      if (!Number.isFinite(v)) throw GIVE_UP;
      this.value = v;
      this.isNull = false;
    }
  }

  /** One point `{"Timestamp": ..., "Value": ...}`: its time, its value in `value`/`isNull`. */
  point(): number {
    this.ws();
    const start = this.i;
    // The API's own compact form, `{"Timestamp":"…","Value":…}`, straight through; anything else
    // (blanks, the other order, more keys) is read again from the start by the general path below.
    const v = this.v;
    const at = start + HEAD_LENGTH; // the timestamp
    if (
      at + 25 + VALUE_LENGTH <= this.n &&
      v.getUint32(start, true) === HEAD_1 &&
      v.getUint32(start + 4, true) === HEAD_2 &&
      v.getUint32(start + 8, true) === HEAD_3 &&
      v.getUint16(start + 12, true) === HEAD_4 &&
      v.getUint32(at + 25, true) === VALUE_1 &&
      v.getUint32(at + 29, true) === VALUE_2 &&
      v.getUint16(at + 33, true) === VALUE_3 &&
      this.utc(at)
    ) {
      const t = this.utcAt(at);
      this.i = at + 25 + VALUE_LENGTH;
      this.pointValue();
      if (this.at(this.i) === 125) {
        this.i++;
        return t;
      }
      this.i = start;
    }
    if (this.next() !== 123) throw GIVE_UP; // {
    let t = 0;
    let seenT = false;
    let seenV = false;
    for (;;) {
      if (this.next() !== 34) throw GIVE_UP;
      const i = this.i;
      if (this.matches(i, TIMESTAMP_KEY)) {
        if (seenT) throw GIVE_UP;
        seenT = true;
        this.i = i + TIMESTAMP_KEY.length;
        this.expect(58);
        this.expect(34);
        t = this.timestamp();
      } else if (this.matches(i, VALUE_KEY)) {
        if (seenV) throw GIVE_UP;
        seenV = true;
        this.i = i + VALUE_KEY.length;
        this.expect(58);
        this.pointValue();
      } else {
        // Any other key: JSON.parse would keep the last of repeated ones, which only matters for these two.
        this.plainString();
        this.expect(58);
        this.skip();
      }
      const c = this.next();
      if (c === 125) break;
      if (c !== 44) throw GIVE_UP;
    }
    if (!seenT || !seenV) throw GIVE_UP;
    return t;
  }

  end(): void {
    this.ws();
    if (this.i !== this.n) throw GIVE_UP;
  }
}

/**
 * `/V2/getData` body bytes → the same series mapGetData gives for JSON.parse of their UTF-8 text,
 * or undefined when this reader is not sure (the caller then decodes, parses and maps the body the
 * usual way).
 */
export function readGetData(body: Buffer): Map<string, MeetnetSeries> | undefined {
  try {
    return read(new Reader(body));
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
  if (c === 110) return r.literal(NULL);
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
      id = r.text().trim();
      if (id === '') throw GIVE_UP;
    } else if (key === 'Values') {
      // null in older versions (§6.2), or the points.
      readPoints(r, (points = id !== undefined ? accumulator(raw, id) : newAccumulator()));
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

/** The most points room is made for at first: two years of 1-minute data (16 MB of columns). */
const MAX_ROOM = 1 << 20;

/**
 * A series' list of points (or null) into `acc`: what addPoint does for each, with the order and
 * the range kept in locals rather than in the accumulator's fields.
 */
function readPoints(r: Reader, acc: Accumulator): void {
  const c = r.next();
  if (c === 110) return r.literal(NULL);
  if (c !== 91) throw GIVE_UP;
  r.ws();
  if (r.at(r.i) === 93) {
    r.i++;
    return;
  }
  const listAt = r.i;
  let times = acc.times;
  let values = acc.values;
  let k = times.length; // points in the columns
  let room = k; // below it a point is stored by index, from it pushed
  let last = k > 0 ? times[k - 1]! : -Infinity;
  let strict = acc.strict;
  // Values are finite: Infinity stands for "none yet" as null does in the accumulator.
  let min = acc.min ?? Infinity;
  let max = acc.max ?? -Infinity;
  for (;;) {
    const t = r.point();
    if (k === 0) {
      // Columns made at their size once the first point is read: a year of 10-minute points
      // pushed onto growing arrays costs three times as much. The guess: the list's bytes (to the
      // first `]`, its end unless a point holds a list or a string with one) over the first
      // point's, with a tenth more, at most MAX_ROOM; a wrong guess costs pushes (too few) or a
      // shorter length (too many).
      const end = r.s.indexOf(93, r.i);
      room = end < 0 ? 0 : Math.min(Math.ceil(((end - listAt) / (r.i - listAt + 1)) * 1.1) + 16, MAX_ROOM);
      acc.times = times = new Array<number>(room);
      acc.values = values = new Array<number | null>(room);
    }
    if (t <= last) strict = false;
    last = t;
    let v: number | null = null;
    if (!r.isNull) {
      v = r.value;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (k < room) {
      times[k] = t;
      values[k] = v;
    } else {
      times.push(t);
      values.push(v);
    }
    k++;
    const d = r.next();
    if (d === 93) break;
    if (d !== 44) throw GIVE_UP;
  }
  if (k < room) {
    times.length = k;
    values.length = k;
  }
  acc.strict = strict;
  acc.min = min === Infinity ? null : min;
  acc.max = max === -Infinity ? null : max;
}
