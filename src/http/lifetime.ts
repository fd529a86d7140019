// How long a request's work goes on: until its answer is sent, its client goes away, its deadline
// (REQUEST_DEADLINE_MS) passes, or the gateway shuts down. Each request's lifetime tells the code
// that waits for upstreams when to stop, and gives the upstream calls an AbortSignal; its reason
// (RequestAbandoned) says which of these ended it. The requests in flight are kept here, so that shutdown can wait for them and then end them.
import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { RequestAbandoned, setDeadline, setRequestId, type Abandonment } from '../shared/abandoned.js';

export interface RequestLifetime extends Abandonment {
  /**
   * Keeps the work going after its own client has left, for others that wait for the same answer
   * (operation sharing); the returned function lets go. Deadlines and shutdown still end it.
   */
  hold(): () => void;
}

/**
 * One request's lifetime. Waits subscribe to a plain set, and the AbortSignal is made only when
 * something asks for it (an upstream call): a request answered from the caches makes none. Node's
 * EventTarget is slow enough (an AbortController, a listener added and removed) to cost a small
 * cached query a tenth of its CPU.
 */
class Lifetime implements RequestLifetime {
  reason: RequestAbandoned | undefined = undefined;
  holds = 0;
  clientGone = false;
  private readonly waiting = new Set<() => void>();
  private controller: AbortController | null = null;

  constructor(
    private readonly deadline: number,
    private readonly requestId: string,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      // Every upstream call of the request listens to this signal: a dashboard makes dozens.
      setMaxListeners(0, this.controller.signal);
      setDeadline(this.controller.signal, this.deadline);
      setRequestId(this.controller.signal, this.requestId);
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  onAbandon(leave: () => void): () => void {
    if (this.reason) {
      leave();
      return () => undefined;
    }
    this.waiting.add(leave);
    return () => void this.waiting.delete(leave);
  }

  abandon(reason: RequestAbandoned): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
    for (const leave of this.waiting) leave();
    this.waiting.clear();
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0 && this.clientGone) this.abandon(new RequestAbandoned('client-gone'));
    };
  }
}

export class RequestsInFlight {
  private readonly live = new Set<Lifetime>();
  private idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.live.size;
  }

  /** Starts tracking the request answered by `res`. */
  begin(res: ServerResponse, deadlineMs: number, requestId: string): RequestLifetime {
    const t = new Lifetime(Date.now() + deadlineMs, requestId);
    const timer = setTimeout(() => t.abandon(new RequestAbandoned('deadline', deadlineMs)), deadlineMs);
    this.live.add(t);
    res.once('close', () => {
      clearTimeout(timer);
      // 'close' before the answer was fully written: the client (or its connection) went away.
      if (!res.writableFinished) {
        t.clientGone = true;
        if (t.holds === 0) t.abandon(new RequestAbandoned('client-gone'));
      }
      this.live.delete(t);
      if (this.live.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    return t;
  }

  /** Resolves once no request is in flight, or after `ms`. */
  async settled(ms: number): Promise<void> {
    if (this.live.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends the work of every request in flight (they answer what they have). */
  abortAll(reason: RequestAbandoned): void {
    for (const t of this.live) t.abandon(reason);
  }
}
