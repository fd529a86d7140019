// `npm run bench`: the gateway against its limits. Starts the simulators (a fixed latency per
// upstream call), a real Redis, the gateway, a naive gateway (no batching, no caches), the floor
// (the upstream calls alone) and a bare Apollo Server, drives each workload over loopback (loadtest
// for a fixed rate, evenly spaced; autocannon as fast as it goes), and prints one table per workload. Settings: BENCH_LATENCY_MS (20),
// BENCH_DURATION_S (10), BENCH_WORKLOADS (comma list; all by default).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import * as loadtest from 'loadtest';
import {
  benchAuthorization,
  benchHeaders,
  clearRedisPrefixes,
  cpuMs,
  ensureRedis,
  freePort,
  gatewayArgs,
  gatewayEnv,
  peakRssMb,
  waitHealthy,
} from './proc.js';

const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const ONLY = process.env.BENCH_WORKLOADS?.split(',').map((s) => s.trim());
const FM_CONCURRENCY = 8;
const children: ChildProcess[] = [];

/** Starts `node --import tsx <script>` (the gateway as `npm start` runs it); resolves its first stdout line (JSON) or, for the gateway, when /healthz answers. */
async function start(script: string, env: Record<string, string>, waitUrl?: string): Promise<{ child: ChildProcess; info: any }> {
  // BENCH_PROFILE=<dir>: the gateway writes a V8 CPU profile there when it stops.
  const profile =
    process.env.BENCH_PROFILE && script === 'src/main.ts' && !env.UPSTREAM_BATCHING && !env.UPSTREAM_DEDUPLICATION
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
  const args = script === 'src/main.ts' ? gatewayArgs() : ['--import', 'tsx', script];
  const child = spawn(process.execPath, [...profile, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  if (waitUrl) {
    if (await waitHealthy(waitUrl)) return { child, info: { url: `${waitUrl}/graphql` } };
    throw new Error(`${script} did not start`);
  }
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

async function gql(url: string, query: string, variables?: unknown): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: benchHeaders,
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

interface Target {
  name: string;
  url: string;
  /** GraphQL body, or null for the floor (a plain GET). */
  body: string | null;
  pid?: () => number | undefined;
  /** Run after its measurement (the naive gateway is restarted: its backlog would weigh on the next). */
  after?: () => Promise<void>;
  /** A lighter load than the workload's, for a server that cannot sustain it (the naive gateway: one request at a time). */
  load?: Load;
}

interface Row {
  target: string;
  /** The offered load, when it differs from the workload's. */
  rate?: number;
  rps: number;
  p50: number;
  p99: number;
  calls: number | null;
  memMb: number | null;
  /** CPU the server process spent per answered request, in ms. */
  cpu: number | null;
  errors: number;
}

/** Waits until the simulators get no more calls (a backlog finishing), at most 60 s. */
async function settle(control: string): Promise<void> {
  let last = await counts(control);
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await counts(control);
    if (now === last) return;
    last = now;
  }
}

async function counts(control: string): Promise<number> {
  const c = (await (await fetch(control)).json()) as Record<string, number>;
  return Object.values(c).reduce((a, b) => a + b, 0);
}

// loadtest 8 returns a promise when given no callback; its bundled types still describe only the callback form.
const loadTest = loadtest.loadTest as unknown as (options: loadtest.LoadTestOptions) => Promise<loadtest.LoadTestResult>;

/**
 * One measurement's load: `rate` requests per second evenly spaced; or `connections` as fast as
 * they go; or, with `burstRate`, that many per second over `connections` sent the way autocannon's
 * rate limit sends them (see drive()).
 */
type Load =
  { rate: number; connections?: undefined; burstRate?: undefined } | { connections: number; burstRate?: number; rate?: undefined };

interface Driven {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * A fixed rate goes through loadtest: one timer sends a request every 1000 / rate ms whether or
 * not earlier ones have answered (an open loop, as wrk2 or k6's constant arrival rate). autocannon's
 * `overallRate` is not that: each connection sends its quota back to back at the start of every
 * second, so 100 req/s over 20 connections arrive as bursts of 20, and its coordinated-omission
 * correction records each answer of X ms also as X-1, X-2, ... 1 ms (an expected interval of
 * ceil(1 / rate) ms instead of 1000 / rate): a server answering in 45 ms showed a p50 of 24 ms.
 * As fast as it goes (no rate), autocannon's closed loop is the lighter client. Its bursts are kept
 * as a load of their own (`burstRate`), with raw latencies.
 */
async function drive(t: Target, load: Load, seconds: number): Promise<Driven> {
  const method = (t.body ? 'POST' : 'GET') as 'POST' | 'GET';
  if (load.rate !== undefined) {
    const r = await loadTest({
      url: t.url,
      method,
      ...(t.body ? { body: t.body, contentType: 'application/json' } : {}),
      headers: { authorization: benchAuthorization },
      requestsPerSecond: load.rate,
      maxSeconds: seconds,
      agentKeepAlive: true,
      timeout: 30_000,
      quiet: true,
    });
    // No answer within the time: loadtest gives `false` for its percentiles.
    const pct = (n: number) => (typeof r.percentiles[n] === 'number' ? r.percentiles[n] : Number.NaN);
    return { requests: r.totalRequests, rps: r.totalRequests / r.totalTimeSeconds, p50: pct(50), p99: pct(99), errors: r.totalErrors };
  }
  const r = await autocannon({
    url: t.url,
    method,
    headers: benchHeaders,
    body: t.body ?? undefined,
    connections: load.connections,
    ...(load.burstRate ? { overallRate: load.burstRate, ignoreCoordinatedOmission: true } : {}),
    duration: seconds,
    timeout: 30,
  });
  return {
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

async function measure(t: Target, load: Load, control: string): Promise<Row> {
  await drive(t, load, 2); // warm-up: JIT, connections, caches
  const before = await counts(control);
  const pid = t.pid?.();
  if (pid) peakRssMb(pid, true);
  const cpuBefore = pid ? cpuMs(pid) : null;
  const r = await drive(t, load, DURATION);
  const after = await counts(control);
  const done = r.requests || 1;
  const memMb = pid ? peakRssMb(pid) : null;
  const cpuAfter = pid ? cpuMs(pid) : null;
  if (t.after) await t.after();
  else await settle(control);
  return {
    target: !t.load
      ? t.name
      : t.load.rate !== undefined
        ? `${t.name} (at ${t.load.rate} req/s)`
        : `${t.name} (${t.load.connections === 1 ? 'one at a time' : `${t.load.connections} connections`})`,
    rps: Math.round(r.rps),
    p50: r.p50,
    p99: r.p99,
    calls: Math.round(((after - before) / done) * 100) / 100,
    memMb,
    cpu: cpuBefore !== null && cpuAfter !== null ? Math.round(((cpuAfter - cpuBefore) / done) * 100) / 100 : null,
    errors: r.errors,
  };
}

function table(title: string, rows: Row[], floor?: Row, naive?: Row): string {
  const ratio = (a: number, b?: number) => (b && Number.isFinite(a) ? (a / b).toFixed(2) : '–');
  const ms = (v: number) => (Number.isFinite(v) ? v : '–');
  const lines = [
    `### ${title}`,
    '',
    '| server | req/s | p50 ms | p99 ms | upstream calls/query | CPU ms/query | peak RSS MB | p50 ÷ floor | p99 ÷ floor | p50 ÷ naive | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.rps} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.calls ?? '–'} | ${r.cpu ?? '–'} | ${r.memMb ?? '–'} | ${ratio(r.p50, floor?.p50)} | ${ratio(r.p99, floor?.p99)} | ${ratio(r.p50, naive?.p50)} | ${r.errors} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const redisUrl = await ensureRedis((child) => children.push(child));
  await clearRedisPrefixes(redisUrl, ['bench-gw:', 'bench-gw1:', 'bench-naive:']);
  const sims = (await start('scripts/bench/sims.ts', { BENCH_LATENCY_MS: String(LATENCY) })).info;
  const upstreamEnv = { ...gatewayEnv(sims, FM_CONCURRENCY), REDIS_URL: redisUrl };
  const [gPort, nPort, uPort] = [await freePort(), await freePort(), await freePort()];
  const mainEnv = { ...upstreamEnv, PORT: String(gPort), REDIS_KEY_PREFIX: 'bench-gw:' };
  let gateway = await start('src/main.ts', mainEnv, `http://127.0.0.1:${gPort}`);
  // The same gateway sharing nothing across requests: no identical reads or executions joined, no
  // shared history cache (every year read whole from the upstream): what one request costs alone.
  const unsharedEnv = {
    ...upstreamEnv,
    PORT: String(uPort),
    REDIS_KEY_PREFIX: 'bench-gw1:',
    UPSTREAM_DEDUPLICATION: 'off',
    OPERATION_DEDUPLICATION: 'off',
    HISTORY_CACHE_TTL_S: '0',
  };
  let unshared = await start('src/main.ts', unsharedEnv, `http://127.0.0.1:${uPort}`);
  // A fresh gateway for each workload: its peak memory is then that workload's, not what the heap
  // grew to under the one before (V8 keeps a grown heap until a full collection).
  const restartGateways = async () => {
    for (const c of [gateway.child, unshared.child]) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    gateway = await start('src/main.ts', mainEnv, `http://127.0.0.1:${gPort}`);
    unshared = await start('src/main.ts', unsharedEnv, `http://127.0.0.1:${uPort}`);
  };
  const naiveEnv = {
    ...upstreamEnv,
    PORT: String(nPort),
    REDIS_KEY_PREFIX: 'bench-naive:',
    UPSTREAM_BATCHING: 'off',
    UPSTREAM_DEDUPLICATION: 'off',
    OPERATION_DEDUPLICATION: 'off',
    CATALOG_TTL_MS: '0',
    LATEST_TTL_MS: '0',
  };
  let naive = await start('src/main.ts', naiveEnv, `http://127.0.0.1:${nPort}`);
  const restartNaive = async () => {
    naive.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    naive = await start('src/main.ts', naiveEnv, `http://127.0.0.1:${nPort}`);
    await settle(sims.control);
  };
  const gUrl = gateway.info.url as string;
  const nUrl = naive.info.url as string;

  // The sensors of each workload, as the gateway lists them.
  const ids = (await gql(gUrl, '{ sensors(first: 1000) { nodes { id upstream unit intervalMinutes } } }')).data.sensors.nodes as Array<{
    id: string;
    upstream: string;
    unit: string | null;
    intervalMinutes: number | null;
  }>;
  const of = (u: string, n: number, live = true) =>
    ids
      .filter((s) => s.upstream === u && (!live || s.intervalMinutes !== null))
      .slice(0, n)
      .map((s) => s.id);
  const meetnet = of('MEETNET', 20);
  const fm = of('FLEXMEASURES', 10);
  const bem = of('BEMSERVER', 20);
  const native = (id: string) => id.split(':')[2]!;
  const frameIds = [...of('MEETNET', 30), ...fm, ...bem.slice(0, 10)];
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const day = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() };
  const year = { from: new Date(now - 365 * 86_400_000).toISOString(), to: new Date(now).toISOString() };
  const writeValues = Array.from({ length: 96 }, (_, i) => Math.round((0.005 + 0.01 * Math.abs(Math.sin(i / 7))) * 1e4) / 1e4);
  const writeStart = new Date(Math.floor((now - 2 * 86_400_000) / 86_400_000) * 86_400_000).toISOString();

  const floorWorkloads = {
    dashboard: {
      meetnet: { ids: meetnet.map(native), from: day.from, to: day.to, latest: true },
      flexmeasures: { ids: fm.map(native), start: day.from, duration: 'PT24H' },
      bemserver: { ids: bem.map(native), start: day.from, end: new Date(now + 1).toISOString() },
      write: null,
    },
    map: {
      meetnet: { ids: ids.filter((s) => s.upstream === 'MEETNET').map((s) => native(s.id)), from: '', to: '', latest: true },
      flexmeasures: {
        ids: ids.filter((s) => s.upstream === 'FLEXMEASURES').map((s) => `${native(s.id)}:${s.unit}`),
        start: day.from,
        duration: 'PT24H',
      },
      bemserver: {
        ids: ids.filter((s) => s.upstream === 'BEMSERVER').map((s) => native(s.id)),
        start: day.from,
        end: new Date(now + 1).toISOString(),
      },
      write: null,
    },
    // 50 sensors of the three upstreams, a day, for one frame.
    frame: {
      meetnet: { ids: frameIds.filter((id) => id.startsWith('meetnet:')).map(native), from: day.from, to: day.to, latest: false },
      flexmeasures: { ids: fm.map(native), start: day.from, duration: 'PT24H' },
      bemserver: { ids: bem.slice(0, 10).map(native), start: day.from, end: day.to },
      write: null,
    },
    exploration: {
      meetnet: { ids: ['MP7WVC'], from: year.from, to: year.to, latest: false },
      flexmeasures: null,
      bemserver: null,
      write: null,
    },
    write: {
      meetnet: null,
      flexmeasures: null,
      bemserver: null,
      write: {
        sensor: '5',
        body: {
          values: writeValues.map((v) => -v),
          start: writeStart,
          duration: 'PT24H',
          unit: 'MW',
          horizon: 'PT0H',
          type: 'PostMeterDataRequest',
        },
      },
    },
  };
  const floor = await start('scripts/bench/floor.ts', {
    BENCH_SETUP: JSON.stringify({ urls: sims.urls, account: sims.account, fmConcurrency: FM_CONCURRENCY }),
    BENCH_WORKLOADS: JSON.stringify(floorWorkloads),
  });
  const bare = await start('scripts/bench/bare-apollo.ts', {});

  const body = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
  const seriesArgs = (await gql(gUrl, '{ __type(name: "Sensor") { fields { name args { name } } } }')).data.__type.fields.find(
    (f: { name: string }) => f.name === 'series',
  )?.args as Array<{ name: string }> | undefined;
  const hasMaxPoints = seriesArgs?.some((a) => a.name === 'maxPoints') ?? false;
  if (!hasMaxPoints)
    process.stdout.write('Sensor.series has no maxPoints argument yet: the exploration-maxpoints workload is skipped.\n\n');
  const dashboardQuery = body(
    'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id latest { time value } } timestamps values } }',
    { ids: [...meetnet, ...fm, ...bem], ...day },
  );
  // The naive gateway on a workload's query, one request at a time (it cannot keep any workload's rate).
  const naiveOn = (b: string): Target => ({
    name: 'naive',
    url: nUrl,
    body: b,
    pid: () => naive.child.pid,
    after: restartNaive,
    load: { connections: 1 },
  });
  const mapQuery = body(
    '{ locations(first: 1000) { nodes { id name position { latitude longitude } sensors { id latest { time value } } } } }',
  );
  const yearQuery = (fields: string, args = '') =>
    body(`{ sensor(id: "meetnet:sensor:MP7WVC") { series(from: "${year.from}", to: "${year.to}"${args}) { count ${fields} } } }`);
  const writeQuery = body('mutation($input: MeterDataInput!) { writeMeterData(input: $input) { status valuesSent } }', {
    input: {
      connectionId: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.5',
      start: writeStart,
      values: writeValues.map((v) => -v),
    },
  });
  const frameQuery = body(
    'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { frame(sensorIds: $ids, from: $from, to: $to, bucket: { unit: HOUR }, fill: PREVIOUS) { timestamps columns { sensor { id } unit values } } }',
    { ids: frameIds, ...day },
  );
  const smallQuery = body('{ sensor(id: "meetnet:sensor:MP7WVC") { id unit latest { time value } } }');
  const workloads: Array<{ name: string; title: string; load: Load; targets: Target[] }> = [
    {
      name: 'dashboard',
      title: `Dashboard: ${meetnet.length} Meetnet + ${fm.length} FlexMeasures + ${bem.length} BEMServer sensors, 24 h at native resolution, with latest values (100 req/s, evenly spaced)`,
      load: { rate: 100 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/dashboard`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: dashboardQuery, pid: () => gateway.child.pid },
        { name: 'gateway, no deduplication', url: unshared.info.url, body: dashboardQuery, pid: () => unshared.child.pid },
        naiveOn(dashboardQuery),
      ],
    },
    {
      name: 'dashboard-bursts',
      title:
        'The dashboard at 100 req/s in bursts: 20 connections, each sending its 5 requests back to back at the start of every second (autocannon `overallRate`)',
      load: { connections: 20, burstRate: 100 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/dashboard`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: dashboardQuery, pid: () => gateway.child.pid },
        { name: 'gateway, no deduplication', url: unshared.info.url, body: dashboardQuery, pid: () => unshared.child.pid },
      ],
    },
    {
      name: 'map',
      title: 'Map: every location with the latest values of its sensors (20 req/s, evenly spaced)',
      load: { rate: 20 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/map`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: mapQuery, pid: () => gateway.child.pid },
        naiveOn(mapQuery),
      ],
    },
    {
      name: 'exploration',
      title: 'Exploration: one sensor (MP7WVC, 10-minute), one year, columnar `timestamps`/`values` (1 connection)',
      load: { connections: 1 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/exploration`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: yearQuery('timestamps values'), pid: () => gateway.child.pid },
        { name: 'gateway, nothing shared', url: unshared.info.url, body: yearQuery('timestamps values'), pid: () => unshared.child.pid },
        {
          name: 'bare Apollo (memory)',
          url: bare.info.url,
          body: body(`{ sensor(id: "x") { series(from: "a", to: "b") { count timestamps values } } }`),
          pid: () => bare.child.pid,
        },
        naiveOn(yearQuery('timestamps values')),
      ],
    },
    {
      name: 'exploration-points',
      title: 'Exploration: the same year as `points { time value }` (1 connection)',
      load: { connections: 1 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/exploration`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: yearQuery('points { time value }'), pid: () => gateway.child.pid },
        {
          name: 'bare Apollo (memory)',
          url: bare.info.url,
          body: body(`{ sensor(id: "x") { series(from: "a", to: "b") { count points { time value } } } }`),
          pid: () => bare.child.pid,
        },
        naiveOn(yearQuery('points { time value }')),
      ],
    },
    {
      name: 'frame',
      title:
        'Frame: 50 sensors of the three upstreams (30 Meetnet, 10 FlexMeasures, 10 BEMServer), a day in hourly buckets, on one axis (1 connection)',
      load: { connections: 1 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/frame`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: frameQuery, pid: () => gateway.child.pid },
        naiveOn(frameQuery),
      ],
    },
    // With maxPoints (a chart's width of points), once the schema has it; skipped before.
    ...(hasMaxPoints
      ? [
          {
            name: 'exploration-maxpoints',
            title: 'Exploration: the same year with `maxPoints: 1000`, columnar (1 connection)',
            load: { connections: 1 },
            targets: [
              { name: 'floor', url: `${floor.info.url}/exploration`, body: null, pid: () => floor.child.pid },
              { name: 'gateway', url: gUrl, body: yearQuery('timestamps values', ', maxPoints: 1000'), pid: () => gateway.child.pid },
              {
                name: 'gateway, nothing shared',
                url: unshared.info.url,
                body: yearQuery('timestamps values', ', maxPoints: 1000'),
                pid: () => unshared.child.pid,
              },
              naiveOn(yearQuery('timestamps values', ', maxPoints: 1000')),
            ] as Target[],
          },
        ]
      : []),
    {
      name: 'write',
      title: 'Write: 96 values of a FlexMeasures connection (20 req/s, evenly spaced)',
      load: { rate: 20 },
      targets: [
        { name: 'floor', url: `${floor.info.url}/write`, body: null, pid: () => floor.child.pid },
        { name: 'gateway', url: gUrl, body: writeQuery, pid: () => gateway.child.pid },
        naiveOn(writeQuery),
      ],
    },
    {
      name: 'small',
      title: "Small query from caches: one sensor's latest value (20 connections, as fast as it goes)",
      load: { connections: 20 },
      targets: [
        { name: 'gateway', url: gUrl, body: smallQuery, pid: () => gateway.child.pid },
        { name: 'bare Apollo (memory)', url: bare.info.url, body: smallQuery, pid: () => bare.child.pid },
        naiveOn(smallQuery),
      ],
    },
  ];

  const out: string[] = [
    `Run on ${new Date().toISOString().slice(0, 16)}Z: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; upstream latency ${LATENCY} ms per call; ${DURATION} s per measurement after a 2 s warm-up.`,
    '',
  ];
  process.stdout.write(`${out[0]}\n\n`);
  let first = true;
  for (const w of workloads) {
    if (ONLY && !ONLY.includes(w.name)) continue;
    if (!first) await restartGateways();
    first = false;
    for (const t of w.targets) {
      if (!t.body) continue;
      const check = await fetch(t.url, { method: 'POST', headers: benchHeaders, body: t.body }).then((r) => r.json() as Promise<any>);
      if (check.errors) throw new Error(`${w.name} on ${t.name}: ${JSON.stringify(check.errors).slice(0, 300)}`);
    }
    const rows: Row[] = [];
    for (const t of w.targets) rows.push(await measure(t, t.load ?? w.load, sims.control));
    const text = table(
      w.title,
      rows,
      rows.find((r) => r.target === 'floor'),
      rows.find((r) => r.target.startsWith('naive')),
    );
    out.push(text);
    process.stdout.write(`${text}\n`);
  }
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, out.join('\n'));
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
