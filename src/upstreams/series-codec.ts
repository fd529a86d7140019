// A series as bytes for the shared history cache (history-cache.ts): the two columns as Float64
// arrays, not JSON. A year of 10-minute data (52 560 points) encodes in well under a millisecond
// and decodes in about one, where JSON took several times as long both ways and half as many bytes
// again (docs/architecture.md, "The shared history cache"; scripts/bench/history-codec.ts).
//
// Layout (40-byte header, so that the columns after it start 8-byte aligned):
//   0  u8   format version (FORMAT)
//   1  u8   byte order of the writer (1: little endian); a reader of the other order treats it as a miss
//   2  u8   how the times are kept: REGULAR (first + i × step), DELTAS (u32 ms after the previous), FULL (f64)
//   3  u8   unused
//   4  u32  number of points
//   8  f64  min (NaN: null)       16  f64  max (NaN: null)
//   24 f64  first time            32  f64  step (REGULAR only)
//   40      values, f64 each (NaN: null), then the times as their mode keeps them
import { endianness } from 'node:os';
import type { SeriesResult } from './series.js';

/**
 * Bump when what a series loader answers changes (the window rule, a field of SeriesResult): the
 * entries replicas wrote before then read as misses instead of answers of the old kind.
 */
const FORMAT = 1;
const LITTLE = endianness() === 'LE' ? 1 : 0;
const HEADER = 40;
const REGULAR = 0;
const DELTAS = 1;
const FULL = 2;
const U32_MAX = 0xffff_ffff;

/** How the times are best kept: a regular grid needs none stored, small whole steps 4 bytes each. */
function timesMode(times: readonly number[]): number {
  const n = times.length;
  if (n < 2) return REGULAR;
  const step = times[1]! - times[0]!;
  let regular = true;
  for (let i = 1; i < n; i++) {
    const d = times[i]! - times[i - 1]!;
    if (!Number.isInteger(times[i]!) || d < 0 || d > U32_MAX) return FULL;
    if (d !== step) regular = false;
  }
  return regular && Number.isInteger(times[0]!) ? REGULAR : Number.isInteger(times[0]!) ? DELTAS : FULL;
}

export function encodeSeries(s: SeriesResult): Buffer {
  const n = s.times.length;
  const mode = timesMode(s.times);
  const timeBytes = mode === REGULAR ? 0 : mode === DELTAS ? 4 * Math.max(0, n - 1) : 8 * n;
  const buf = Buffer.allocUnsafeSlow(HEADER + 8 * n + timeBytes);
  // allocUnsafeSlow: a buffer of its own, at offset 0 of its memory, so the typed views below are aligned.
  const head = new DataView(buf.buffer, buf.byteOffset, HEADER);
  head.setUint8(0, FORMAT);
  head.setUint8(1, LITTLE);
  head.setUint8(2, mode);
  head.setUint8(3, 0);
  head.setUint32(4, n, true);
  head.setFloat64(8, s.min ?? NaN, true);
  head.setFloat64(16, s.max ?? NaN, true);
  head.setFloat64(24, n > 0 ? s.times[0]! : 0, true);
  head.setFloat64(32, n > 1 ? s.times[1]! - s.times[0]! : 0, true);
  const values = new Float64Array(buf.buffer, buf.byteOffset + HEADER, n);
  for (let i = 0; i < n; i++) values[i] = s.values[i] ?? NaN;
  const at = buf.byteOffset + HEADER + 8 * n;
  if (mode === DELTAS) {
    const deltas = new Uint32Array(buf.buffer, at, n - 1);
    for (let i = 1; i < n; i++) deltas[i - 1] = s.times[i]! - s.times[i - 1]!;
  } else if (mode === FULL) {
    new Float64Array(buf.buffer, at, n).set(s.times);
  }
  return buf;
}

/** The series, or null when the bytes are not one this version wrote (another format, byte order, or cut short). */
export function decodeSeries(stored: Buffer): SeriesResult | null {
  if (stored.length < HEADER || stored[0] !== FORMAT || stored[1] !== LITTLE) return null;
  // Redis replies are slices of larger buffers at any offset: Float64Array needs 8-byte alignment.
  const buf = stored.byteOffset % 8 === 0 ? stored : aligned(stored);
  const head = new DataView(buf.buffer, buf.byteOffset, HEADER);
  const mode = head.getUint8(2);
  const n = head.getUint32(4, true);
  const timeBytes = mode === REGULAR ? 0 : mode === DELTAS ? 4 * Math.max(0, n - 1) : mode === FULL ? 8 * n : -1;
  if (timeBytes < 0 || buf.length !== HEADER + 8 * n + timeBytes) return null;
  const stored64 = new Float64Array(buf.buffer, buf.byteOffset + HEADER, n);
  // Arrays made at their length and filled: three times as fast as push for a year (measured).
  const values: (number | null)[] = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const v = stored64[i]!;
    values[i] = Number.isNaN(v) ? null : v;
  }
  const first = head.getFloat64(24, true);
  const times: number[] = new Array<number>(n);
  const at = buf.byteOffset + HEADER + 8 * n;
  if (mode === REGULAR) {
    const step = head.getFloat64(32, true);
    for (let i = 0; i < n; i++) times[i] = first + i * step;
  } else if (mode === DELTAS) {
    const deltas = new Uint32Array(buf.buffer, at, Math.max(0, n - 1));
    let t = first;
    if (n > 0) times[0] = t;
    for (let i = 1; i < n; i++) times[i] = t += deltas[i - 1]!;
  } else {
    const full = new Float64Array(buf.buffer, at, n);
    for (let i = 0; i < n; i++) times[i] = full[i]!;
  }
  const min = head.getFloat64(8, true);
  const max = head.getFloat64(16, true);
  return { times, values, min: Number.isNaN(min) ? null : min, max: Number.isNaN(max) ? null : max };
}

/** A copy at the start of memory of its own. */
function aligned(b: Buffer): Buffer {
  const copy = new Uint8Array(b);
  return Buffer.from(copy.buffer, 0, copy.length);
}
