// The simulator HTTP server: listening, taking each request through the handler, faults and log, answering, closing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, parseBody, parseTarget, readBody, type SimRequest } from './request.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { Delays, FaultList, faultAnswer, type Fault } from './faults.js';
import { AnswerMemo } from './memo.js';
import { writeResponse, type SimHandler, type SimResponse, type SimResult } from './response.js';

export interface SimulatorOptions {
  /** Added (real time) before every answer. */
  latencyMs?: number;
  /** The simulated "now"; Date.now by default. */
  clock?: () => number;
  /** Body of the answers the server itself makes (413, 500). Default `{ error: message }`. */
  errorBody?: (status: number, message: string) => unknown;
  /** Oldest log entries are dropped beyond this many (default 10 000). */
  logLimit?: number;
  /** Default MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /**
   * Benchmarks only: a 2xx answer of one of these routes is given again, for `ms`, to an identical
   * request (method, target, Authorization, body) instead of being computed again. A real
   * upstream's CPU is not on the gateway's machine; without this the simulators' own work (15 ms
   * of CPU per dashboard query) would crowd the cores they share with what is measured.
   */
  memoize?: { routes: string[]; ms: number };
}

/**
 * Shared machinery of the built-in upstream simulators: a node:http server that parses requests,
 * logs them, injects faults and latency at run time, and never crashes on bad input. Each
 * simulator supplies one handler that routes the request and says which route it was and whether
 * the caller was authorized; everything else (faults, latency, log) is generic and handled here.
 */
export class SimulatorServer {
  readonly name: string;
  readonly log: RequestLogEntry[];
  private readonly handler: SimHandler;
  private readonly server: Server;
  private readonly errorBody: (status: number, message: string) => unknown;
  private readonly requestLog: RequestLog;
  private readonly maxBodyBytes: number;
  private clock: () => number;
  private readonly delays = new Delays();
  private readonly faultList = new FaultList();
  private seq = 0;
  private active = 0;
  private peak = 0;
  private baseUrl: string | null = null;
  private readonly memo: AnswerMemo | null;

  constructor(name: string, handler: SimHandler, options: SimulatorOptions = {}) {
    this.name = name;
    this.handler = handler;
    this.clock = options.clock ?? Date.now;
    this.latencyMs = options.latencyMs ?? 0;
    this.errorBody = options.errorBody ?? ((_status, message) => ({ error: message }));
    this.requestLog = new RequestLog(options.logLimit ?? 10_000);
    this.log = this.requestLog.entries;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.memo = options.memoize ? new AnswerMemo(options.memoize) : null;
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch(() => {
        // Last resort: never let a request take the process down.
        if (!res.headersSent && !res.destroyed) {
          this.write(res, { status: 500, body: this.errorBody(500, 'An error has occurred.') });
        } else {
          res.destroy();
        }
      });
    });
  }

  /** Starts listening; resolves the base URL (`http://127.0.0.1:PORT`). */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as AddressInfo;
        const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        this.baseUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${addr.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  /** Stops the server and ends every connection, hanging and keep-alive ones included. */
  close(): Promise<void> {
    this.delays.wakeAll();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.baseUrl = null;
    });
  }

  /** Base URL; throws when the server is not listening. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.name} simulator is not listening`);
    return this.baseUrl;
  }

  get latencyMs(): number {
    return this.delays.latencyMs;
  }

  set latencyMs(ms: number) {
    this.delays.latencyMs = ms;
  }

  now(): number {
    return this.clock();
  }

  setClock(clock: () => number): void {
    this.clock = clock;
  }

  addFault(fault: Fault): void {
    this.faultList.add(fault);
  }

  clearFaults(): void {
    this.faultList.clear();
  }

  /** Faults still armed, with their remaining count. */
  get faults(): ReadonlyArray<Readonly<Fault & { remaining: number }>> {
    return this.faultList.armed();
  }

  requests(route?: string): RequestLogEntry[] {
    return this.requestLog.of(route);
  }

  clearLog(): void {
    this.requestLog.clear();
  }

  /** Requests received since the server started (the log keeps only the latest ones). */
  get requestsReceived(): number {
    return this.seq;
  }

  /** Most requests in progress at once since the last resetPeakConcurrency() (proves client-side limits). */
  get peakConcurrency(): number {
    return this.peak;
  }

  resetPeakConcurrency(): void {
    this.peak = this.active;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      await this.answer(req, res);
    } finally {
      this.active--;
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seq = ++this.seq;
    let at: number;
    try {
      at = this.clock();
    } catch {
      at = Date.now();
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const { path, query } = parseTarget(target);

    const read = await readBody(req, this.maxBodyBytes).catch(() => null);
    if (read === null) return; // the client went away while sending
    const base = { seq, at, method, path, query, headers: req.headers };

    if (read.tooLarge) {
      const waitMs = this.delays.waitMs();
      this.requestLog.push({ ...base, route: 'unknown', body: undefined, authorized: null, status: 413, faulted: false, waitMs });
      await this.delays.sleep(waitMs);
      this.write(res, {
        status: 413,
        body: this.errorBody(413, `The request body is larger than ${this.maxBodyBytes} bytes.`),
        headers: { connection: 'close' },
      });
      return;
    }

    const parsed = parseBody(read.text, req.headers['content-type']);
    const simReq: SimRequest = { method, path, url: target, query, headers: req.headers, rawBody: read.text, ...parsed, at };

    let result: SimResult;
    try {
      result = await this.answerOrRecall(simReq);
    } catch {
      result = { status: 500, body: this.errorBody(500, 'An error has occurred.') };
    }
    const route = result.route ?? 'unknown';
    const fault = this.faultList.take(route);
    const answer: SimResponse = (fault === null ? null : faultAnswer(fault)) ?? result;
    const silent = fault !== null && (fault.hang === true || fault.destroy === true);
    const waitMs = fault?.hang ? 0 : this.delays.waitMs(fault?.delayMs ?? 0);
    this.requestLog.push({
      ...base,
      route,
      body: parsed.body,
      authorized: result.authorized ?? null,
      status: silent ? null : answer.status,
      faulted: fault !== null,
      waitMs,
    });

    if (fault?.hang) return; // never answer: close() or the client ends the socket
    await this.delays.sleep(waitMs);
    if (fault?.destroy) {
      req.socket.destroy();
      return;
    }
    if (fault?.dripMs) writeResponse(res, answer, () => this.clock(), fault.dripMs);
    else this.write(res, answer);
  }

  private async answerOrRecall(req: SimRequest): Promise<SimResult> {
    const memo = this.memo;
    if (!memo) return this.handler(req);
    return memo.recall(req, (r) => this.handler(r));
  }

  private write(res: ServerResponse, r: SimResponse): void {
    writeResponse(res, r, () => this.clock());
  }
}
