// Faults and latency injected at run time: the armed faults, the answer a fault sends, and the waits before answers.
import { JSON_CONTENT_TYPE, type SimResponse } from './response.js';

export interface Fault {
  /** Route name to hit (as the handler names it); every route when absent. */
  route?: string;
  /** How many matching requests this fault hits; unlimited when absent. */
  times?: number;
  /** Answer this status instead of the handler's (500 when only body/contentType are given). */
  status?: number;
  /** Raw response body of the faulted answer ('' when absent). */
  body?: string;
  /** Content-Type of the faulted answer; JSON when the body parses as JSON, else text/plain. */
  contentType?: string;
  /** More headers of the faulted answer (a Retry-After). */
  headers?: Record<string, string>;
  /** Wait this long (real time) before answering; alone it delays the normal answer. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the server closes). */
  hang?: boolean;
  /** Drop the socket without an answer (after delayMs and latency). */
  destroy?: boolean;
  /** Send the answer's body in 20 parts, this many ms apart (its headers at once): a slow drip. */
  dripMs?: number;
}

/** A fault still armed, with how many more requests it hits. */
type ArmedFault = Fault & { remaining: number };

/** The armed faults: the first one whose route matches hits a request. */
export class FaultList {
  private list: ArmedFault[] = [];

  add(fault: Fault): void {
    const remaining = fault.times ?? Number.POSITIVE_INFINITY;
    if (!(remaining > 0)) return;
    this.list.push({ ...fault, remaining });
  }

  clear(): void {
    this.list = [];
  }

  /** Copies of the faults still armed, with their remaining count. */
  armed(): ReadonlyArray<Readonly<ArmedFault>> {
    return this.list.map((f) => ({ ...f }));
  }

  /** The fault that hits a request of this route, counted down (and disarmed at zero); null when none. */
  take(route: string): Fault | null {
    const i = this.list.findIndex((f) => f.route === undefined || f.route === route);
    if (i < 0) return null;
    const f = this.list[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.list.splice(i, 1);
    return f;
  }
}

/** The answer a fault sends instead of the handler's; null when it only delays, hangs or drops the socket. */
export function faultAnswer(fault: Fault): SimResponse | null {
  const replaces = fault.status !== undefined || fault.body !== undefined || fault.contentType !== undefined;
  if (!replaces) return null;
  const body = fault.body ?? '';
  return {
    status: fault.status ?? 500,
    rawBody: body,
    headers: {
      'content-type': fault.contentType ?? (looksLikeJson(body) ? JSON_CONTENT_TYPE : 'text/plain; charset=utf-8'),
      ...fault.headers,
    },
  };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Sleeper {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/** The latency added before every answer, and the real-time waits it and fault delays make. */
export class Delays {
  private latency = 0;
  private readonly sleepers = new Set<Sleeper>();

  get latencyMs(): number {
    return this.latency;
  }

  set latencyMs(ms: number) {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latencyMs must be a non-negative number, got ${ms}`);
    this.latency = ms;
  }

  /** The wait before an answer: `extraMs` (a fault's delay) plus the latency. */
  waitMs(extraMs = 0): number {
    return extraMs + this.latency;
  }

  /** Ends every wait now (the server is closing). */
  wakeAll(): void {
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.sleepers.clear();
  }

  /** Real-time wait; cut short (resolved) by wakeAll(). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const s: Sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(s);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(s);
    });
  }
}
