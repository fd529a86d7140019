// `npm run bench:subscribers`: what live subscribers cost. Two gateway processes (the bundle, as
// `npm start` runs it) share a Redis; BENCH_SUBSCRIBERS clients (200), half over graphql-ws and
// half over GraphQL over SSE, spread over both, each subscribe to three of ten Meetnet sensors. The
// Meetnet simulator runs here, its clock ten minutes (one new value) ahead per poll interval
// (BENCH_INTERVAL_MS, 1000), every call delayed BENCH_LATENCY_MS (20). Over BENCH_INTERVALS (10)
// intervals it prints the upstream polls per interval (the simulator's request log), the delivery
// latency from the publish on Redis (seen by a subscriber of this script's own) to each client's
// event, the gateways' CPU per delivery, and their memory per subscriber (heap used and RSS,
// before and after, the least of several samples). FlexMeasures and BEMServer run on the
// gateways' built-in simulators, unpolled.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createMeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { benchAuthorization, cpuMs, ensureRedis, freePort, gatewayArgs, gatewayEnv, waitHealthy } from './proc.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
const INTERVALS = Number(process.env.BENCH_INTERVALS ?? 10);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);
const SENSORS = ['MP7WVC', 'MP7WC3', 'MP0WVC', 'MP0WC3', 'MP7WRS', 'MP0WRS', 'MP7TLU', 'MP0TLU', 'MP7TZW', 'MP0LDR'].map(
  (id) => `meetnet:sensor:${id}`,
);
const NOW = Date.parse('2026-11-20T12:00:00Z');
const SPEED = (10 * 60_000) / INTERVAL_MS;
const QUERY = 'subscription ($ids: [ID!]!) { latestValues(sensorIds: $ids) { sensorId time value } }';

const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A gateway's heap used and RSS now, in bytes: the least of `samples` readings (a heap between collections holds garbage). */
async function memory(base: string, pid: number, samples = 20): Promise<{ heap: number; rss: number }> {
  let heap = Number.POSITIVE_INFINITY;
  let rss = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    const text = await (await fetch(`${base}/metrics`)).text();
    heap = Math.min(heap, Number(/^gateway_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN));
    rss = Math.min(rss, Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024);
    await sleep(150);
  }
  return { heap, rss };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const redisUrl = await ensureRedis((child) => children.push(child));
  const prefix = `bench-live-${process.pid}:`;
  const account = { user: 'bench@example.org', password: 'bench-password-0' };
  const t0 = Date.now();
  const sim = createMeetnetSimulator({
    username: account.user,
    password: account.password,
    latencyMs: LATENCY,
    clock: () => NOW + (Date.now() - t0) * SPEED,
    tokenLifetimeSeconds: 365 * 86_400, // its clock runs fast
  });
  const simUrl = await sim.listen();
  const env = {
    ...gatewayEnv({ urls: { meetnet: simUrl }, account, control: '' }, 8),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LIVE_POLL_INTERVAL_MS: String(INTERVAL_MS),
  };
  const gateways: Array<{ base: string; url: string; pid: number }> = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, gatewayArgs(), { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'inherit' });
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    if (!(await waitHealthy(base))) throw new Error('a gateway did not start');
    gateways.push({ base, url: `${base}/graphql`, pid: child.pid! });
  }
  // Warm: the catalogues loaded, a subscription made and left, before the first memory reading.
  for (const g of gateways)
    await fetch(g.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: benchAuthorization },
      body: '{"query":"{ sensors(upstream: MEETNET, first: 1) { nodes { id } } }"}',
    });
  const before = await Promise.all(gateways.map((g) => memory(g.base, g.pid)));

  // When each value was published, as a subscriber of the channels sees it.
  const published = new Map<string, number>();
  const watcher = new Redis(redisUrl);
  await watcher.psubscribe(`${prefix}live:value:*`);
  watcher.on('pmessage', (_pattern, _channel, text: string) => {
    const v = JSON.parse(text) as { sensorId: string; time: number };
    if (!published.has(`${v.sensorId}@${v.time}`)) published.set(`${v.sensorId}@${v.time}`, performance.now());
  });

  const received: Array<{ key: string; at: number }> = [];
  let initial = 0;
  const disposers: Array<() => unknown> = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const g = gateways[i % 2]!;
    const ids = [0, 1, 2].map((k) => SENSORS[(i + k * 3) % SENSORS.length]!);
    const ws = i % 4 < 2;
    const client = ws
      ? createWsClient({
          url: g.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          connectionParams: { authorization: benchAuthorization },
          retryAttempts: 0,
        })
      : createSseClient({ url: `${g.url}/stream`, headers: { authorization: benchAuthorization }, retryAttempts: 0 });
    disposers.push(() => client.dispose());
    const seen = new Set<string>();
    void (async () => {
      for await (const result of client.iterate({ query: QUERY, variables: { ids } })) {
        const e = (result.data as { latestValues?: { sensorId: string; time: string } } | null | undefined)?.latestValues;
        if (!e) continue;
        const first = !seen.has(e.sensorId);
        seen.add(e.sensorId);
        if (first && seen.size === ids.length) initial++;
        if (!first) received.push({ key: `${e.sensorId}@${Date.parse(e.time)}`, at: performance.now() });
      }
    })().catch((err: unknown) => process.stderr.write(`subscriber ${i}: ${String(err)}\n`));
  }
  const waitUntil = Date.now() + 60_000;
  while (initial < SUBSCRIBERS) {
    if (Date.now() > waitUntil) throw new Error(`after a minute, ${initial} of ${SUBSCRIBERS} subscribers have their current values`);
    await sleep(50);
  }
  process.stdout.write(`${SUBSCRIBERS} subscribers have their current values\n`);

  const firstSlot = Math.floor(Date.now() / INTERVAL_MS) + 1;
  while (Date.now() < firstSlot * INTERVAL_MS) await sleep(20);
  const cpuBefore = gateways.map((g) => cpuMs(g.pid) ?? NaN);
  const deliveredBefore = received.length;
  while (Date.now() < (firstSlot + INTERVALS) * INTERVAL_MS) await sleep(20);
  const cpuPerDelivery =
    (gateways.reduce((a, g, i) => a + (cpuMs(g.pid) ?? NaN) - cpuBefore[i]!, 0) / (received.length - deliveredBefore)) * 1000;
  await sleep(INTERVAL_MS / 2);
  const after = await Promise.all(gateways.map((g) => memory(g.base, g.pid)));

  const slotOf = (simAt: number) => Math.floor((t0 + (simAt - NOW) / SPEED) / INTERVAL_MS);
  const polls = sim.requests('currentData').map((r) => ({ slot: slotOf(r.at), ids: (r.body as { IDs: string[] }).IDs.length }));
  const perSlot = Array.from({ length: INTERVALS }, (_, i) => polls.filter((p) => p.slot === firstSlot + i));
  const latencies = received
    .flatMap((r) => {
      const sent = published.get(r.key);
      return sent === undefined ? [] : [r.at - sent];
    })
    .sort((a, b) => a - b);
  const sum = (list: Array<{ heap: number; rss: number }>, k: 'heap' | 'rss') => list.reduce((a, m) => a + m[k], 0);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const lines = [
    '',
    `| subscribers | transports | replicas | intervals | upstream polls per interval (min–max) | sensors per poll | deliveries | latency p50 | p95 | p99 | max | gateway CPU per delivery | heap per subscriber | RSS per subscriber |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
    `| ${SUBSCRIBERS} | ${SUBSCRIBERS / 2} graphql-ws + ${SUBSCRIBERS / 2} SSE | 2 | ${INTERVALS} × ${INTERVAL_MS} ms | ${Math.min(...perSlot.map((p) => p.length))}–${Math.max(...perSlot.map((p) => p.length))} | ${Math.max(...polls.map((p) => p.ids))} | ${latencies.length} | ${percentile(latencies, 50).toFixed(1)} ms | ${percentile(latencies, 95).toFixed(1)} ms | ${percentile(latencies, 99).toFixed(1)} ms | ${(latencies.at(-1) ?? NaN).toFixed(1)} ms | ${cpuPerDelivery.toFixed(0)} µs | ${kb((sum(after, 'heap') - sum(before, 'heap')) / SUBSCRIBERS)} | ${kb((sum(after, 'rss') - sum(before, 'rss')) / SUBSCRIBERS)} |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));

  for (const d of disposers) await Promise.resolve(d()).catch(() => undefined);
  watcher.disconnect();
  await sim.close();
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
