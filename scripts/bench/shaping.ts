// `npx tsx scripts/bench/shaping.ts`: what the series shaping of src/series costs alone, on a
// year of 10-minute data (52,560 points) and a year of minutes (525,600): aggregate() into
// hourly, daily (Europe/Brussels) and 15-minute buckets, and reduceForDrawing() to 1,000 points.
// Prints the median and the fastest of BENCH_RUNS runs (default 25) after a warm-up; no assertion.
import { aggregate, type BucketSpec } from '../../src/series/buckets.js';
import { reduceForDrawing } from '../../src/series/reduce.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const from = Date.parse('2026-01-01T00:00:00Z');
const to = Date.parse('2027-01-01T00:00:00Z');

function year(stepMs: number): { times: number[]; values: Array<number | null> } {
  const times: number[] = [];
  const values: Array<number | null> = [];
  let v = 10;
  for (let t = from, i = 0; t < to; t += stepMs, i++) {
    v += Math.sin(i * 0.37) - 0.01 * (v - 10);
    times.push(t);
    values.push(i % 997 === 0 ? null : v);
  }
  return { times, values };
}

function time(run: () => unknown): string {
  for (let i = 0; i < 3; i++) run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return `median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms, fastest ${ms[0]!.toFixed(2)} ms`;
}

const cases: Array<[string, BucketSpec, string]> = [
  ['hourly mean, UTC', { widthValue: 1, widthUnit: 'hour', aggregation: 'mean' }, 'UTC'],
  ['15-minute max, UTC', { widthValue: 15, widthUnit: 'minute', aggregation: 'max' }, 'UTC'],
  ['daily mean, Europe/Brussels', { widthValue: 1, widthUnit: 'day', aggregation: 'mean' }, 'Europe/Brussels'],
  ['weekly last, Europe/Brussels', { widthValue: 1, widthUnit: 'week', aggregation: 'last' }, 'Europe/Brussels'],
];

for (const [label, stepMs] of [
  ['10-minute', 600_000],
  ['1-minute', 60_000],
] as const) {
  const { times, values } = year(stepMs);
  console.log(`a year of ${label} data: ${times.length.toLocaleString('en-US')} points`);
  for (const [name, bucket, zone] of cases) {
    console.log(`  aggregate, ${name}: ${time(() => aggregate(times, values, from, to, bucket, zone))}`);
  }
  console.log(`  reduceForDrawing, maxPoints 1000: ${time(() => reduceForDrawing(times, values, from, to, 1000))}`);
}
