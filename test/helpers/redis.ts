// A private redis-server on a free port, for tests that stop Redis mid-run (the shared one at
// 127.0.0.1:6379 must stay up for everyone else).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { until } from './until.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh Redis key prefix, so that tests never see each other's tokens. */
export const uniquePrefix = (): string => `gw-test-${randomBytes(6).toString('hex')}:`;

/**
 * The key was written with a TTL of `ttlMs` after `writtenAfter` (a Date.now()): what remains is at
 * most that, and less by no more than the time gone since, however long that was (Redis runs on
 * this machine's clock).
 */
export async function expectTtl(redis: Redis, key: string, ttlMs: number, writtenAfter: number): Promise<void> {
  const ttl = await redis.pttl(key);
  expect(ttl).toBeLessThanOrEqual(ttlMs);
  expect(ttl).toBeGreaterThanOrEqual(ttlMs - (Date.now() - writtenAfter));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and answers nothing. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = c;
    let gone = false;
    c.once('exit', () => (gone = true)).once('error', () => (gone = true));
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server is up: expected
    const answers = async () => {
      try {
        await probe.connect();
        await probe.ping();
        return true;
      } catch {
        probe.disconnect(); // ready for the next try
        return false;
      }
    };
    // Until it answers or exits, however long it takes.
    await until(async () => gone || (await answers()));
    probe.disconnect();
    if (gone) throw new Error(`private redis-server on port ${port} exited before it answered (is the redis-server program installed?)`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
}
