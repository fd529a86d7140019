// `npm run bench:cpu`: what one query costs the gateway, without a load generator competing for the
// cores. Starts the simulators (computing every answer, no added latency unless BENCH_LATENCY_MS)
// and a gateway as `npm start` runs it, sends BENCH_N queries (BENCH_CONCURRENCY at a time) and
// prints the gateway's CPU per query (every thread: the main one and V8's collector and compiler
// threads), its peak RSS and the response size. The client sends BENCH_ACCEPT_ENCODING as
// accept-encoding (identity by default: nothing compressed; br or gzip to measure compression).
// BENCH_QUERY: dashboard (default), meetnet, flexmeasures, bemserver, year, points, maxpoints, small (one
// latest value, from the caches), or upstream-call (one upstream call through the HTTP
// client alone, see upstream-call.ts). BENCH_PROFILE=<dir>: a V8 CPU profile of the gateway.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { benchHeaders, gatewayArgs, gatewayEnv, peakRssMb, threadCpuMs, waitHealthy, type SimsInfo } from './proc.js';
import { measureUpstreamCall } from './upstream-call.js';

const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const QUERY = process.env.BENCH_QUERY ?? 'dashboard';
const children: ChildProcess[] = [];

/** What the answer weighs on the wire in each encoding the gateway makes (as src/http/compress.ts packs it). */
function packedKb(text: string): string {
  const br = brotliCompressSync(text, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }).length;
  return `br ${(br / 1024).toFixed(0)} KB, gzip ${(gzipSync(text).length / 1024).toFixed(0)} KB`;
}

async function main(): Promise<void> {
  if (QUERY === 'upstream-call') {
    process.stdout.write(await measureUpstreamCall(Number(process.env.BENCH_N ?? 3000)));
    return;
  }
  const sims = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/sims.ts'], {
    env: { ...process.env, BENCH_LATENCY_MS: process.env.BENCH_LATENCY_MS ?? '0', BENCH_SIM_MEMO: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(sims);
  const info = JSON.parse(await new Promise<string>((r) => createInterface({ input: sims.stdout! }).once('line', r))) as SimsInfo;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const gw = spawn(process.execPath, [...profile, ...gatewayArgs()], {
    env: { ...process.env, ...gatewayEnv(info, 8), PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(gw);
  const pid = gw.pid!;
  await waitHealthy(`http://127.0.0.1:${port}`);
  const url = `http://127.0.0.1:${port}/graphql`;
  const gql = async (query: string, variables?: unknown): Promise<{ text: string; json: any }> => {
    const text = await (
      await fetch(url, {
        method: 'POST',
        headers: { ...benchHeaders, 'accept-encoding': process.env.BENCH_ACCEPT_ENCODING ?? 'identity' },
        body: JSON.stringify({ query, variables }),
      })
    ).text();
    return { text, json: JSON.parse(text) };
  };

  const sensors = (await gql('{ sensors(first: 1000) { nodes { id upstream intervalMinutes } } }')).json.data.sensors.nodes as Array<{
    id: string;
    upstream: string;
    intervalMinutes: number | null;
  }>;
  const of = (u: string, n: number) =>
    sensors
      .filter((s) => s.upstream === u && s.intervalMinutes !== null)
      .slice(0, n)
      .map((s) => s.id);
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const day = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() };
  const year = { from: new Date(now - 365 * 86_400_000).toISOString(), to: day.to };
  const many =
    'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id latest { time value } } timestamps values } }';
  const one = (fields: string, args = '') =>
    `{ sensor(id: "meetnet:sensor:MP7WVC") { series(from: "${year.from}", to: "${year.to}"${args}) { count ${fields} } } }`;
  const queries: Record<string, [string, unknown]> = {
    dashboard: [many, { ids: [...of('MEETNET', 20), ...of('FLEXMEASURES', 10), ...of('BEMSERVER', 20)], ...day }],
    meetnet: [many, { ids: of('MEETNET', 20), ...day }],
    flexmeasures: [many, { ids: of('FLEXMEASURES', 10), ...day }],
    bemserver: [many, { ids: of('BEMSERVER', 20), ...day }],
    year: [one('timestamps values'), {}],
    points: [one('points { time value }'), {}],
    maxpoints: [one('timestamps values', ', maxPoints: 1000'), {}],
    small: ['{ sensor(id: "meetnet:sensor:MP7WVC") { id unit latest { time value } } }', {}],
  };
  const chosen = queries[QUERY];
  if (!chosen) throw new Error(`BENCH_QUERY must be one of ${Object.keys(queries).join(', ')}`);
  const [query, variables] = chosen;
  const first = await gql(query, variables);
  if (first.json.errors) throw new Error(JSON.stringify(first.json.errors).slice(0, 300));
  for (let i = 0; i < 20; i++) await gql(query, variables); // warm-up: JIT, caches, connections

  peakRssMb(pid, true); // a new peak from here
  const before = threadCpuMs(pid);
  const started = performance.now();
  let left = N;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await gql(query, variables);
    }),
  );
  const wall = performance.now() - started;
  const after = threadCpuMs(pid);
  const peak = peakRssMb(pid);
  let total = 0;
  for (const [t, ms] of after) total += ms - (before.get(t) ?? 0);
  const main = (after.get(String(pid))! - before.get(String(pid))!) / N;
  process.stdout.write(
    `${QUERY}: ${N} queries, ${CONCURRENCY} at a time, response ${(first.text.length / 1024).toFixed(0)} KB (${packedKb(first.text)})\n` +
      `  gateway CPU per query: ${(total / N).toFixed(2)} ms (main thread ${main.toFixed(2)} ms, other threads ${(total / N - main).toFixed(2)} ms)\n` +
      `  wall time per query: ${(wall / N).toFixed(2)} ms; peak RSS ${peak} MB\n`,
  );
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of children.reverse()) c.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1500)); // the gateway writes its CPU profile on SIGINT
  });
