// `npm run bench:memory`: the most memory one request can take. Each case runs on a fresh gateway
// process (the bundle, as `npm start` runs it) over the simulators: one small query loads the
// catalogues, the peak resident memory is reset, then the case's request(s) run and the new peak
// (VmHWM) is read. The cases: the attacks of issue 12 (refused before anything runs) and the
// largest requests the default limits allow. BENCH_CASES: a comma list of case names (all by
// default); BENCH_HEAP_MB: the gateway's V8 heap limit (--max-old-space-size), to find the least it
// needs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { benchHeaders, gatewayArgs, gatewayEnv, healthy, peakRssMb, waitHealthy, type SimsInfo } from './proc.js';

const children: ChildProcess[] = [];
const YEAR = 365 * 86_400_000;
const NOW = Date.now();
const TEN_YEARS = `from: "${new Date(NOW - 10 * YEAR).toISOString()}", to: "${new Date(NOW).toISOString()}"`;

interface Case {
  name: string;
  what: string;
  queries: (ids: string[]) => string[];
}

const list = (ids: string[]) => ids.map((id) => `"${id}"`).join(', ');
const nest = (levels: number) => {
  let q = 'id';
  for (let i = 0; i < levels; i++) q = `location { sensors { ${q} } }`;
  return q;
};

const CASES: Case[] = [
  // The attacks measured in issue 12: each refused before anything runs.
  {
    name: 'crash',
    what: 'one sensor 30 times, ten years, points',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(Array(30).fill(ids[0]))}], ${TEN_YEARS}) { points { time value } } }`],
  },
  {
    name: '24-sensors',
    what: '24 distinct 10-minute sensors, ten years, points',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(ids.slice(0, 24))}], ${TEN_YEARS}) { points { time value } } }`],
  },
  {
    name: '100-sensors',
    what: '100 sensors, ten years, columns',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(ids.slice(0, 100))}], ${TEN_YEARS}) { timestamps values } }`],
  },
  { name: 'nesting', what: 'location → sensors 7 times (15 levels)', queries: (ids) => [`{ sensor(id: "${ids[0]}") { ${nest(7)} } }`] },
  {
    name: 'aliases',
    what: '5,000 aliases of upstreams',
    queries: () => [`{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: upstreams { name }`).join(' ')} }`],
  },
  // The largest requests the default limits let through.
  {
    name: 'points-1M',
    what: 'two sensors, ten years, points (1.05 M points: the second passes MAX_RESPONSE_POINTS)',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(ids.slice(0, 2))}], ${TEN_YEARS}) { points { time value } } }`],
  },
  {
    name: 'one-10y-all',
    what: 'one sensor, ten years, points + timestamps + values (1.05 M points)',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(ids.slice(0, 1))}], ${TEN_YEARS}) { points { time value } timestamps values } }`],
  },
  {
    name: 'read-1.6M',
    what: 'three sensors, ten years, count only (1.58 M points read, none written)',
    queries: (ids) => [`{ timeSeries(sensorIds: [${list(ids.slice(0, 3))}], ${TEN_YEARS}) { count } }`],
  },
  {
    name: 'tree',
    what: "every sensor with its location and the location's sensors (within MAX_QUERY_COST)",
    queries: () => [
      `{ sensors(first: 1000) { nodes { id name unit location { id name sensors { id name unit parameter { id name } } } } } }`,
    ],
  },
  {
    name: 'three-heavy',
    what: 'three different points-1M requests at once (MAX_POINTS_IN_FLIGHT lets one in at a time)',
    queries: (ids) =>
      [0, 2, 4].map((k) => `{ timeSeries(sensorIds: [${list(ids.slice(k, k + 2))}], ${TEN_YEARS}) { points { time value } } }`),
  },
  {
    name: 'ten-medium',
    what: 'ten different requests of one sensor over one year, points (52 k points each), at once',
    queries: (ids) =>
      ids
        .slice(0, 10)
        .map(
          (id) =>
            `{ timeSeries(sensorIds: ["${id}"], from: "${new Date(NOW - YEAR).toISOString()}", to: "${new Date(NOW).toISOString()}") { points { time value } } }`,
        ),
  },
];

async function post(url: string, query: string): Promise<{ status: number; bytes: number; code: string }> {
  const res = await fetch(url, { method: 'POST', headers: benchHeaders, body: JSON.stringify({ query }) });
  const text = await res.text();
  const m = /"code":"(\w+)"/.exec(text);
  return { status: res.status, bytes: text.length, code: m ? m[1]! : '' };
}

async function main(): Promise<void> {
  const only = process.env.BENCH_CASES?.split(',').map((s) => s.trim());
  const sims = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/sims.ts'], {
    env: { ...process.env, BENCH_LATENCY_MS: '0', BENCH_SIM_MEMO: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(sims);
  const info = JSON.parse(await new Promise<string>((r) => createInterface({ input: sims.stdout! }).once('line', r))) as SimsInfo;
  const heap = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_HEAP_MB}`] : [];
  const args = [...heap, ...gatewayArgs()];
  const rows: string[] = [];
  for (const c of CASES.filter((x) => !only || only.includes(x.name))) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const gw = spawn(process.execPath, args, {
      env: { ...process.env, ...gatewayEnv(info, 8), PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(gw);
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitHealthy(`http://127.0.0.1:${port}`);
    const catalog = await (
      await fetch(url, {
        method: 'POST',
        headers: benchHeaders,
        body: JSON.stringify({ query: '{ sensors(upstream: MEETNET, first: 1000) { nodes { id intervalMinutes } } }' }),
      })
    ).json();
    const ids = (catalog as { data: { sensors: { nodes: Array<{ id: string; intervalMinutes: number | null }> } } }).data.sensors.nodes
      .filter((s) => s.intervalMinutes === 10)
      .map((s) => s.id);
    const idle = peakRssMb(gw.pid!, true)!;
    const t0 = performance.now();
    const answers = await Promise.all(c.queries(ids).map((q) => post(url, q)));
    const ms = performance.now() - t0;
    const peak = peakRssMb(gw.pid!)!;
    const alive = gw.exitCode === null && (await healthy(`http://127.0.0.1:${port}`));
    const a = answers[0]!;
    rows.push(
      `| ${c.name} | ${c.what} | ${a.status}${a.code ? ` ${a.code}` : ''} | ${(a.bytes / 1e6).toFixed(1)} MB | ${(ms / 1000).toFixed(2)} s | ${idle} MB | ${peak} MB | ${alive ? 'yes' : 'NO'} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
    gw.kill('SIGKILL');
  }
  process.stdout.write(
    ['| case | request | answer | size | time | RSS before | peak RSS | alive |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n') +
      '\n',
  );
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
  });
