// What the benchmark scripts read off a running process (Linux /proc), and the environment that
// points a gateway at the benchmark simulators.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { newApiKey } from '../../src/access/api-keys.js';
import { variableOf } from '../../src/settings.js';
import { upstreamModules } from '../../src/upstreams/modules.js';

let built = false;

// The gateway runs as in production, with an API key file; every benchmark request carries the key,
// so the figures include checking it.
const benchKey = newApiKey('bench', ['read', 'write']);
const keysFile = join(tmpdir(), `gateway-bench-keys-${process.pid}.json`);
writeFileSync(keysFile, JSON.stringify([benchKey.entry]));

export const benchAuthorization = `Bearer ${benchKey.key}`;
/** Whether the server at `base` (http://127.0.0.1:PORT) answers /healthz now. */
export function healthy(base: string): Promise<boolean> {
  return fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
}

/** Waits up to 20 s for /healthz to answer; whether it did. */
export async function waitHealthy(base: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await healthy(base)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The headers of every benchmark request to a gateway. */
export const benchHeaders: Readonly<Record<string, string>> = { 'content-type': 'application/json', authorization: benchAuthorization };

/** Node's arguments to run the gateway as `npm start` does: the bundle `npm run build` writes (built once per run). */
export function gatewayArgs(): string[] {
  if (!built) {
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    built = true;
  }
  return ['--enable-source-maps', 'dist/main.js'];
}

/** CPU time (user + system) in ms from a /proc `stat` file (clock ticks of 10 ms); null if gone. */
function statCpuMs(path: string): number | null {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}

/** CPU time a process has used so far, all its threads, in ms. */
export function cpuMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** CPU time of each thread of a process so far, in ms, by thread id. */
export function threadCpuMs(pid: number): Map<string, number> {
  return new Map(readdirSync(`/proc/${pid}/task`).map((t) => [t, statCpuMs(`/proc/${pid}/task/${t}/stat`) ?? 0]));
}

/** Peak resident memory (VmHWM) of a process, in MB; `reset` starts a new peak (Linux clear_refs 5). */
export function peakRssMb(pid: number, reset = false): number | null {
  try {
    if (reset) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** What scripts/bench/sims.ts prints on start. */
export interface SimsInfo {
  /** By upstream name. */
  urls: Record<string, string>;
  account: { user: string; password: string };
  control: string;
}

/** A gateway's environment for the benchmark simulators (each module's variables), run as `npm start` runs it. */
export function gatewayEnv(sims: SimsInfo, fmConcurrency: number): Record<string, string> {
  const upstreams = upstreamModules.flatMap((m) => {
    const url = sims.urls[m.name];
    if (!url) return [];
    const { baseUrl, login, password } = m.settings;
    return [
      [variableOf(m.envPrefix, 'baseUrl', baseUrl), url],
      [variableOf(m.envPrefix, 'login', login), sims.account.user],
      [variableOf(m.envPrefix, 'password', password), sims.account.password],
    ];
  });
  return {
    ...Object.fromEntries(upstreams),
    FLEXMEASURES_CONCURRENCY: String(fmConcurrency),
    // The simulators set no rate limit; the real FlexMeasures' 500 per minute would hold back the
    // naive and no-deduplication gateways (hundreds of calls per second), not measure them.
    FLEXMEASURES_RATE_PER_MINUTE: '0',
    API_KEYS_FILE: keysFile,
    LOG_LEVEL: 'error',
    // As `npm start` runs it: graphql-js skips its development-only checks.
    NODE_ENV: 'production',
  };
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** REDIS_URL (127.0.0.1:6379 by default) if it answers, else a redis-server of its own (handed to `started`). */
export async function ensureRedis(started: (child: ChildProcess) => void): Promise<string> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const up = await probe.connect().then(
    () => probe.ping().then(() => true),
    () => false,
  );
  probe.disconnect();
  if (up) return url;
  const port = await freePort();
  started(spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 300));
  return `redis://127.0.0.1:${port}`;
}

/**
 * Deletes what an earlier run left under these key prefixes (its shared history cache above all):
 * every run starts cold, its warm-up filling the cache as a first viewer would.
 */
export async function clearRedisPrefixes(url: string, prefixes: readonly string[]): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  try {
    for (const prefix of prefixes) {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.del(...keys);
      }
    }
  } finally {
    redis.disconnect();
  }
}
