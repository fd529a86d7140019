// Long windows in the shared history cache, a UTC day per entry. A window that reaches into the
// recent past (a dashboard's last year, ending now) is never final as a whole, so caching whole
// windows never answers it; cut into days, its final days are shared by every window that covers
// them, whatever its ends, and only the days still missing and the recent part go to the upstream.
// Reads are cut only where the upstream says a cut changes nothing (UpstreamLoaders.seriesCuts):
// series of instants, where a window's answer is exactly its points in [from, to).
import { withMinMax } from '../shared/extremes.js';
import type { SeriesKey, SeriesResult } from './series.js';

export const DAY_MS = 86_400_000;

/** A window cut into days: those final by now, each an entry of its own, and the recent rest. */
export interface DayCut {
  /** Starts of the final days that meet the window (the first may start before it, the last end after it). */
  days: number[];
  /** The end of the last day: the window's part from there on (if any) is recent, read from the upstream each time. */
  restFrom: number;
}

/**
 * The final days of `key` (ending at or before `finalBefore`), or null when it has none or is
 * shorter than a day: then the window goes to the upstream whole, as before (and is kept whole
 * once final). A day is read whole to be kept, so a cut window reads at most two days more than it
 * asks; a minute cut into its day would read 1 440 times what the cost estimate counted for it.
 */
export function cutIntoDays(key: SeriesKey, finalBefore: number): DayCut | null {
  if (key.to - key.from < DAY_MS) return null;
  const first = Math.floor(key.from / DAY_MS) * DAY_MS;
  const days: number[] = [];
  for (let d = first; d < key.to && d + DAY_MS <= finalBefore; d += DAY_MS) days.push(d);
  if (days.length === 0) return null;
  return { days, restFrom: days[days.length - 1]! + DAY_MS };
}

/** A part of a window: its range and the series read or found for it. */
export interface Piece {
  from: number;
  to: number;
  series: SeriesResult;
}

/**
 * The upstream read that fills what Redis did not have: from the first missing day to the window's
 * end (a cold read is one call, as it was uncut), or the recent rest alone when no day is missing.
 * One read at most, whatever the holes: days found after the first missing one are read again
 * rather than each run of missing days costing a call of its own (alternate days in Redis made a
 * read of 200 days 100 upstream calls).
 */
export function readsFor(key: SeriesKey, cut: DayCut, missing: readonly boolean[]): SeriesKey[] {
  const first = missing.indexOf(true);
  if (first >= 0) return [{ ...key, from: cut.days[first]!, to: Math.max(cut.restFrom, key.to) }];
  return cut.restFrom < key.to ? [{ ...key, from: cut.restFrom, to: key.to }] : [];
}

/**
 * The days of an answer that covers them, to store each apart; null when its times do not rise
 * (nothing is stored then: the cut would not be sure).
 */
export function daysOf(series: SeriesResult, days: readonly number[]): SeriesResult[] | null {
  const { times, values } = series;
  for (let i = 1; i < times.length; i++) if (times[i]! <= times[i - 1]!) return null;
  let i = 0;
  return days.map((d) => {
    while (i < times.length && times[i]! < d) i++;
    const start = i;
    while (i < times.length && times[i]! < d + DAY_MS) i++;
    return withMinMax({ times: times.slice(start, i), values: values.slice(start, i) });
  });
}

/** The pieces, in order of their ranges, joined into the window's series: each only within its range and the window. */
export function join(key: SeriesKey, pieces: readonly Piece[]): SeriesResult {
  const times: number[] = [];
  const values: Array<number | null> = [];
  for (const p of [...pieces].sort((a, b) => a.from - b.from)) {
    const lo = Math.max(p.from, key.from);
    const hi = Math.min(p.to, key.to);
    const t = p.series.times;
    const v = p.series.values;
    for (let i = 0; i < t.length; i++) {
      if (t[i]! >= lo && t[i]! < hi) {
        times.push(t[i]!);
        values.push(v[i]!);
      }
    }
  }
  return withMinMax({ times, values });
}
