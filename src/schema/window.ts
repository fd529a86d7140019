import { badInput } from '../shared/errors.js';
import { formatDateTime } from './scalars.js';

const DAY_MS = 86_400_000;

/** The instants a window may hold: no upstream has data before 1900, and calendars past 9999 are not dates. */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10_000, 0, 1);

/** Checks a requested window; the message says what to change. */
export function checkWindow(from: number, to: number, maxWindowDays: number): void {
  for (const [name, t] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!(t >= EARLIEST && t <= LATEST)) {
      throw badInput(`${name} must be from 1900-01-01T00:00:00Z to 10000-01-01T00:00:00Z`, { argument: name });
    }
  }
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
