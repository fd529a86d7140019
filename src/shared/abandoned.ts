// Why a request's work was abandoned: the reason its AbortSignal carries to the upstream calls
// still in flight, so that their errors say what happened; and the error an upstream's part of the
// work gives then.
import { ErrorCode, GatewayError } from './errors.js';

export type AbandonReason = 'deadline' | 'client-gone' | 'shutdown';

export class RequestAbandoned extends Error {
  constructor(
    readonly why: AbandonReason,
    /** The deadline that passed, for `deadline`. */
    readonly deadlineMs?: number,
  ) {
    super(
      why === 'deadline'
        ? `the request's deadline of ${deadlineMs} ms passed (REQUEST_DEADLINE_MS)`
        : why === 'client-gone'
          ? 'the client went away'
          : 'the gateway is shutting down',
    );
    this.name = 'RequestAbandoned';
  }
}

/** UPSTREAM_UNAVAILABLE for `what` (an upstream's route, or its catalogue) given up for `reason` (a signal's). */
export function abandonedError(upstream: { name: string; label: string }, what: string, reason: unknown, cause?: unknown): GatewayError {
  const why = reason instanceof RequestAbandoned ? reason : null;
  return new GatewayError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `${upstream.label} ${what} was abandoned: ${why ? why.message : 'its request was cancelled'}`,
    {
      upstream: upstream.name,
      reason: why?.why === 'deadline' ? 'DEADLINE' : why?.why === 'shutdown' ? 'SHUTTING_DOWN' : 'ABORTED',
      cause: cause ?? reason,
    },
  );
}

/**
 * How long a request's work goes on, as the code that waits for upstreams sees it: abandoned (with
 * its reason) when its client leaves, its deadline passes or the gateway shuts down.
 */
export interface Abandonment {
  /** Why the work was abandoned; undefined while it goes on. */
  readonly reason: RequestAbandoned | undefined;
  /** Calls `leave` once abandoned (at once if it is); the returned function unsubscribes. */
  onAbandon(leave: () => void): () => void;
  /** The same as an AbortSignal, for what takes one (the HTTP client). */
  readonly signal: AbortSignal;
}

const deadlines = new WeakMap<AbortSignal, number>();
const requestIds = new WeakMap<AbortSignal, string>();

/**
 * Names the request a signal belongs to: the HTTP client writes it on the lines of the calls made
 * with it. (AsyncLocalStorage would carry it anywhere, but on Node 20 its promise hooks cost a
 * cached query a fifth of its CPU.)
 */
export function setRequestId(signal: AbortSignal, requestId: string): void {
  requestIds.set(signal, requestId);
}

/** The request a signal belongs to, if it says. */
export function requestIdOf(signal: AbortSignal | undefined): string | undefined {
  return signal ? requestIds.get(signal) : undefined;
}

/** Marks `signal` as aborting at `at` (epoch ms): the HTTP client starts no retry it could not finish by then. */
export function setDeadline(signal: AbortSignal, at: number): void {
  deadlines.set(signal, at);
}

/** When `signal` aborts for its request's deadline (epoch ms), if it says. */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return signal ? deadlines.get(signal) : undefined;
}

/** An Abandonment that follows an AbortSignal (a caller with a signal of its own). */
export function abandonmentOf(signal: AbortSignal): Abandonment {
  return {
    get reason() {
      return signal.aborted ? (signal.reason as RequestAbandoned) : undefined;
    },
    onAbandon(leave) {
      if (signal.aborted) {
        leave();
        return () => undefined;
      }
      signal.addEventListener('abort', leave, { once: true });
      return () => signal.removeEventListener('abort', leave);
    },
    signal,
  };
}

/**
 * `work`, or `abandoned(reason)` as soon as the work is abandoned: the caller stops waiting; the
 * work itself goes on (it may be shared, like a catalogue's load) and its outcome is dropped.
 */
export function until<T>(work: Promise<T>, lifetime: Abandonment, abandoned: (reason: unknown) => Error): Promise<T> {
  if (lifetime.reason) {
    work.catch(() => undefined);
    return Promise.reject(abandoned(lifetime.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const stop = lifetime.onAbandon(() => reject(abandoned(lifetime.reason)));
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}
