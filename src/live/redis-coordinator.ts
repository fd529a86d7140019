// The coordinator of replicas that share a Redis (see coordinator.ts). Under the key prefix, per
// group of sensors (`<upstream>:<interval ms>`): `live:lock:<group>` (the replica that polls it,
// SET NX PX, renewed by each of its claims and deleted when it leaves), `live:slot:<group>` (the
// last slot polled, so that a replica taking over never polls a slot twice) and `live:watch:<group>`
// (a sorted set of `<replica>|<sensor>` by expiry: the sensors each replica has subscribers for,
// renewed at each slot); per sensor, `live:last:<sensor>` (its last value, for new subscribers) and
// the channel `live:value:<sensor>`; and `live:wake:<group>`, where a replica asks the poller for
// the first value of a sensor new to it. SUBSCRIBE takes a connection of its own, a duplicate of the
// app's client.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Coordinator, GroupClaim, LiveValue } from './coordinator.js';

/**
 * One round trip per group and slot: renews this replica's watched sensors and drops those whose
 * replica stopped renewing them, then holds or takes the lock when free or ours, and marks the
 * slot as polled unless it was: {2, every watched sensor} poll, {1} polled already, {0} another
 * replica holds the lock. Redis's own clock dates the watches, so that the replicas' clocks need
 * not agree.
 */
const CLAIM = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 4, #ARGV do redis.call('ZADD', KEYS[3], now + ttl, ARGV[1] .. '|' .. ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('PEXPIRE', KEYS[3], ttl)
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
local polled = tonumber(redis.call('GET', KEYS[2]) or '-1')
if polled >= tonumber(ARGV[3]) then return {1} end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ttl)
return {2, redis.call('ZRANGE', KEYS[3], 0, -1)}`;

/** Deletes the lock only if it is still ours (it may have expired and been taken meanwhile). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Longest wait for the subscriber connection to come up before a subscription is said to have failed. */
const READY_WAIT_MS = 2000;

/** Resolves when the connection is ready; rejects on its next error or after `ms`. */
function ready(connection: Redis, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      connection.off('ready', done).off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`the Redis subscriber connection is not ready after ${ms} ms`)), ms);
    connection.once('ready', done).once('error', done);
  });
}

/** A value as it travels: JSON, checked on the way in (a stray publish on the channel is dropped). */
function parseValue(text: string | null, sensorId: string): LiveValue | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<LiveValue>;
    if (v.sensorId !== sensorId || typeof v.time !== 'number') return null;
    return {
      sensorId,
      time: v.time,
      value: typeof v.value === 'number' ? v.value : null,
      unit: typeof v.unit === 'string' ? v.unit : null,
    };
  } catch {
    return null;
  }
}

function parseIds(text: string): string[] {
  try {
    const ids: unknown = JSON.parse(text);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export class RedisCoordinator implements Coordinator {
  private subscriber: Redis | null = null;
  /** What each subscribed channel's messages go to. */
  private readonly channels = new Map<string, (text: string) => void>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** This replica's name in the locks and watches. */
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {}

  private key(kind: 'lock' | 'slot' | 'watch' | 'last' | 'value' | 'wake', id: string): string {
    return `${this.prefix}live:${kind}:${id}`;
  }

  async claim(group: string, slot: number, ttlMs: number, local: readonly string[]): Promise<GroupClaim> {
    const keys = [this.key('lock', group), this.key('slot', group), this.key('watch', group)];
    const [answer, members] = (await this.redis.eval(CLAIM, keys.length, ...keys, this.replicaId, ttlMs, slot, ...local)) as [
      number,
      string[]?,
    ];
    if (answer === 2) {
      const sensorIds = new Set((members ?? []).map((m) => m.slice(m.indexOf('|') + 1)));
      return { claim: 'poll', sensorIds: [...sensorIds] };
    }
    return { claim: answer === 1 ? 'polled' : 'follow', sensorIds: [] };
  }

  async unwatch(group: string, sensorId: string): Promise<void> {
    await this.redis.zrem(this.key('watch', group), `${this.replicaId}|${sensorId}`);
  }

  async release(group: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key('lock', group), this.replicaId);
  }

  async publish(value: LiveValue, ttlMs: number, announce: boolean): Promise<void> {
    const text = JSON.stringify(value);
    const batch = this.redis.multi().set(this.key('last', value.sensorId), text, 'PX', ttlMs);
    if (announce) batch.publish(this.key('value', value.sensorId), text);
    const results = await batch.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('the publish transaction was discarded');
  }

  async last(sensorId: string): Promise<LiveValue | null> {
    return parseValue(await this.redis.get(this.key('last', sensorId)), sensorId);
  }

  follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean> {
    return this.subscribe(this.key('value', sensorId), (text) => {
      const value = parseValue(text, sensorId);
      if (value) receive(value);
    });
  }

  unfollow(sensorId: string): Promise<void> {
    return this.unsubscribe(this.key('value', sensorId));
  }

  async wake(group: string, sensorIds: readonly string[]): Promise<void> {
    await this.redis.publish(this.key('wake', group), JSON.stringify(sensorIds));
  }

  listen(group: string, onWake: (sensorIds: string[]) => void): Promise<boolean> {
    return this.subscribe(this.key('wake', group), (text) => onWake(parseIds(text)));
  }

  unlisten(group: string): Promise<void> {
    return this.unsubscribe(this.key('wake', group));
  }

  private connection(): Redis {
    if (!this.subscriber) {
      // Same server and options (no offline queue: a command fails at once while Redis is away);
      // ioredis subscribes its channels again after a reconnection.
      const sub = this.redis.duplicate();
      sub.on('error', (err: Error) => this.logger.debug('live values: Redis subscriber connection error', { error: err.message }));
      sub.on('message', (channel: string, text: string) => this.channels.get(channel)?.(text));
      sub.connect().catch(() => undefined); // its errors go to the listener above; subscribe() says when it cannot
      this.subscriber = sub;
    }
    return this.subscriber;
  }

  private async subscribe(channel: string, handle: (text: string) => void): Promise<boolean> {
    const sub = this.connection();
    this.channels.set(channel, handle);
    if (sub.status !== 'ready') await ready(sub, READY_WAIT_MS);
    await sub.subscribe(channel);
    return true;
  }

  private async unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel);
    if (this.subscriber?.status === 'ready') await this.subscriber.unsubscribe(channel);
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
