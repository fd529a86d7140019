// Live latest values for every subscription of this process. A sensor is watched while at least
// one subscriber here wants it, in the group of its upstream and poll interval. At each start of
// the group's slot (its interval on the wall clock, the same grid on every replica) this replica
// says which sensors it watches and claims the group; the replica holding the group's lock polls
// every sensor any replica watches, in one batched read, keeps the values and publishes them; the
// others receive them (coordinator.ts). A new subscriber gets the value known here at once; the
// first one here gets the last value published, else the poller's read of it (asked for at once),
// else, when none comes, one read of this replica's own.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Sensor } from '../shared/domain.js';
import type { UpstreamObserver } from '../upstreams/observer.js';
import type { UpstreamRegistry } from '../upstreams/registry.js';
import { isNewer, LocalCoordinator, ResilientCoordinator, type Coordinator, type LiveValue } from './coordinator.js';
import { LatestReader } from './reader.js';
import { RedisCoordinator } from './redis-coordinator.js';

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
 * The lock and the watches outlive one interval by half of one (and a second): renewed at each
 * slot, they stay through a late timer, and expire soon after a replica that died without giving
 * them up. The last value is kept three intervals for new subscribers.
 */
const leaseMs = (intervalMs: number) => Math.round(intervalMs * 1.5) + 1000;
const lastTtlMs = (intervalMs: number) => intervalMs * 3 + 1000;
/**
 * How long the first subscriber of a sensor here waits for the poller (another replica) to read
 * it when asked, before reading it itself.
 */
const FIRST_VALUE_WAIT_MS = 2000;

type Listener = (value: LiveValue) => void;

/** One sensor with subscribers here. */
class Watched {
  readonly listeners = new Set<Listener>();
  last: LiveValue | null = null;
  followed = false;
  ended = false;
  /** Wakes `firstValue`'s wait. */
  arrived: () => void = () => undefined;

  constructor(
    readonly sensor: Sensor,
    readonly group: Group,
  ) {}

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
}

/** The watched sensors of one upstream and poll interval: polled together. */
class Group {
  readonly sensors = new Map<string, Watched>();
  /** This replica holds the group's lock (it releases it when its last subscriber leaves). */
  holder = false;
  listening = false;
  ended = false;
  timer: NodeJS.Timeout | null = null;
  /** Its first claim: a sensor joining the group waits for it, to know whether this replica polls. */
  started: Promise<void> | null = null;
  /** What this replica published last for each sensor it polled: a value is announced when it changed. */
  readonly published = new Map<string, LiveValue>();

  constructor(
    readonly key: string,
    readonly upstream: string,
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
  /** This replica's name in the Redis locks and watches. */
  static readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly watched = new Map<string, Watched>();
  private readonly groups = new Map<string, Group>();
  private readonly stopping = new AbortController();
  private readonly reader: LatestReader;
  private readonly logger: Logger;
  private readonly coordinator: Coordinator;
  /** Upstreams whose last poll failed, said once until one answers. */
  private readonly failing = new Set<string>();
  /** Watches and groups giving their lock up: the hub stops once they have (Redis closes after it). */
  private readonly ending = new Set<Promise<void>>();

  constructor(private readonly options: LiveHubOptions) {
    this.logger = options.logger;
    this.coordinator = options.coordinator;
    // Every poll's upstream calls listen to it: dozens at once.
    setMaxListeners(0, this.stopping.signal);
    this.reader = new LatestReader(options.registry, this.stopping.signal, options.observer);
  }

  /**
   * How many sensors this replica watches, for how many subscribers in all, and how many claims and
   * reads are on their way (a poll may still arrive at the upstream after its last subscriber left)
   * (tests, benchmarks).
   */
  get size(): { sensors: number; listeners: number; busy: number } {
    let listeners = 0;
    for (const w of this.watched.values()) listeners += w.listeners.size;
    return { sensors: this.watched.size, listeners, busy: this.busy };
  }

  /** Values handed to subscribers since the start (metrics). */
  get delivered(): number {
    return this.deliveries;
  }

  private busy = 0;
  private deliveries = 0;

  /** Counts `work` in `size.busy` while it runs. */
  private async counting<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
    }
  }

  /**
   * Calls `listener` with the sensor's current value (at once when known here, else as soon as it
   * is) and then with each new one, until the function returned is called.
   */
  watch(sensor: Sensor, listener: Listener): () => void {
    if (this.stopping.signal.aborted) return () => undefined;
    let w = this.watched.get(sensor.id);
    if (w) {
      w.listeners.add(listener);
      if (w.last) listener(w.last);
    } else {
      const intervalMs = pollIntervalMs(sensor, this.options.pollIntervalMs);
      const key = `${sensor.upstream}:${intervalMs}`;
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = new Group(key, sensor.upstream, intervalMs)));
      w = new Watched(sensor, group);
      this.watched.set(sensor.id, w);
      group.sensors.set(sensor.id, w);
      w.listeners.add(listener);
      void this.begin(w);
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
    await this.coordinator.close();
  }

  private async begin(w: Watched): Promise<void> {
    const g = w.group;
    try {
      // Following first: a value published between the read of the last one and the subscription is not missed.
      w.followed = await this.coordinator.follow(w.sensor.id, (value) => this.receive(w, value));
      const last = await this.coordinator.last(w.sensor.id);
      if (last) this.receive(w, last);
      // The group's first sensor here claims it at once (and polls it, if it is this replica's to
      // poll); the others wait for that claim, which may have read them too.
      g.started ??= this.startGroup(g);
      await g.started;
      if (w.last || w.ended) return;
      if (g.holder) {
        await this.poll(g, [w.sensor.id]);
      } else if (g.listening && w.followed) {
        await this.coordinator.wake(g.key, [w.sensor.id]);
        await w.firstValue(FIRST_VALUE_WAIT_MS);
      }
      if (!w.last && !w.ended) await this.read(w);
    } catch (err) {
      this.logger.warn('live values: could not start watching a sensor', { sensor: w.sensor.id, error: err });
    }
  }

  private async startGroup(g: Group): Promise<void> {
    try {
      g.listening = await this.coordinator.listen(g.key, (ids) => this.woken(g, ids));
      await this.claim(g);
    } catch (err) {
      this.logger.warn('live values: a poll failed', { group: g.key, error: err });
    }
    this.schedule(g);
  }

  private schedule(g: Group): void {
    if (g.ended) return;
    const now = Date.now();
    // A millisecond past the slot's start: the timer's callback finds itself in the new slot.
    const wait = (Math.floor(now / g.intervalMs) + 1) * g.intervalMs - now + 1;
    g.timer = setTimeout(() => {
      g.timer = null;
      void this.tick(g).finally(() => this.schedule(g));
    }, wait);
  }

  private async tick(g: Group): Promise<void> {
    try {
      if (!g.listening) g.listening = await this.coordinator.listen(g.key, (ids) => this.woken(g, ids));
      for (const w of g.sensors.values()) {
        if (!w.followed) w.followed = await this.coordinator.follow(w.sensor.id, (value) => this.receive(w, value));
      }
      await this.claim(g);
    } catch (err) {
      this.logger.warn('live values: a poll failed', { group: g.key, error: err });
    }
  }

  /** Says what this replica watches, claims the current slot, and polls the group when it is this replica's to poll. */
  private claim(g: Group): Promise<void> {
    return this.counting(() => this.claimed(g));
  }

  private async claimed(g: Group): Promise<void> {
    const slot = Math.floor(Date.now() / g.intervalMs);
    const { claim, sensorIds } = await this.coordinator.claim(g.key, slot, leaseMs(g.intervalMs), [...g.sensors.keys()]);
    g.holder = claim !== 'follow';
    if (g.ended) {
      // The last subscriber left while the claim was on its way.
      if (g.holder) await this.coordinator.release(g.key);
    } else if (claim === 'poll') {
      await this.poll(g, sensorIds);
      const polled = new Set(sensorIds);
      for (const id of g.published.keys()) if (!polled.has(id)) g.published.delete(id);
    }
  }

  /** The poller is asked for sensors new to another replica. */
  private woken(g: Group, ids: string[]): void {
    if (g.holder && !g.ended && ids.length > 0) void this.poll(g, ids);
  }

  /** Reads these sensors of the group (any replica's) together, keeps and publishes their values, and hands out those watched here. */
  private poll(g: Group, ids: readonly string[]): Promise<void> {
    return this.counting(() => this.polled(g, ids));
  }

  private async polled(g: Group, ids: readonly string[]): Promise<void> {
    const upstream = this.options.registry.get(g.upstream);
    await Promise.all(
      ids.map(async (id) => {
        const sensor = g.sensors.get(id)?.sensor ?? (await upstream.sensor(id).catch(() => null));
        if (!sensor) return; // not in the catalogue (any more)
        const read = await this.reader.read(sensor).catch((err: unknown) => this.failed(g.upstream, err));
        if (!read) return; // no value at present: nothing to send
        const value: LiveValue = { sensorId: id, time: read.time, value: read.value, unit: sensor.unit };
        const announce = isNewer(value, g.published.get(id));
        g.published.set(id, value);
        await this.coordinator.publish(value, lastTtlMs(g.intervalMs), announce);
        const w = g.sensors.get(id);
        if (w) this.receive(w, value);
      }),
    );
  }

  /** A read of this replica's own, for its subscribers only (no poller answered). */
  private async read(w: Watched): Promise<void> {
    const read = await this.counting(() => this.reader.read(w.sensor)).catch((err: unknown) => this.failed(w.sensor.upstream, err));
    if (read) this.receive(w, { sensorId: w.sensor.id, time: read.time, value: read.value, unit: w.sensor.unit });
  }

  /** An upstream that fails is said once until it answers again (a poll a minute would say it every minute). */
  private failed(upstream: string, err: unknown): null {
    if (!this.stopping.signal.aborted && !this.failing.has(upstream)) {
      this.failing.add(upstream);
      this.logger.warn('live values: the upstream did not answer a poll; its subscribers get its next value', { upstream, error: err });
    }
    return null;
  }

  private receive(w: Watched, value: LiveValue): void {
    this.failing.delete(w.sensor.upstream);
    if (!isNewer(value, w.last)) return;
    w.last = value;
    w.arrived();
    for (const listener of w.listeners) {
      try {
        listener(value);
        this.deliveries++;
      } catch (err) {
        this.logger.error('live values: a subscriber failed to take a value', { sensor: w.sensor.id, error: err });
      }
    }
  }

  /** The last subscriber here left: the sensor is no longer watched here, nor its group if it was the last. */
  private end(w: Watched): Promise<void> {
    if (w.ended) return Promise.resolve();
    w.ended = true;
    w.arrived();
    const g = w.group;
    this.watched.delete(w.sensor.id);
    g.sensors.delete(w.sensor.id);
    const groupEnds = g.sensors.size === 0 && !g.ended;
    if (groupEnds) {
      g.ended = true;
      if (g.timer) clearTimeout(g.timer);
      if (this.groups.get(g.key) === g) this.groups.delete(g.key);
    }
    const c = this.coordinator;
    const ending = Promise.all([
      w.followed ? c.unfollow(w.sensor.id) : undefined,
      c.unwatch(g.key, w.sensor.id),
      groupEnds && g.holder ? c.release(g.key) : undefined,
      groupEnds && g.listening ? c.unlisten(g.key) : undefined,
    ]).then(
      () => undefined,
      // The lock and the watch expire by themselves: another replica takes over a little later.
      (err: unknown) => this.logger.debug('live values: could not give a sensor up', { sensor: w.sensor.id, error: err }),
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
