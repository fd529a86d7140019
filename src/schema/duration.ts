import { badInput } from '../shared/errors.js';
import { parseDuration } from '../shared/durations.js';

/** An ISO 8601 duration argument (`PT15M`) in ms, or BAD_USER_INPUT naming the argument. */
export function durationArg(value: string | null | undefined, argument: string, options: { allowNegative?: boolean } = {}): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  let ms: number;
  try {
    ms = parseDuration(value.trim());
  } catch {
    throw badInput(`${argument}: "${value.slice(0, 40)}" is not an ISO 8601 duration such as PT15M, PT1H or P1D`, { argument });
  }
  if (!options.allowNegative && ms <= 0) throw badInput(`${argument} must be longer than zero (got ${value})`, { argument });
  return ms;
}
