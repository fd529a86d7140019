import { badInput } from '../shared/errors.js';
import { formatDateTime } from './scalars.js';

const DAY_MS = 86_400_000;

/** Checks a requested window; the message says what to change. */
export function checkWindow(from: number, to: number, maxWindowDays: number): void {
  if (to < from) {
    throw badInput(`to (${formatDateTime(to)}) is before from (${formatDateTime(from)}): swap them`, { argument: 'to' });
  }
  const days = (to - from) / DAY_MS;
  if (days > maxWindowDays) {
    throw badInput(
      `the window from ${formatDateTime(from)} to ${formatDateTime(to)} spans ${Math.ceil(days)} days; at most ${maxWindowDays} days are allowed (MAX_WINDOW_DAYS): ask for a shorter window or split it`,
      { argument: 'from' },
    );
  }
}
