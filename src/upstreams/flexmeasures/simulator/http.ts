// What every route shares: query parameters, the 404 and 405 answers, webargs' 422 body, PROCESSED,
// and the answer to a write (PROCESSED, ALREADY_RECEIVED or INVALID_REPLACEMENT).
import type { ParamRecord, SimResult } from '../../../simulators/index.js';
import type { SaveOutcome } from './store.js';

const NOT_FOUND =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
export const PROCESSED = { status: 'PROCESSED', message: 'Request has been processed.' };
const ALREADY_V1 = 'Some of the data has already been received and successfully processed.';

/** The answer to a path no route serves. */
export function notFound(): SimResult {
  return { route: 'unknown', authorized: null, ...notFoundBody() };
}

/** Flask's 404 (also Flask-SQLAlchemy's for a page past the end, real server, conformance suite). */
export function notFoundBody(): { status: 404; body: unknown } {
  return { status: 404, body: { message: NOT_FOUND, status: 404 } };
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

/** The answer to a write (v1_1 and v3_0 alike but for the wording of `replacement`, §3.7, §4.5). */
export function savedAnswer(outcome: SaveOutcome, replacement: string): { status: number; body: unknown } {
  if (outcome === 'REPLACEMENT') return { status: 403, body: { results: 'Rejected', status: 'INVALID_REPLACEMENT', message: replacement } };
  if (outcome === 'ALREADY')
    return { status: 200, body: { results: 'PROCESSED', status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED', message: ALREADY_V1 } };
  return { status: 200, body: { ...PROCESSED } };
}

export function one(q: ParamRecord, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}
