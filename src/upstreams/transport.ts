// One HTTP exchange with an upstream on node:http: keep-alive, a timeout for the whole exchange,
// compressed answers, redirects on the same origin. It replaced got: the gateway sends a dozen
// upstream calls per dashboard query, and got's per-call option merging and stream machinery
// cost 0.55 ms of CPU per call (3.8 times a plain node:http call, see docs/benchmarks.md).
import http from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Exchange {
  method: Method;
  /** Scheme, host and port, parsed once per upstream (a URL per call cost more than the call's own work). */
  origin: URL;
  /** Path and query string, e.g. `/V2/getData` or `/timeseries_data/?timeseries=1`. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  /** Default MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
}

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** No complete answer within the exchange's timeout. */
export class TransportTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TransportTimeout';
  }
}

/** The connection failed (refused, reset, unreachable, a broken compressed body...). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/**
 * Largest answer read, once decompressed. A year of getData for a hundred series is about 300 MB;
 * beyond about 512 MB V8 cannot hold the text as one string at all, and a small compressed body
 * can expand to that (the answer is cut off as soon as it passes this size).
 */
export const MAX_ANSWER_BYTES = 400 * 1024 * 1024;

/** Sends one exchange and reads the whole answer; follows redirects on the same origin. */
export async function exchange(x: Exchange): Promise<Answer> {
  const deadline = Date.now() + x.timeoutMs;
  let current = x;
  for (let hop = 0; ; hop++) {
    const answer = await once(current, Math.max(1, deadline - Date.now()), x.timeoutMs);
    const location = answer.headers.location;
    if (!REDIRECTS.has(answer.status) || typeof location !== 'string') return answer;
    if (hop >= MAX_REDIRECTS) throw new TransportError(`redirected more than ${MAX_REDIRECTS} times`, 'TOO_MANY_REDIRECTS');
    let next: URL;
    try {
      next = new URL(location, new URL(current.path, current.origin));
    } catch {
      throw new TransportError('redirected to an unreadable Location', 'BAD_REDIRECT');
    }
    // BEMServer answers 308 to a collection URL without its trailing slash (contract §1). A
    // redirect to another origin (http to https included) is not followed: the service account's
    // token would go with it. The error names the origin, for the base URL to be set to it.
    if (next.origin !== current.origin.origin) {
      throw new TransportError(
        `redirected to another origin (${next.origin}), not followed: point the base URL there`,
        'REDIRECT_ELSEWHERE',
      );
    }
    const path = next.pathname + next.search;
    if (answer.status === 303) {
      const { 'content-type': _dropped, ...headers } = current.headers;
      current = { ...current, path, method: 'GET', body: null, headers };
    } else {
      current = { ...current, path };
    }
  }
}

function once(x: Exchange, remainingMs: number, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...x.headers, 'accept-encoding': 'gzip, deflate, br' };
    if (x.body !== null) headers['content-length'] = Buffer.byteLength(x.body);
    const { protocol, hostname, port } = x.origin;
    const req = (protocol === 'https:' ? https : http).request({
      protocol,
      hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname, // [::1] → ::1
      port,
      path: x.path,
      method: x.method,
      headers,
      agent: agents[protocol as 'http:' | 'https:'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new TransportTimeout(timeoutMs));
    }, remainingMs);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      // Destroying the request on timeout also errors the response stream, in either order.
      reject(timedOut ? new TransportTimeout(timeoutMs) : new TransportError(errorMessage(err), errorCode(err)));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // No body to decode (204, 304, an empty answer): zlib would fail on the empty input.
      const empty = status === 204 || status === 304 || res.headers['content-length'] === '0';
      const body = empty ? res : decoded(res, res.headers['content-encoding']);
      let received = 0;
      if (body !== res) res.on('data', (c: Buffer) => (received += c.length));
      const chunks: Buffer[] = [];
      let size = 0;
      const max = x.maxAnswerBytes ?? MAX_ANSWER_BYTES;
      body.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          req.destroy();
          fail(new TransportError(`answered more than ${max} bytes`, 'ANSWER_TOO_LARGE'));
          return;
        }
        chunks.push(c);
      });
      body.on('error', (err) => {
        req.destroy();
        // A compressed encoding announced on an answer without a body (chunked, zero bytes).
        if (received === 0 && (err as { code?: string }).code === 'Z_BUF_ERROR') finish();
        else fail(err);
      });
      const finish = () => {
        clearTimeout(timer);
        try {
          resolve({
            status,
            body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          });
        } catch (err) {
          fail(err); // never thrown from an event handler: that would end the process
        }
      };
      body.on('end', finish);
      if (body !== res) res.on('error', fail);
    });
    req.end(x.body ?? undefined);
  });
}

function decoded(res: http.IncomingMessage, encoding: string | undefined): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'NETWORK';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
