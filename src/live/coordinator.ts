// Who polls, and how values reach every replica. Sensors are polled in groups: those of one
// upstream with one poll interval, read together (one upstream call where the upstream takes many
// sensors). A group's time is cut into slots of its interval (slot = floor(now / interval), the same
// on every replica); in each slot one replica polls the group, the one that holds its lock, and it
// polls every sensor of the group that any replica has subscribers for. The in-process coordinator
// is the whole story for one process (no REDIS_URL); the Redis one (redis-coordinator.ts) shares
// the lock, the slot last polled, the sensors watched and the last values between replicas, and
// carries values over pub/sub; the resilient one polls in process while Redis fails.
import type { Logger } from '../logger.js';

/** A sensor's latest value as subscribers get it. */
export interface LiveValue {
  sensorId: string;
  time: number;
  value: number | null;
  unit: string | null;
}

/** Whether `next` is news after `last`: a later time, or another value at the same time. */
export function isNewer(next: LiveValue, last: LiveValue | null | undefined): boolean {
  return !last || next.time > last.time || (next.time === last.time && !Object.is(next.value, last.value));
}

/**
 * What the claim of a group's slot says: `poll` (this replica holds the group's lock and nobody
 * polled this slot yet: poll `sensorIds`, every sensor of the group a replica watches), `polled`
 * (it holds the lock; the slot was polled already) or `follow` (another replica polls the group).
 */
export interface GroupClaim {
  claim: 'poll' | 'polled' | 'follow';
  sensorIds: readonly string[];
}

export interface Coordinator {
  /**
   * Says which sensors of `group` this replica has subscribers for (`local`, for `ttlMs`) and
   * claims (or renews, for `ttlMs`) the right to poll the group, and in `slot` whether to poll.
   */
  claim(group: string, slot: number, ttlMs: number, local: readonly string[]): Promise<GroupClaim>;
  /** This replica has no subscriber for `sensorId` any more. */
  unwatch(group: string, sensorId: string): Promise<void>;
  /** Gives the group's lock up (its last local subscriber left): another replica polls it from its next slot. */
  release(group: string): Promise<void>;
  /** Keeps `value` as the sensor's last one for `ttlMs`, and sends it to every replica when `announce`. */
  publish(value: LiveValue, ttlMs: number, announce: boolean): Promise<void>;
  /** The last value published for the sensor, if one is kept. */
  last(sensorId: string): Promise<LiveValue | null>;
  /** Receives the values published for the sensor from now on; false when that could not start (try again later). */
  follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean>;
  unfollow(sensorId: string): Promise<void>;
  /** Asks the replica that polls `group` to read these sensors at once (new subscribers here have no value yet). */
  wake(group: string, sensorIds: readonly string[]): Promise<void>;
  /** Receives the asks of `wake` for `group` (this replica may be the one that polls it); false when that could not start. */
  listen(group: string, onWake: (sensorIds: string[]) => void): Promise<boolean>;
  unlisten(group: string): Promise<void>;
  close(): Promise<void>;
}

/** One process: it polls every group it has subscribers for, once per slot. */
export class LocalCoordinator implements Coordinator {
  private readonly slots = new Map<string, number>();
  private readonly values = new Map<string, { value: LiveValue; until: number }>();

  async claim(group: string, slot: number, _ttlMs: number, local: readonly string[]): Promise<GroupClaim> {
    if ((this.slots.get(group) ?? -1) >= slot) return { claim: 'polled', sensorIds: [] };
    this.slots.set(group, slot);
    return { claim: 'poll', sensorIds: local };
  }

  async release(group: string): Promise<void> {
    this.slots.delete(group);
  }

  async publish(value: LiveValue, ttlMs: number): Promise<void> {
    this.values.set(value.sensorId, { value, until: Date.now() + ttlMs });
  }

  async last(sensorId: string): Promise<LiveValue | null> {
    const kept = this.values.get(sensorId);
    if (!kept || kept.until >= Date.now()) return kept?.value ?? null;
    this.values.delete(sensorId);
    return null;
  }

  async unfollow(sensorId: string): Promise<void> {
    this.values.delete(sensorId);
  }

  // In one process nothing travels: the hub hands its own values to its subscribers, and it is
  // the one that polls every group.
  async follow(): Promise<boolean> {
    return true;
  }

  async listen(): Promise<boolean> {
    return true;
  }

  async unwatch(): Promise<void> {}

  async wake(): Promise<void> {}

  async unlisten(): Promise<void> {}

  async close(): Promise<void> {
    this.slots.clear();
    this.values.clear();
  }
}

/** How long after a Redis failure the next command is tried (the others go to the local coordinator). */
const RETRY_AFTER_MS = 1000;

/**
 * Redis while it answers; in-process polling while it does not (each replica then polls its own
 * subscribed sensors: more upstream calls, no lost values), said once in a warning, and once when
 * it is back.
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

  claim(group: string, slot: number, ttlMs: number, local: readonly string[]): Promise<GroupClaim> {
    return this.attempt(
      'claim',
      () => this.primary.claim(group, slot, ttlMs, local),
      () => this.local.claim(group, slot, ttlMs, local),
    );
  }

  async release(group: string): Promise<void> {
    await this.local.release(group);
    await this.attempt('release', () => this.primary.release(group), nothing);
  }

  async publish(value: LiveValue, ttlMs: number, announce: boolean): Promise<void> {
    await this.local.publish(value, ttlMs);
    await this.attempt('publish', () => this.primary.publish(value, ttlMs, announce), nothing);
  }

  last(sensorId: string): Promise<LiveValue | null> {
    return this.attempt(
      'last',
      () => this.primary.last(sensorId),
      () => this.local.last(sensorId),
    );
  }

  follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean> {
    return this.attempt('follow', () => this.primary.follow(sensorId, receive), refused);
  }

  async unfollow(sensorId: string): Promise<void> {
    await this.local.unfollow(sensorId);
    await this.attempt('unfollow', () => this.primary.unfollow(sensorId), nothing);
  }

  unwatch(group: string, sensorId: string): Promise<void> {
    return this.attempt('unwatch', () => this.primary.unwatch(group, sensorId), nothing);
  }

  wake(group: string, sensorIds: readonly string[]): Promise<void> {
    return this.attempt('wake', () => this.primary.wake(group, sensorIds), nothing);
  }

  listen(group: string, onWake: (sensorIds: string[]) => void): Promise<boolean> {
    return this.attempt('listen', () => this.primary.listen(group, onWake), refused);
  }

  unlisten(group: string): Promise<void> {
    return this.attempt('unlisten', () => this.primary.unlisten(group), nothing);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close().catch(() => undefined), this.local.close()]);
  }
}

const nothing = async (): Promise<void> => undefined;
const refused = async (): Promise<boolean> => false;
