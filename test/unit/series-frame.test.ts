import { describe, expect, it } from 'vitest';
import { alignFrame } from '../../src/series/frame.js';

const a = { times: [0, 10, 20, 30], values: [1, null, 3, 4] };
const b = { times: [0, 15, 30], values: [10, 25, 40] };

describe('alignFrame', () => {
  it('puts every instant of any column on the axis, in order', () => {
    const f = alignFrame([a, b], 'none');
    expect(f.times).toEqual([0, 10, 15, 20, 30]);
    expect(f.columns).toEqual([
      [1, null, null, 3, 4],
      [10, null, 25, null, 40],
    ]);
  });

  it('fills as asked: previous carries forward to the end, linear is in time, zero is 0', () => {
    const c = { times: [0, 10, 15, 20, 30], values: [null, 2, null, null, null] };
    expect(alignFrame([c], 'previous').columns[0]).toEqual([null, 2, 2, 2, 2]);
    // Between 1 at t=0 and 3 at t=20: 2 at t=10, 2.5 at t=15 (in time, not in index).
    expect(alignFrame([a, b], 'linear').columns[0]).toEqual([1, 2, 2.5, 3, 4]);
    expect(alignFrame([a, b], 'linear').columns[1]).toEqual([10, 20, 25, 30, 40]);
    expect(alignFrame([c], 'linear').columns[0]).toEqual([null, 2, null, null, null]);
    expect(alignFrame([a, b], 'zero').columns[1]).toEqual([10, 0, 25, 0, 40]);
  });

  it('keeps a failed column null, and shares the axis of columns that have the same instants', () => {
    const f = alignFrame([a, null, { times: [0, 10, 20, 30], values: [5, 6, 7, 8] }], 'none');
    expect(f.times).toBe(a.times);
    expect(f.columns[1]).toBeNull();
    expect(f.columns[2]).toEqual([5, 6, 7, 8]);
    // The input is not changed by filling.
    alignFrame([a], 'previous');
    expect(a.values).toEqual([1, null, 3, 4]);
  });
});
