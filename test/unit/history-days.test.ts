// Long windows cut into days for the shared history cache: which days are final, which upstream
// reads fill the days Redis lacks, and how days and reads are cut and joined again.
import { describe, expect, it } from 'vitest';
import { cutIntoDays, DAY_MS, daysOf, join, readsFor } from '../../src/upstreams/history-days.js';
import type { SeriesKey, SeriesResult } from '../../src/upstreams/series.js';

const HOUR = 3_600_000;
// A day is 24 hours of UTC.
const DAY = DAY_MS;
const D0 = Date.UTC(2026, 0, 10);
const key = (from: number, to: number): SeriesKey => ({ sensor: 'A', from, to, dataState: 'Clean' });
/** A point every hour in [from, to), valued by its hour since D0. */
const hourly = (from: number, to: number): SeriesResult => {
  const times: number[] = [];
  for (let t = Math.ceil(from / HOUR) * HOUR; t < to; t += HOUR) times.push(t);
  const values = times.map((t) => (t - D0) / HOUR);
  return { times, values, min: values[0] ?? null, max: values.at(-1) ?? null };
};

describe('cutting a window into days', () => {
  it('takes the final days that meet it, the first from its midnight, and leaves the rest to the upstream', () => {
    const k = key(D0 + 5 * HOUR, D0 + 4 * DAY + 3 * HOUR);
    // Final before D0 + 2 days and 1 hour: days 0 and 1 only.
    expect(cutIntoDays(k, D0 + 2 * DAY + HOUR)).toEqual({ days: [D0, D0 + DAY], restFrom: D0 + 2 * DAY });
    // Everything final: the last day ends after the window, nothing is left.
    expect(cutIntoDays(k, D0 + 30 * DAY)).toEqual({
      days: [D0, D0 + DAY, D0 + 2 * DAY, D0 + 3 * DAY, D0 + 4 * DAY],
      restFrom: D0 + 5 * DAY,
    });
  });

  it('has no days for a window not yet final on its first day, or an empty window', () => {
    expect(cutIntoDays(key(D0 + 5 * HOUR, D0 + 3 * DAY), D0 + DAY - 1)).toBeNull();
    expect(cutIntoDays(key(D0, D0), D0 + 9 * DAY)).toBeNull();
  });

  it('keeps a window shorter than a day whole: cut, it would read its whole day', () => {
    expect(cutIntoDays(key(D0 + 5 * HOUR, D0 + 5 * HOUR + 60_000), D0 + 9 * DAY)).toBeNull();
    expect(cutIntoDays(key(D0 + 5 * HOUR, D0 + DAY + 5 * HOUR - 1), D0 + 9 * DAY)).toBeNull();
    expect(cutIntoDays(key(D0 + 5 * HOUR, D0 + DAY + 5 * HOUR), D0 + 9 * DAY)).toEqual({ days: [D0, D0 + DAY], restFrom: D0 + 2 * DAY });
  });

  it('ends on a day that is exactly the window: one entry, no rest', () => {
    expect(cutIntoDays(key(D0, D0 + DAY), D0 + DAY)).toEqual({ days: [D0], restFrom: D0 + DAY });
  });
});

describe('the reads that fill missing days', () => {
  const k = key(D0 + 5 * HOUR, D0 + 4 * DAY + 3 * HOUR);
  const cut = { days: [D0, D0 + DAY, D0 + 2 * DAY, D0 + 3 * DAY], restFrom: D0 + 4 * DAY };
  const windows = (missing: boolean[]) => readsFor(k, cut, missing).map((r) => [(r.from - D0) / HOUR, (r.to - D0) / HOUR]);

  it('all missing (a cold read): one read from the first midnight to the window end', () => {
    expect(windows([true, true, true, true])).toEqual([[0, 99]]);
  });

  it('all found: the recent rest alone', () => {
    expect(windows([false, false, false, false])).toEqual([[96, 99]]);
  });

  it('holes: one read from the first missing day to the window end, whatever lies between (one upstream call, not one per run)', () => {
    expect(windows([true, false, false, true])).toEqual([[0, 99]]);
    expect(windows([false, true, true, false])).toEqual([[24, 99]]);
    expect(windows([false, true, false, true])).toEqual([[24, 99]]);
  });

  it('keeps every other field of the read', () => {
    expect(readsFor(k, cut, [true, true, true, true])[0]).toMatchObject({ sensor: 'A', dataState: 'Clean' });
  });

  it('a window whose last day ends after it: the missing last day is read whole, to keep it', () => {
    const whole = { days: [D0], restFrom: D0 + DAY };
    expect(readsFor(key(D0 + HOUR, D0 + 2 * HOUR), whole, [true]).map((r) => [r.from, r.to])).toEqual([[D0, D0 + DAY]]);
    expect(readsFor(key(D0 + HOUR, D0 + 2 * HOUR), whole, [false])).toEqual([]);
  });
});

describe('days of an answer, and joining', () => {
  it('cuts an answer at midnights, each day with its own extremes', () => {
    const days = daysOf(hourly(D0, D0 + 3 * DAY), [D0 + DAY, D0 + 2 * DAY])!;
    expect(days.map((d) => [d.times.length, d.min, d.max])).toEqual([
      [24, 24, 47],
      [24, 48, 71],
    ]);
  });

  it('gives up on an answer whose times do not rise (nothing would be sure)', () => {
    expect(daysOf({ times: [D0 + HOUR, D0], values: [1, 2], min: 1, max: 2 }, [D0])).toBeNull();
    expect(daysOf({ times: [D0, D0], values: [1, 2], min: 1, max: 2 }, [D0])).toBeNull();
  });

  it('joins days and reads in order, each within its range and the window, into the uncut series', () => {
    const k = key(D0 + 5 * HOUR, D0 + 2 * DAY + 3 * HOUR);
    const joined = join(k, [
      { from: D0 + 2 * DAY, to: k.to, series: hourly(D0 + 2 * DAY, k.to) },
      { from: D0, to: D0 + DAY, series: hourly(D0, D0 + DAY) },
      { from: D0 + DAY, to: D0 + 2 * DAY, series: hourly(D0 + DAY, D0 + 2 * DAY) },
    ]);
    expect(joined).toEqual(hourly(k.from, k.to));
  });

  it('drops points a piece holds outside its own range: no point twice', () => {
    const k = key(D0, D0 + 2 * DAY);
    const joined = join(k, [
      { from: D0, to: D0 + DAY, series: hourly(D0, D0 + DAY + 2 * HOUR) },
      { from: D0 + DAY, to: D0 + 2 * DAY, series: hourly(D0 + DAY, D0 + 2 * DAY) },
    ]);
    expect(joined.times).toEqual(hourly(D0, D0 + 2 * DAY).times);
  });

  it('keeps nulls, and takes the extremes over what is left', () => {
    const k = key(D0 + HOUR, D0 + 3 * HOUR);
    const joined = join(k, [
      { from: D0, to: D0 + DAY, series: { times: [D0, D0 + HOUR, D0 + 2 * HOUR], values: [-5, null, 7], min: -5, max: 7 } },
    ]);
    expect(joined).toEqual({ times: [D0 + HOUR, D0 + 2 * HOUR], values: [null, 7], min: 7, max: 7 });
  });
});
