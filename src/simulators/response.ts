// What a simulator's handler answers, and how an answer is written to the socket.
import type { ServerResponse } from 'node:http';
import type { SimRequest } from './request.js';

export interface SimResponse {
  status: number;
  /** JSON-serialised unless rawBody is given. */
  body?: unknown;
  /** Sent verbatim (Content-Type application/json unless headers say otherwise). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** What a handler returns: the answer plus what the request log should record about it. */
export interface SimResult extends SimResponse {
  /** Route name for the log and for fault matching; 'unknown' when not given. */
  route?: string;
  /** true: a valid credential; false: a credential was needed or sent and was not valid; null: not applicable. */
  authorized?: boolean | null;
}

/** What each simulator supplies: routes one request and answers it. */
export type SimHandler = (req: SimRequest) => Promise<SimResult> | SimResult;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Sends the answer unless the socket is gone; `now` is the simulator clock, for the Date header. */
export function writeResponse(res: ServerResponse, r: SimResponse, now: () => number, dripMs = 0): void {
  if (res.destroyed || res.writableEnded || res.socket?.destroyed) return;
  // Encoded once: bodies can be 100 MB (a year of getData for many series).
  const payload = Buffer.from(r.rawBody ?? (r.body === undefined ? '' : JSON.stringify(r.body)), 'utf8');
  const headers: Record<string, string> = {};
  if (payload.length > 0) headers['content-type'] = JSON_CONTENT_TYPE;
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['content-length'] = String(payload.length);
  // The server's own clock, as real servers send it: clients compare token expiries against it.
  if (headers.date === undefined) {
    try {
      headers.date = new Date(now()).toUTCString();
    } catch {
      /* a broken test clock: node's own Date header */
    }
  }
  res.writeHead(r.status, headers);
  if (!(dripMs > 0)) {
    res.end(payload);
    return;
  }
  const part = Math.ceil(payload.length / 20);
  let sent = 0;
  const next = () => {
    if (res.destroyed) return;
    const end = Math.min(sent + part, payload.length);
    if (end >= payload.length) return void res.end(payload.subarray(sent));
    res.write(payload.subarray(sent, end));
    sent = end;
    setTimeout(next, dripMs);
  };
  next();
}
