// What the upstream layer reports as it works, for metrics: each call (its route, its outcome, its
// time), each read that joined another in flight, each token event. The layer knows no metrics
// library; the app hands it an observer (src/metrics.ts) or none.
export interface UpstreamObserver {
  /** One call, its retries included: `outcome` is the HTTP status, or the reason it got none (TIMEOUT, CIRCUIT_OPEN…). */
  call(upstream: string, route: string, outcome: string, seconds: number): void;
  /** A read that shared a call already in flight instead of making its own. */
  deduplicated(upstream: string, route: string): void;
  /** A service-account token event. */
  token(upstream: string, event: 'login' | 'refresh' | 'login-refused' | 'login-held-back'): void;
  /** The keys a request's loader sent to its upstream at once. */
  batch(upstream: string, loader: string, size: number): void;
  /** Look-ups in the shared latest-value cache: found, and sent on to the upstream. */
  latestCache(upstream: string, hits: number, misses: number): void;
  /** Final series windows looked up in the shared Redis cache: found, missed (read from the upstream), or Redis failed. */
  historyLookup(upstream: string, result: 'hit' | 'miss' | 'error', count: number): void;
  /** Answers stored in the shared Redis cache, too large to store (HISTORY_CACHE_MAX_BYTES), or failed to store. */
  historyStore(upstream: string, result: 'stored' | 'too_large' | 'error' | 'forgotten', count: number): void;
}

export const noObserver: UpstreamObserver = {
  call: () => undefined,
  deduplicated: () => undefined,
  token: () => undefined,
  batch: () => undefined,
  latestCache: () => undefined,
  historyLookup: () => undefined,
  historyStore: () => undefined,
};
