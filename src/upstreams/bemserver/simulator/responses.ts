// Flask's and flask-smorest's answers (§1.2, §1.4, §5): JSON bodies, error payloads, 204, ETags and If-None-Match.
import { createHash } from 'node:crypto';
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { COMPACT, ETAG_STYLE, pyDumps } from './pyjson.js';

/** Python's http.HTTPStatus phrases, as flask-smorest writes them in `status` (§1.4). */
export const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  500: 'Internal Server Error',
};

/** Flask's JSON answer: compact, then one newline (§1.2). */
export function jsonResult(status: number, value: unknown, headers: Record<string, string> = {}): SimResult {
  return { status, rawBody: `${pyDumps(value, COMPACT)}\n`, headers: { 'content-type': 'application/json', ...headers } };
}

/** flask-smorest's error payload: code, status, then message and errors when given (§1.4). */
function errorBody(status: number, extra: { message?: string; errors?: unknown } = {}): Map<string, unknown> {
  const body = new Map<string, unknown>([
    ['code', status],
    ['status', PHRASES[status] ?? 'Error'],
  ]);
  if (extra.message !== undefined) body.set('message', extra.message);
  if (extra.errors !== undefined) body.set('errors', extra.errors);
  return body;
}

export function errorResult(
  status: number,
  extra: { message?: string; errors?: unknown } = {},
  headers: Record<string, string> = {},
): SimResult {
  return jsonResult(status, errorBody(status, extra), headers);
}

/** A 204 as Flask sends it: no body, still `Content-Type: application/json`. */
export function noContent(): SimResult {
  return { status: 204, rawBody: '', headers: { 'content-type': 'application/json' } };
}

export const etagOf = (data: unknown): string => `"${createHash('sha1').update(pyDumps(data, ETAG_STYLE)).digest('hex')}"`;

/** Comma-separated entity tags of If-Match / If-None-Match; `*` kept; `W/` dropped. */
export function etagList(header: string | string[] | undefined): string[] | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .filter((s) => s.length > 0);
}

/** Does If-None-Match name this ETag (or `*`)? Then the answer is 304 (§5). */
export function noneMatch(req: SimRequest, etag: string): boolean {
  const tags = etagList(req.headers['if-none-match']);
  return tags !== null && (tags.includes('*') || tags.includes(etag));
}
