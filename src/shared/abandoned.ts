// Why a request's work was abandoned: the reason its AbortSignal carries to the upstream calls
// still in flight, so that their errors say what happened.

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
