// The coordinator of replicas that share a Redis (see coordinator.ts). Under the key prefix, per
// sensor: `live:lock:<id>` (the replica that polls, SET NX PX, renewed by each of its claims and
// deleted when it leaves), `live:slot:<id>` (the last slot polled, so that a replica taking over
// never polls a slot twice), `live:last:<id>` (the last value, for new subscribers) and the pub/sub
// channel `live:value:<id>`. SUBSCRIBE takes a connection of its own: the app's client is a
// duplicate's template and keeps answering commands.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Claim, Coordinator, LiveValue } from './coordinator.js';

/**
 * Holds or takes the lock when free or ours (renewing it), then marks the slot as polled unless it
 * was: 2 poll, 1 polled already, 0 another replica holds the lock. One script, so that a claim
 * and a slot mark are never split by another replica's.
 */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local polled = tonumber(redis.call('GET', KEYS[2]) or '-1')
if polled >= tonumber(ARGV[3]) then return 1 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return 2`;

/** Deletes the lock only if it is still ours (it may have expired and been taken meanwhile). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Longest wait for the subscriber connection to come up before a follow is said to have failed. */
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

const CLAIMS: Record<number, Claim> = { 0: 'follow', 1: 'polled', 2: 'poll' };

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

export class RedisCoordinator implements Coordinator {
  private subscriber: Redis | null = null;
  private readonly receivers = new Map<string, (value: LiveValue) => void>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** This replica's name in the locks. */
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {}

  private key(kind: 'lock' | 'slot' | 'last' | 'value', sensorId: string): string {
    return `${this.prefix}live:${kind}:${sensorId}`;
  }

  async claim(sensorId: string, slot: number, ttlMs: number): Promise<Claim> {
    const answer = await this.redis.eval(CLAIM, 2, this.key('lock', sensorId), this.key('slot', sensorId), this.replicaId, ttlMs, slot);
    return CLAIMS[Number(answer)] ?? 'follow';
  }

  async release(sensorId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key('lock', sensorId), this.replicaId);
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

  private connection(): Redis {
    if (!this.subscriber) {
      // Same server and options (no offline queue: a command fails at once while Redis is away);
      // ioredis subscribes its channels again after a reconnection.
      const sub = this.redis.duplicate();
      sub.on('error', (err: Error) => this.logger.debug('live values: Redis subscriber connection error', { error: err.message }));
      sub.on('message', (channel: string, text: string) => {
        const sensorId = channel.slice(this.key('value', '').length);
        const receive = this.receivers.get(sensorId);
        const value = receive ? parseValue(text, sensorId) : null;
        if (receive && value) receive(value);
      });
      sub.connect().catch(() => undefined); // its errors go to the listener above; follow() says when it cannot subscribe
      this.subscriber = sub;
    }
    return this.subscriber;
  }

  async follow(sensorId: string, receive: (value: LiveValue) => void): Promise<boolean> {
    const sub = this.connection();
    this.receivers.set(sensorId, receive);
    if (sub.status !== 'ready') await ready(sub, READY_WAIT_MS);
    await sub.subscribe(this.key('value', sensorId));
    return true;
  }

  async unfollow(sensorId: string): Promise<void> {
    this.receivers.delete(sensorId);
    if (this.subscriber?.status === 'ready') await this.subscriber.unsubscribe(this.key('value', sensorId));
  }

  async close(): Promise<void> {
    this.receivers.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
