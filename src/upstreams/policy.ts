// How much the gateway asks of one upstream, across every request: at most `maxConcurrent` calls
// at once (one slow upstream holds its own slots, never the others'), at most `ratePerMinute`
// attempts in any rolling minute (queued, not failed: FlexMeasures refuses more than 500 per minute
// per user by default), and a circuit breaker that fails fast while the upstream is down and lets
// one trial call through after `breakerOpenMs` to probe it back. p-queue does the concurrency and
// the sliding-window rate; opossum the breaker.
import CircuitBreaker from 'opossum';
import PQueue from 'p-queue';
import type { Logger } from '../logger.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';

export interface PolicySettings {
  maxConcurrent: number;
  /** 0: no limit. */
  ratePerMinute: number;
  /** The share of failed calls, over the last 10 s, that opens the breaker. */
  breakerErrorPercent: number;
  /** Calls in those 10 s before the share counts. */
  breakerMinCalls: number;
  /** How long the breaker stays open before a trial call. */
  breakerOpenMs: number;
  /** The rate limit's window (a minute; tests shorten it). */
  rateWindowMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A call's outcome the breaker counts as a failure although the call itself answered (a 5xx). */
class FailedAnswer<T> extends Error {
  constructor(readonly value: T) {
    super('the upstream answered with a failure');
  }
}

export class UpstreamPolicy {
  private readonly slots: PQueue;
  private readonly rate: PQueue | null;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private lastSuccess: number | null = null;
  private lastFailure: number | null = null;

  constructor(
    private readonly upstream: { name: string; label: string },
    readonly settings: PolicySettings,
    logger: Logger,
  ) {
    this.slots = new PQueue({ concurrency: settings.maxConcurrent });
    this.rate =
      settings.ratePerMinute > 0
        ? new PQueue({
            concurrency: Infinity,
            intervalCap: settings.ratePerMinute,
            interval: settings.rateWindowMs ?? 60_000,
            strict: true,
          })
        : null;
    this.breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: false, // the HTTP client's own timeout applies
      errorThresholdPercentage: settings.breakerErrorPercent,
      volumeThreshold: settings.breakerMinCalls,
      resetTimeout: settings.breakerOpenMs,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      // Only the upstream's own failures count: a refusal of this call (4xx, a refused login) or a
      // call its request abandoned says nothing of whether the upstream is up.
      errorFilter: (err: unknown) => !(err instanceof FailedAnswer) && !(err instanceof GatewayError && isUpstreamFailure(err)),
    });
    this.breaker.on('open', () =>
      logger.warn('upstream failing: calls held back', { upstream: upstream.name, forMs: settings.breakerOpenMs }),
    );
    this.breaker.on('halfOpen', () => logger.info('upstream breaker half-open: one trial call', { upstream: upstream.name }));
    this.breaker.on('close', () => logger.info('upstream answering again: breaker closed', { upstream: upstream.name }));
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** When a call last succeeded and last failed (epoch ms), for readiness. */
  get history(): { lastSuccess: number | null; lastFailure: number | null } {
    return { lastSuccess: this.lastSuccess, lastFailure: this.lastFailure };
  }

  /** Calls waiting for a slot, running, and (of those running) attempts waiting for the rate limit. */
  get load(): { queued: number; running: number; rateLimited: number } {
    return { queued: this.slots.size, running: this.slots.pending, rateLimited: this.rate?.size ?? 0 };
  }

  /**
   * Runs one call (its retries included) in a slot and through the breaker. `failed` says whether
   * an answer that came back is a failure of the upstream (a 5xx); it is still returned.
   */
  async run<T>(work: () => Promise<T>, failed: (value: T) => boolean, signal?: AbortSignal): Promise<T> {
    if (this.breaker.opened) throw this.openError();
    const attempt = async (): Promise<T> => {
      const value = await work();
      if (failed(value)) throw new FailedAnswer(value);
      return value;
    };
    try {
      const value = (await this.slots.add(() => this.breaker.fire(attempt), signal ? { signal } : {})) as T;
      this.lastSuccess = Date.now();
      return value;
    } catch (err) {
      if (err instanceof FailedAnswer) {
        this.lastFailure = Date.now();
        return err.value as T;
      }
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw this.openError();
      if (err instanceof GatewayError && isUpstreamFailure(err)) this.lastFailure = Date.now();
      throw err;
    }
  }

  /** Waits for room under the rate limit before one attempt (a retry is an attempt too). */
  async attempt(signal?: AbortSignal): Promise<void> {
    if (this.rate) await this.rate.add(() => undefined, signal ? { signal } : {});
  }

  private openError(): GatewayError {
    const seconds = Math.ceil(this.settings.breakerOpenMs / 1000);
    return new GatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `${this.upstream.label} is failing: the gateway holds its calls back for up to ${seconds} s, then tries again`,
      { upstream: this.upstream.name, reason: 'CIRCUIT_OPEN', retryAfterSeconds: seconds },
    );
  }
}

/** Whether an error says the upstream is down or failing (not a refusal of this call, nor an abandoned one). */
function isUpstreamFailure(err: GatewayError): boolean {
  const reason = err.details.reason;
  return err.code === ErrorCode.UPSTREAM_UNAVAILABLE && reason !== 'DEADLINE' && reason !== 'ABORTED' && reason !== 'SHUTTING_DOWN';
}
