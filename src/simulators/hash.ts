// Deterministic pseudo-randomness for the simulators: the same inputs always give the same values.

/** 32-bit integer hash of two integers. */
export function hash2(a: number, b: number): number {
  let h = (a ^ Math.imul(b | 0, 0x27d4eb2d)) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from a seed and an integer (event index); `t` may exceed 2^31, so it is split. */
export function hash01(seed: number, i: number): number {
  const hi = Math.floor(i / 4294967296);
  return hash2(hash2(seed, hi), i >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1); `x` in lattice units. */
export function noise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const u = f * f * (3 - 2 * f);
  const a = hash01(seed, i);
  return a + (hash01(seed, i + 1) - a) * u;
}
