// How long a request's work goes on: until its answer is sent, its client goes away, its deadline
// (REQUEST_DEADLINE_MS) passes, or the gateway shuts down. Each request gets an AbortSignal that
// the loaders hand to the upstream calls; its reason (RequestAbandoned) says which of these ended
// it. The requests in flight are kept here, so that shutdown can wait for them and then end them.
import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { RequestAbandoned } from '../shared/abandoned.js';

export interface RequestLifetime {
  readonly signal: AbortSignal;
  /**
   * Keeps the work going after its own client has left, for others that wait for the same answer
   * (operation sharing); the returned function lets go. Deadlines and shutdown still end it.
   */
  hold(): () => void;
}

interface Tracked {
  controller: AbortController;
  holds: number;
  clientGone: boolean;
}

export class RequestsInFlight {
  private readonly live = new Set<Tracked>();
  private idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.live.size;
  }

  /** Starts tracking the request answered by `res`. */
  begin(res: ServerResponse, deadlineMs: number): RequestLifetime {
    const t: Tracked = { controller: new AbortController(), holds: 0, clientGone: false };
    // Every upstream call of the request listens to this signal: a dashboard makes dozens.
    setMaxListeners(0, t.controller.signal);
    const abort = (reason: RequestAbandoned) => {
      if (!t.controller.signal.aborted) t.controller.abort(reason);
    };
    const timer = setTimeout(() => abort(new RequestAbandoned('deadline', deadlineMs)), deadlineMs);
    this.live.add(t);
    res.once('close', () => {
      clearTimeout(timer);
      // 'close' before the answer was fully written: the client (or its connection) went away.
      if (!res.writableFinished) {
        t.clientGone = true;
        if (t.holds === 0) abort(new RequestAbandoned('client-gone'));
      }
      this.live.delete(t);
      if (this.live.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    return {
      signal: t.controller.signal,
      hold() {
        t.holds++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          t.holds--;
          if (t.holds === 0 && t.clientGone) abort(new RequestAbandoned('client-gone'));
        };
      },
    };
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
    for (const t of this.live) if (!t.controller.signal.aborted) t.controller.abort(reason);
  }
}
