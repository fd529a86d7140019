// A service that may stop answering (Redis, for the shared caches), seen from its callers: the
// first call that fails marks it down and says so once; meanwhile one call every `retryMs` tries
// it again (the others go without at once), and the first that succeeds says it is back. A Redis
// that is frozen (every command waits out its timeout) then costs one timeout a second, not one
// per request, and an outage writes two log lines, not one per request.
export interface OutageOptions {
  /** How long calls go without the service after a failure before one tries it again. */
  retryMs: number;
  /** Told once when it stops answering. */
  down(err: unknown): void;
  /** Told once when it answers again, with how long it was down. */
  back(downMs: number): void;
  clock?: () => number;
}

export class Outage {
  private since: number | null = null;
  private retryAt = 0;

  constructor(private readonly o: OutageOptions) {}

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  /** Whether it failed and has not answered since. */
  get isDown(): boolean {
    return this.since !== null;
  }

  /** Whether to call it now: always while it answers; while down, the first caller of each `retryMs`. */
  attempt(): boolean {
    if (this.since === null) return true;
    const now = this.now();
    if (now < this.retryAt) return false;
    this.retryAt = now + this.o.retryMs;
    return true;
  }

  failed(err: unknown): void {
    const now = this.now();
    this.retryAt = now + this.o.retryMs;
    if (this.since !== null) return;
    this.since = now;
    this.o.down(err);
  }

  succeeded(): void {
    if (this.since === null) return;
    const downMs = this.now() - this.since;
    this.since = null;
    this.o.back(downMs);
  }
}
