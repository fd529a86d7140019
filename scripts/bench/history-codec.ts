// `npx tsx scripts/bench/history-codec.ts`: what a year of 10-minute data (52 560 points) costs the
// shared history cache (src/upstreams/history-cache.ts): encode and decode time and bytes of the
// binary codec the cache uses (series-codec.ts), beside a JSON of the two columns, for a regular
// series with nulls (FlexMeasures' shape), one with 1 % of its points left out (Meetnet's and
// BEMServer's Raw), and one on an irregular clock. With BENCH_REDIS_URL (or a Redis at
// 127.0.0.1:6379), also one SET and one MGET of the encoded year, as the cache sends them.
import { Redis } from 'ioredis';
import { decodeSeries, encodeSeries } from '../../src/upstreams/series-codec.js';
import type { SeriesResult } from '../../src/upstreams/series.js';

const N = 52_560;
const STEP = 600_000;
const START = Date.UTC(2024, 0, 1);
const RUNS = Number(process.env.BENCH_N ?? 60);

function series(kind: 'regular' | 'gaps' | 'irregular'): SeriesResult {
  const times: number[] = [];
  const values: (number | null)[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < N; i++) {
    // A deterministic pseudo-random draw per point: the same data on every run.
    const r = Math.abs(Math.sin(i * 12.9898) * 43_758.5453) % 1;
    if (kind === 'gaps' && r < 0.01) continue;
    const t = kind === 'irregular' ? START + i * STEP + Math.floor(r * 997) / 3 : START + i * STEP;
    const v = kind === 'regular' && r < 0.01 ? null : Math.round((10 + 5 * Math.sin(i / 144) + r) * 100) / 100;
    times.push(t);
    values.push(v);
    if (v !== null) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return { times, values, min, max };
}

/** Median ms of `RUNS` runs, after a few to warm the JIT. */
function time(f: () => unknown): number {
  for (let i = 0; i < 5; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

const rows: string[] = ['| series | codec | bytes | encode ms | decode ms |', '|---|---|---|---|---|'];
for (const kind of ['regular', 'gaps', 'irregular'] as const) {
  const s = series(kind);
  const bin = encodeSeries(s);
  const json = JSON.stringify({ t: s.times, v: s.values, min: s.min, max: s.max });
  const back = decodeSeries(bin)!;
  if (
    back.times.length !== s.times.length ||
    back.values.some((v, i) => v !== s.values[i]) ||
    back.times.some((t, i) => t !== s.times[i])
  ) {
    throw new Error(`the ${kind} series did not come back as it was`);
  }
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  rows.push(
    `| ${kind} (${s.times.length} points) | binary | ${kb(bin.length)} | ${time(() => encodeSeries(s)).toFixed(2)} | ${time(() => decodeSeries(bin)).toFixed(2)} |`,
    `| | JSON | ${kb(Buffer.byteLength(json))} | ${time(() => Buffer.from(JSON.stringify({ t: s.times, v: s.values, min: s.min, max: s.max }))).toFixed(2)} | ${time(() => JSON.parse(json)).toFixed(2)} |`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);

const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0 });
redis.on('error', () => undefined);
try {
  await redis.connect();
  const key = `bench-history-codec:${process.pid}`;
  const bin = encodeSeries(series('gaps'));
  const setMs: number[] = [];
  const getMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    await redis.set(key, bin, 'EX', 60);
    setMs.push(performance.now() - t);
    t = performance.now();
    const [got] = await redis.mgetBuffer(key);
    getMs.push(performance.now() - t);
    if (!got || decodeSeries(got) === null) throw new Error('the stored year did not come back');
  }
  await redis.del(key);
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
  process.stdout.write(
    `\nRedis on loopback, the year with gaps (${(bin.length / 1024).toFixed(0)} KiB): SET ${median(setMs)} ms, MGET ${median(getMs)} ms\n`,
  );
} catch (err) {
  process.stdout.write(`\n(no Redis: ${(err as Error).message})\n`);
} finally {
  redis.disconnect();
}
