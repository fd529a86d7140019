// What every route shares: query parameters, the 404 and 405 answers, webargs' 422 body, and the
// PROCESSED and ALREADY_RECEIVED messages.
import type { ParamRecord, SimResult } from '../../../simulators/index.js';

const NOT_FOUND =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
export const PROCESSED = { status: 'PROCESSED', message: 'Request has been processed.' };
export const ALREADY_V1 = 'Some of the data has already been received and successfully processed.';

/** The answer to a path no route serves. */
export function notFound(): SimResult {
  return { route: 'unknown', authorized: null, status: 404, body: { message: NOT_FOUND, status: 404 } };
}

export function methodNotAllowed(route: string, allowed: string): SimResult {
  return {
    route,
    authorized: null,
    status: 405,
    headers: { allow: `${allowed}, OPTIONS` },
    body: { message: 'The method is not allowed for the requested URL.', status: 405 },
  };
}

export function unprocessable(location: string, errors: Record<string, string[]>): { status: number; body: unknown } {
  return { status: 422, body: { message: { [location]: errors }, result: 'Rejected', status: 'UNPROCESSABLE_ENTITY' } };
}

export function one(q: ParamRecord, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}
