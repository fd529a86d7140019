// Who polls a sensor, and how its values reach every replica. Each sensor's time is cut into slots
// of its poll interval (slot = floor(now / interval), the same on every replica); in each slot one
// replica polls, the one that holds the sensor's lock. The in-process coordinator is the whole
// story for one process (no REDIS_URL); the Redis one (redis-coordinator.ts) shares the lock, the
// slot last polled and the last value between replicas, and carries values over pub/sub; the
// resilient one falls back to in-process polling while Redis fails.
import type { Logger } from '../logger.js';

/** A sensor's latest value as subscribers get it. */
export interface LiveValue {
  sensorId: string;
  time: number;
  value: number | null;
  unit: string | null;
}

/** Whether `next` is news after `last`: a later time, or another value at the same time. */
export function isNewer(next: LiveValue, last: LiveValue | null): boolean {
  return last === null || next.time > last.time || (next.time === last.time && !Object.is(next.value, last.value));
}

/**
 * What the claim for a slot says: `poll` (this replica holds the lock and nobody polled this slot
 * yet: poll now), `polled` (it holds the lock, but the slot was polled already) or `follow`
 * (another replica holds it: its values arrive through `follow`).
 */
export type Claim = 'poll' | 'polled' | 'follow';

export interface Coordinator {
  /** Claims (or renews, for `ttlMs`) the right to poll `sensorId`, and in `slot` whether to poll. */
  claim(sensorId: string, slot: number, ttlMs: number): Promise<Claim>;
  /** Gives the lock up (the last local subscriber left): another replica takes over at its next slot. */
  release(sensorId: string): Promise<void>;
  /** Keeps `value` as the sensor's last one for `ttlMs`, and sends it to every replica when `announce`. */
  publish(value: LiveValue, ttlMs: number, announce: boolean): Promise<void>;
  /** The last value published for the sensor, if one is kept. */
  last(sensorId: string): Promise<LiveValue | null>;
  /** Receives the values published for the sensor from now on; false when it could not start (try again later). */
  follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean>;
  unfollow(sensorId: string): Promise<void>;
  close(): Promise<void>;
}

/** One process: it polls every sensor it has subscribers for, once per slot. */
export class LocalCoordinator implements Coordinator {
  private readonly slots = new Map<string, number>();
  private readonly values = new Map<string, { value: LiveValue; until: number }>();

  async claim(sensorId: string, slot: number): Promise<Claim> {
    if ((this.slots.get(sensorId) ?? -1) >= slot) return 'polled';
    this.slots.set(sensorId, slot);
    return 'poll';
  }

  async release(sensorId: string): Promise<void> {
    this.slots.delete(sensorId);
  }

  async publish(value: LiveValue, ttlMs: number): Promise<void> {
    this.values.set(value.sensorId, { value, until: Date.now() + ttlMs });
  }

  async last(sensorId: string): Promise<LiveValue | null> {
    const kept = this.values.get(sensorId);
    if (kept && kept.until < Date.now()) this.values.delete(sensorId);
    return kept && kept.until >= Date.now() ? kept.value : null;
  }

  // The hub hands its own values to its subscribers: in one process nothing travels.
  async follow(): Promise<boolean> {
    return true;
  }

  async unfollow(sensorId: string): Promise<void> {
    this.values.delete(sensorId);
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.values.clear();
  }
}

/** How long after a Redis failure the next command is tried (the others go to the local coordinator). */
const RETRY_AFTER_MS = 1000;

/**
 * Redis while it answers; in-process polling while it does not (each replica then polls its own
 * sensors: more upstream calls, no lost values), said once in a warning, and once when it is back.
 */
export class ResilientCoordinator implements Coordinator {
  private downSince: number | null = null;
  private retryAt = 0;

  constructor(
    private readonly primary: Coordinator,
    private readonly local: LocalCoordinator,
    private readonly logger: Logger,
  ) {}

  private async attempt<T>(op: string, primary: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.downSince !== null && Date.now() < this.retryAt) return fallback();
    try {
      const result = await primary();
      if (this.downSince !== null) {
        this.logger.info('live values: Redis answers again; polling is shared between the replicas again', {
          downForMs: Date.now() - this.downSince,
        });
        this.downSince = null;
      }
      return result;
    } catch (err) {
      if (this.downSince === null) {
        this.downSince = Date.now();
        this.logger.warn('live values: Redis does not answer; each replica polls its own subscribed sensors until it does', {
          op,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      return fallback();
    }
  }

  claim(sensorId: string, slot: number, ttlMs: number): Promise<Claim> {
    return this.attempt(
      'claim',
      () => this.primary.claim(sensorId, slot, ttlMs),
      () => this.local.claim(sensorId, slot),
    );
  }

  async release(sensorId: string): Promise<void> {
    await this.local.release(sensorId);
    await this.attempt(
      'release',
      () => this.primary.release(sensorId),
      async () => undefined,
    );
  }

  async publish(value: LiveValue, ttlMs: number, announce: boolean): Promise<void> {
    await this.local.publish(value, ttlMs);
    await this.attempt(
      'publish',
      () => this.primary.publish(value, ttlMs, announce),
      async () => undefined,
    );
  }

  last(sensorId: string): Promise<LiveValue | null> {
    return this.attempt(
      'last',
      () => this.primary.last(sensorId),
      () => this.local.last(sensorId),
    );
  }

  follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean> {
    return this.attempt(
      'follow',
      () => this.primary.follow(sensorId, receive),
      async () => false,
    );
  }

  async unfollow(sensorId: string): Promise<void> {
    await this.local.unfollow(sensorId);
    await this.attempt(
      'unfollow',
      () => this.primary.unfollow(sensorId),
      async () => undefined,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close().catch(() => undefined), this.local.close()]);
  }
}
