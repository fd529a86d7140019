// Reading a request: its target split into path and query, its body read up to a limit and parsed by content type.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Requests with a larger body are answered 413. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ParamRecord = Record<string, string | string[]>;

/** How the body was understood: by Content-Type, sniffed when the header is missing. */
export type BodyKind = 'none' | 'json' | 'form' | 'text';

export interface SimRequest {
  method: string;
  /** Decoded path without the query string (case preserved). */
  path: string;
  /** The request target exactly as received (path and query), for error messages. */
  url: string;
  /** Query parameters; a repeated key becomes an array. */
  query: ParamRecord;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /**
   * Parsed body: the JSON value, a ParamRecord for form encoding (repeated keys become arrays),
   * the raw string for other content types, undefined when empty or malformed.
   */
  body: unknown;
  bodyKind: BodyKind;
  /** Set when the body claimed to be JSON but did not parse; `body` is then undefined. */
  bodyError: string | null;
  /** The simulator clock (ms) when the request arrived. */
  at: number;
}

function addParam(into: ParamRecord, key: string, value: string): void {
  const prev = into[key];
  if (prev === undefined) into[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else into[key] = [prev, value];
}

/** URLSearchParams → record, a repeated key becoming an array. */
export function paramsToRecord(params: URLSearchParams): ParamRecord {
  const out: ParamRecord = {};
  for (const [k, v] of params) addParam(out, k, v);
  return out;
}

/** A request target split into its decoded path and its query parameters. */
export function parseTarget(target: string): { path: string; query: ParamRecord } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath; // broken percent-encoding: keep it as sent
  }
  const query = q < 0 ? {} : paramsToRecord(new URLSearchParams(target.slice(q + 1)));
  return { path, query };
}

/** The body as UTF-8 text, or tooLarge (and no text) beyond `limit` bytes; rejects when the client goes away mid-body. */
export function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    // Far beyond the cap: do not even drain it, answer 413 and close.
    if (Number.isFinite(declared) && declared > limit * 10) {
      req.resume();
      resolve({ text: '', tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Drain (so the client can read the 413) but keep nothing; give up on absurd streams.
        tooLarge = true;
        chunks.length = 0;
        if (size > limit * 10 && !done) {
          done = true;
          req.pause();
          resolve({ text: '', tooLarge: true });
        }
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge });
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new Error('request closed before its body ended'));
    });
  });
}

/**
 * Content-Type decides; tolerated: parameters (`; charset=…`), odd casing and malformed headers
 * such as `application/x-www-form-urlencoded charset=UTF-8` (no `;`). Without a Content-Type the
 * body is sniffed: JSON when it parses, form when it looks like `a=b`, text otherwise.
 */
export function parseBody(
  rawBody: string,
  contentType: string | undefined,
): { body: unknown; bodyKind: BodyKind; bodyError: string | null } {
  if (rawBody.length === 0) return { body: undefined, bodyKind: 'none', bodyError: null };
  const ct = (contentType ?? '').toLowerCase();
  const parseJson = () => {
    try {
      return { body: JSON.parse(rawBody) as unknown, bodyKind: 'json' as const, bodyError: null };
    } catch (err) {
      return { body: undefined, bodyKind: 'json' as const, bodyError: (err as Error).message };
    }
  };
  const parseForm = () => ({
    body: paramsToRecord(new URLSearchParams(rawBody)),
    bodyKind: 'form' as const,
    bodyError: null,
  });
  if (ct.includes('json')) return parseJson();
  if (ct.includes('x-www-form-urlencoded')) return parseForm();
  if (ct.trim() === '') {
    const t = rawBody.trimStart();
    if (t.startsWith('{') || t.startsWith('[')) {
      const j = parseJson();
      if (j.bodyError === null) return j;
    }
    if (/^[^=&\s]+=/.test(rawBody)) return parseForm();
  }
  return { body: rawBody, bodyKind: 'text', bodyError: null };
}
