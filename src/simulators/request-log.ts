// The request log: the latest requests a simulator received and what it did with them, and its queries.
import type { IncomingHttpHeaders } from 'node:http';
import type { ParamRecord } from './request.js';

export interface RequestLogEntry {
  seq: number;
  /** Simulator clock (ms) at arrival. */
  at: number;
  method: string;
  path: string;
  route: string;
  query: ParamRecord;
  headers: IncomingHttpHeaders;
  body: unknown;
  authorized: boolean | null;
  /** Status sent (or about to be sent); null when no answer is sent (hang, destroy). */
  status: number | null;
  /** True when a fault hit this request (including a delay-only fault). */
  faulted: boolean;
  /** Real-time wait before the answer (latency and a fault's delay): tests read it instead of timing answers. */
  waitMs: number;
}

/** The latest entries, oldest first; the oldest are dropped beyond `limit`. */
export class RequestLog {
  /** The server hands out this very array as its `log`. */
  readonly entries: RequestLogEntry[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** A copy: every entry, or those of one route. */
  of(route?: string): RequestLogEntry[] {
    return route === undefined ? [...this.entries] : this.entries.filter((e) => e.route === route);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
