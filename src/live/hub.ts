// Live latest values for every subscription of this process. A sensor is watched while at least
// one subscriber here wants it: at each start of its slot (its poll interval on the wall clock,
// the same grid on every replica) this replica claims it; the replica holding its lock polls it
// once for everyone, keeps the value and publishes it; the others receive it (coordinator.ts).
// A new subscriber gets the value known here at once; the first one here gets the last value
// published, else the poll this replica just claimed, else one read of its own.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import type { Sensor } from '../shared/domain.js';
import type { UpstreamObserver } from '../upstreams/observer.js';
import type { UpstreamRegistry } from '../upstreams/registry.js';
import type { Redis } from 'ioredis';
import { isNewer, LocalCoordinator, ResilientCoordinator, type Claim, type Coordinator, type LiveValue } from './coordinator.js';
import { RedisCoordinator } from './redis-coordinator.js';
import { LatestReader } from './reader.js';

const MINUTE_MS = 60_000;
/** Sensors measured more often than this are still polled at most once a minute (unless LIVE_POLL_INTERVAL_MS says otherwise). */
const MIN_SENSOR_POLL_MS = MINUTE_MS;
/** A sensor not measured at present (no interval) is polled this often, in case it starts again. */
const UNMEASURED_POLL_MS = 10 * MINUTE_MS;

/** How often `sensor` is polled: LIVE_POLL_INTERVAL_MS when set, else its own interval (at least a minute). */
export function pollIntervalMs(sensor: Pick<Sensor, 'intervalMinutes'>, overrideMs: number): number {
  if (overrideMs > 0) return overrideMs;
  return Math.max(sensor.intervalMinutes ? sensor.intervalMinutes * MINUTE_MS : UNMEASURED_POLL_MS, MIN_SENSOR_POLL_MS);
}

/**
 * The lock outlives one interval by half of one (and a second): renewed at each slot, it stays
 * with its replica through a late timer, and expires soon after a replica that died without
 * releasing it. The last value is kept three intervals for new subscribers.
 */
const lockTtlMs = (intervalMs: number) => Math.round(intervalMs * 1.5) + 1000;
const lastTtlMs = (intervalMs: number) => intervalMs * 3 + 1000;
/**
 * How long the first subscriber of a replica that does not poll waits for the poller's first
 * value, before it reads one of its own: the poller claimed the sensor a moment ago and is reading it.
 */
const FIRST_VALUE_WAIT_MS = 2000;

type Listener = (value: LiveValue) => void;

/** One watched sensor. */
class Watched {
  readonly listeners = new Set<Listener>();
  last: LiveValue | null = null;
  /** This replica holds the sensor's lock (it releases it when the last subscriber leaves). */
  holder = false;
  followed = false;
  ended = false;
  timer: NodeJS.Timeout | null = null;
  /** Wakes `firstValue`'s wait. */
  arrived: () => void = () => undefined;

  /** Resolves when a value arrives (or the watch ends), or after `ms`. */
  firstValue(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.arrived(), ms);
      this.arrived = () => {
        clearTimeout(timer);
        this.arrived = () => undefined;
        resolve();
      };
    });
  }

  constructor(
    readonly sensor: Sensor,
    readonly intervalMs: number,
  ) {}
}

export interface LiveHubOptions {
  registry: UpstreamRegistry;
  coordinator: Coordinator;
  logger: Logger;
  /** LIVE_POLL_INTERVAL_MS: 0 for each sensor's own interval. */
  pollIntervalMs: number;
  observer?: UpstreamObserver;
}

export class LiveHub {
  /** This replica's name in the Redis locks. */
  static readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly watched = new Map<string, Watched>();
  private readonly stopping = new AbortController();
  private readonly reader: LatestReader;
  private readonly logger: Logger;
  private readonly failing = new Map<string, number>();
  /** Watches giving their lock up: the hub stops once they have (Redis closes after it). */
  private readonly ending = new Set<Promise<void>>();

  constructor(private readonly options: LiveHubOptions) {
    this.logger = options.logger;
    // Every poll's upstream calls listen to it: dozens at once.
    setMaxListeners(0, this.stopping.signal);
    this.reader = new LatestReader(options.registry, this.stopping.signal, options.observer);
  }

  /** How many sensors this replica watches, and for how many subscribers in all (metrics, benchmarks). */
  get size(): { sensors: number; listeners: number } {
    let listeners = 0;
    for (const w of this.watched.values()) listeners += w.listeners.size;
    return { sensors: this.watched.size, listeners };
  }

  /**
   * Calls `listener` with the sensor's current value (at once when known here, else as soon as it
   * is) and then with each new one, until the function returned is called.
   */
  watch(sensor: Sensor, listener: Listener): () => void {
    if (this.stopping.signal.aborted) return () => undefined;
    let w = this.watched.get(sensor.id);
    if (!w) {
      w = new Watched(sensor, pollIntervalMs(sensor, this.options.pollIntervalMs));
      this.watched.set(sensor.id, w);
      w.listeners.add(listener);
      void this.begin(w);
    } else {
      w.listeners.add(listener);
      if (w.last) listener(w.last);
    }
    const watched = w;
    return () => {
      if (watched.listeners.delete(listener) && watched.listeners.size === 0) void this.end(watched);
    };
  }

  /** Stops every watch and gives up every lock (the gateway is stopping: its subscriptions are closed). */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const w of this.watched.values()) void this.end(w);
    // Those whose last subscriber left just before (the transports closed) are ending too.
    await Promise.all(this.ending);
    await this.options.coordinator.close();
  }

  private async begin(w: Watched): Promise<void> {
    try {
      // Following first: a value published between the read of the last one and the subscription is not missed.
      await this.follow(w);
      const last = await this.options.coordinator.last(w.sensor.id);
      if (last) this.receive(w, last);
      const claim = await this.claim(w);
      // Another replica polls it: its first value is on its way (it polls as soon as it claims).
      if (claim === 'follow' && w.followed && !w.last) await w.firstValue(FIRST_VALUE_WAIT_MS);
      if (claim !== 'poll' && !w.last && !w.ended) await this.poll(w, false);
    } catch (err) {
      this.logger.warn('live values: could not start watching a sensor', { sensor: w.sensor.id, error: err });
    }
    this.schedule(w);
  }

  private schedule(w: Watched): void {
    if (w.ended) return;
    const now = Date.now();
    // A millisecond past the slot's start: the timer's callback finds itself in the new slot.
    const wait = (Math.floor(now / w.intervalMs) + 1) * w.intervalMs - now + 1;
    w.timer = setTimeout(() => {
      w.timer = null;
      void this.tick(w).finally(() => this.schedule(w));
    }, wait);
  }

  private async tick(w: Watched): Promise<void> {
    try {
      if (!w.followed) await this.follow(w);
      await this.claim(w);
    } catch (err) {
      this.logger.warn('live values: a poll failed', { sensor: w.sensor.id, error: err });
    }
  }

  private async follow(w: Watched): Promise<void> {
    w.followed = await this.options.coordinator.follow(w.sensor.id, (value) => this.receive(w, value));
  }

  /** Claims the current slot; polls when it is this replica's to poll. */
  private async claim(w: Watched): Promise<Claim> {
    const slot = Math.floor(Date.now() / w.intervalMs);
    const claim = await this.options.coordinator.claim(w.sensor.id, slot, lockTtlMs(w.intervalMs));
    w.holder = claim !== 'follow';
    if (w.ended) {
      // The last subscriber left while the claim was on its way.
      if (w.holder) await this.options.coordinator.release(w.sensor.id);
      return claim;
    }
    if (claim === 'poll') await this.poll(w, true);
    return claim;
  }

  /** Reads the sensor's latest value; the poller keeps and publishes it, a follower's own read stays here. */
  private async poll(w: Watched, publish: boolean): Promise<void> {
    let read;
    try {
      read = await this.reader.read(w.sensor);
    } catch (err) {
      this.failed(w, err);
      return;
    }
    this.failing.delete(w.sensor.upstream);
    if (!read) return; // no value at present: nothing to send
    const value: LiveValue = { sensorId: w.sensor.id, time: read.time, value: read.value, unit: w.sensor.unit };
    if (publish) await this.options.coordinator.publish(value, lastTtlMs(w.intervalMs), isNewer(value, w.last));
    this.receive(w, value);
  }

  /** An upstream that fails is said once until it answers again (a poll a minute would say it every minute). */
  private failed(w: Watched, err: unknown): void {
    if (this.stopping.signal.aborted) return;
    const upstream = w.sensor.upstream;
    if (!this.failing.has(upstream)) {
      this.logger.warn('live values: the upstream did not answer a poll; its subscribers get its next value', {
        upstream,
        sensor: w.sensor.id,
        error: err,
      });
    }
    this.failing.set(upstream, Date.now());
  }

  private receive(w: Watched, value: LiveValue): void {
    if (!isNewer(value, w.last)) return;
    w.last = value;
    w.arrived();
    for (const listener of w.listeners) {
      try {
        listener(value);
      } catch (err) {
        this.logger.error('live values: a subscriber failed to take a value', { sensor: w.sensor.id, error: err });
      }
    }
  }

  private end(w: Watched): Promise<void> {
    if (w.ended) return Promise.resolve();
    w.ended = true;
    w.arrived();
    if (w.timer) clearTimeout(w.timer);
    if (this.watched.get(w.sensor.id) === w) this.watched.delete(w.sensor.id);
    const coordinator = this.options.coordinator;
    const ending = Promise.all([
      w.holder ? coordinator.release(w.sensor.id) : undefined,
      w.followed ? coordinator.unfollow(w.sensor.id) : undefined,
    ]).then(
      () => undefined,
      // The lock expires by itself: another replica takes over a little later.
      (err: unknown) => this.logger.debug('live values: could not release a sensor', { sensor: w.sensor.id, error: err }),
    );
    this.ending.add(ending);
    void ending.finally(() => this.ending.delete(ending));
    return ending;
  }
}

/** The hub of this process: shared with the replicas through Redis when there is one, else on its own. */
export function createLiveHub(o: Omit<LiveHubOptions, 'coordinator'> & { redis: Redis | null; redisKeyPrefix: string }): LiveHub {
  const local = new LocalCoordinator();
  const coordinator = o.redis
    ? new ResilientCoordinator(new RedisCoordinator(o.redis, o.redisKeyPrefix, LiveHub.replicaId, o.logger), local, o.logger)
    : local;
  return new LiveHub({ ...o, coordinator });
}
