// Upstream misbehaviour the simulator reproduces on request: getData series out of order, with repeats.

/** mulberry32 seeded by the series ID: the same request always gives the same disorder. */
function seededRandom(seedText: string): () => number {
  let seed = 0x811c9dc5;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 0x01000193);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffled copy with about 1 % (at least one) of the points repeated. */
export function scramble<T>(points: T[], seedText: string): T[] {
  const rnd = seededRandom(seedText);
  const out = points.slice();
  const dups = Math.max(1, Math.floor(points.length / 100));
  for (let i = 0; i < dups; i++) out.push(points[Math.floor(rnd() * points.length)]!);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
