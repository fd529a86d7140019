// `BENCH_QUERY=upstream-call npm run bench:cpu`: the CPU one upstream call costs the gateway's HTTP
// client, alone. A plain node:http server in a child process answers a small JSON body (no
// latency); this process sends BENCH_N calls (3,000) one at a time through UpstreamHttp, as an
// upstream read does (token header, JSON parse), and prints its own CPU per call, all threads.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { UpstreamHttp, type RouteCall } from '../../src/upstreams/http-client.js';

const BODY = JSON.stringify({ values: Array.from({ length: 96 }, (_, i) => i / 4) });

if (process.env.BENCH_UPSTREAM_SERVER === '1') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
}

export async function measureUpstreamCall(n: number): Promise<string> {
  const child = fork(new URL(import.meta.url).pathname, {
    env: { ...process.env, BENCH_UPSTREAM_SERVER: '1' },
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  try {
    const logger = createLogger({ level: 'error', secrets: new SecretRegistry(), write: () => {} });
    const http = new UpstreamHttp({
      upstream: 'bench',
      label: 'Bench',
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 5000,
      retries: 2,
      logger,
    });
    const auth = { getToken: async () => 'bench-token', invalidate: async () => {}, header: (t: string) => `Bearer ${t}` };
    const call = (i: number): RouteCall => ({ route: 'read', method: 'GET', path: '/data', searchParams: { i }, idempotent: true, auth });
    const parse = (b: unknown) => (b as { values: number[] }).values.length;
    for (let i = 0; i < 500; i++) await http.json(call(i), parse); // warm-up: JIT, sockets
    const before = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < n; i++) await http.json(call(i), parse);
    const cpu = process.cpuUsage(before);
    const wall = performance.now() - started;
    return (
      `upstream-call: ${n} calls, one at a time, ${BODY.length} B JSON answers\n` +
      `  gateway CPU per call: ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms (user ${(cpu.user / 1000 / n).toFixed(3)}, system ${(cpu.system / 1000 / n).toFixed(3)})\n` +
      `  wall time per call: ${(wall / n).toFixed(3)} ms\n`
    );
  } finally {
    child.kill();
  }
}
