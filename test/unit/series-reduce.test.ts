// M4 for drawing (src/series/reduce.ts): small cases by hand, gaps, and a seeded year of minutes
// that must come back within maxPoints with every column's extremes and the global ones.
import { describe, expect, it } from 'vitest';
import { reduceForDrawing, refuseMaxPoints } from '../../src/series/reduce.js';
import { seededRandom } from '../helpers/random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('M4 by hand', () => {
  it('two columns keep first, min, max and last, in time order', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3];
    const r = reduceForDrawing(range(16), values, 0, 16, 8);
    // Column [0, 8): first 3@0, min 1@1 (the first 1), max 9@5, last 6@7. Column [8, 16): 5@8, 3@9, 9@12, 3@15.
    expect(r.times).toEqual([0, 1, 5, 7, 8, 9, 12, 15]);
    expect(r.values).toEqual([3, 1, 9, 6, 5, 3, 9, 3]);
  });

  it('a point that is both first and min, or max and last, is kept once', () => {
    const r = reduceForDrawing(range(16), range(16), 0, 16, 8);
    expect(r.times).toEqual([0, 7, 8, 15]);
    expect(r.values).toEqual([0, 7, 8, 15]);
    const down = reduceForDrawing(range(16), [...range(8).reverse(), 5, 5, 5, 5, 5, 5, 5, 5], 0, 16, 8);
    expect(down.times).toEqual([0, 7, 8, 15]);
    expect(down.values).toEqual([7, 0, 5, 5]);
  });

  it('maxPoints not a multiple of 4: floor(maxPoints / 4) columns', () => {
    const r = reduceForDrawing(range(16), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3], 0, 16, 11);
    expect(r.times).toEqual([0, 1, 5, 7, 8, 9, 12, 15]);
  });

  it('a series already within maxPoints comes back as it is', () => {
    const values = [1, null, 3, 2];
    expect(reduceForDrawing([10, 20, 30, 40], values, 0, 50, 4)).toEqual({ times: [10, 20, 30, 40], values });
    expect(reduceForDrawing([], [], 0, 50, 4)).toEqual({ times: [], values: [] });
  });

  it('points outside [from, to) go to the edge columns, not away', () => {
    const values = range(16).map((i) => (i === 0 ? -50 : i === 15 ? 50 : i % 3));
    const r = reduceForDrawing(range(16), values, 4, 12, 8);
    expect(r.times.length).toBeLessThanOrEqual(8);
    expect(r.values).toContain(-50);
    expect(r.values).toContain(50);
  });
});

describe('gaps', () => {
  it('a column of nulls keeps one null at its first point, so the line breaks', () => {
    const values = range(30).map((i) => (i >= 10 && i < 20 ? null : i % 5));
    const r = reduceForDrawing(range(30), values, 0, 30, 12);
    // Columns [0, 10) and [20, 30): first 0, min 0 (the first), max 4 (the first), last 4; [10, 20): one null.
    expect(r.times).toEqual([0, 4, 9, 10, 20, 24, 29]);
    expect(r.values).toEqual([0, 4, 4, null, 0, 4, 4]);
  });

  it('a run of null columns keeps one null', () => {
    const values = range(40).map((i) => (i >= 10 && i < 30 ? null : i % 5));
    const r = reduceForDrawing(range(40), values, 0, 40, 16);
    expect(r.times.filter((_, i) => r.values[i] === null)).toEqual([10]);
    expect(r.times.length).toBeLessThanOrEqual(16);
  });

  it('a column with no point at all keeps nothing; nulls beside values in a column are dropped', () => {
    const times = [...range(10), ...range(10).map((i) => 20 + i)];
    const values = times.map((t) => (t === 3 ? null : t % 7));
    const r = reduceForDrawing(times, values, 0, 30, 12);
    expect(r.values).not.toContain(null);
    // [0, 10): 0@0 first and min, 6@6 max, 2@9 last; [10, 20): no point; [20, 30): 6@20 first and max, 0@21 min, 1@29 last.
    expect(r.times).toEqual([0, 6, 9, 20, 21, 29]);
  });

  it('only nulls: one null', () => {
    const r = reduceForDrawing(range(100), new Array<null>(100).fill(null), 0, 100, 8);
    expect(r).toEqual({ times: [0], values: [null] });
  });
});

describe('a seeded year of minutes', () => {
  // A random walk with spikes and runs of nulls, 525,600 points.
  const rnd = seededRandom(4);
  const from = Date.parse('2026-01-01T00:00:00Z');
  const to = Date.parse('2027-01-01T00:00:00Z');
  const times: number[] = [];
  const values: Array<number | null> = [];
  let v = 0;
  let nullRun = 0;
  for (let t = from; t < to; t += 60_000) {
    v += rnd() - 0.5;
    if (nullRun === 0 && rnd() < 0.0005) nullRun = Math.floor(rnd() * 3000);
    times.push(t);
    if (nullRun > 0) {
      nullRun--;
      values.push(null);
    } else values.push(rnd() < 0.0002 ? v + (rnd() - 0.5) * 400 : v);
  }

  for (const maxPoints of [4, 1000, 1003, 5000]) {
    it(`maxPoints ${maxPoints}: within it, real points ascending, every column's extremes and the global ones`, () => {
      const r = reduceForDrawing(times, values, from, to, maxPoints);
      expect(r.times.length).toBeLessThanOrEqual(maxPoints);
      expect(r.times.length).toBeGreaterThan(maxPoints / 2);
      expect(r.values.length).toBe(r.times.length);
      // Minutes from `from`: the input's index of each kept time.
      const wrong = r.times.filter((t, k) => (k > 0 && t <= r.times[k - 1]!) || r.values[k] !== values[(t - from) / 60_000]);
      expect(wrong).toEqual([]);
      // Each column's min and max (columns of [from, to) cut in floor(maxPoints / 4)), the year's among them.
      const columns = Math.floor(maxPoints / 4);
      const column = (t: number) => Math.floor(((t - from) * columns) / (to - from));
      const min = new Array<number>(columns).fill(Infinity);
      const max = new Array<number>(columns).fill(-Infinity);
      values.forEach((x, i) => {
        if (x === null) return;
        const c = column(times[i]!);
        min[c] = Math.min(min[c]!, x);
        max[c] = Math.max(max[c]!, x);
      });
      const keptPerColumn = Array.from({ length: columns }, () => new Set<number | null>());
      r.times.forEach((t, k) => keptPerColumn[column(t)]!.add(r.values[k]!));
      const lost = range(columns).filter((c) => min[c] !== Infinity && !(keptPerColumn[c]!.has(min[c]!) && keptPerColumn[c]!.has(max[c]!)));
      expect(lost).toEqual([]);
      const numbers = values.filter((x): x is number => x !== null);
      expect(r.values).toContain(numbers.reduce((a, b) => Math.min(a, b)));
      expect(r.values).toContain(numbers.reduce((a, b) => Math.max(a, b)));
    });
  }
});

describe('maxPoints refused', () => {
  it('below 4 or not whole', () => {
    expect(refuseMaxPoints(4)).toBeNull();
    expect(refuseMaxPoints(3)).toBe(
      'maxPoints must be a whole number of at least 4 (each pixel column keeps its first, minimum, maximum and last point), got 3.',
    );
    expect(refuseMaxPoints(0)).toMatch(/at least 4/);
    expect(refuseMaxPoints(-8)).toMatch(/got -8/);
    expect(refuseMaxPoints(10.5)).toMatch(/whole number/);
    expect(refuseMaxPoints(Number.NaN)).toMatch(/got NaN/);
    expect(() => reduceForDrawing([1, 2, 3], [1, 2, 3], 0, 4, 3)).toThrow(RangeError);
  });
});
