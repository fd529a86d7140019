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
 * `work`, or `abandoned(reason)` as soon as `signal` aborts: the caller stops waiting; the work
 * itself goes on (it may be shared, like a catalogue's load) and its outcome is dropped.
 */
export function until<T>(work: Promise<T>, signal: AbortSignal, abandoned: (reason: unknown) => Error): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abandoned(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const leave = () => reject(abandoned(signal.reason));
    signal.addEventListener('abort', leave, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(err);
      },
    );
  });
}
