// The fault suite: one gateway on the simulators and a real Redis, each upstream fault of a bad day
// in turn. Each case checks that the process answers, that no value is wrong (a failed series is
// an error, never empty or made-up data), that the error is typed and names its upstream, and
// prints its figures (upstream calls, time, memory) in a table at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/simulators/faults.js';
import { startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

const SENSOR = 'meetnet:sensor:MP7WVC';
const WINDOW = 'from: "2026-11-19T00:00:00Z", to: "2026-11-19T06:00:00Z"';
const QUERY = `{ sensor(id: "${SENSOR}") { name series(${WINDOW}) { count values } } }`;

let app: TestApp;
let redis: PrivateRedis;
let expected: { count: number; values: Array<number | null> };
const figures: string[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startTestApp({
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: uniquePrefix(),
    REDIS_TIMEOUT_MS: '300',
    MEETNET_TIMEOUT_MS: '800',
    MEETNET_RETRIES: '1',
    // Every case fails Meetnet on purpose: the breaker is the subject of its own test.
    MEETNET_BREAKER_MIN_CALLS: '1000',
    // Every case must reach Meetnet: the window is long final, and the shared cache would answer it.
    HISTORY_CACHE_TTL_S: '0',
  });
  const res = await gql(app.url, QUERY);
  expect(res.errors).toBeUndefined();
  expected = res.data!.sensor.series;
});
afterAll(async () => {
  console.log(
    [
      '',
      'fault suite: one query of one Meetnet series per case',
      '| case | answer | getData calls | ms | RSS change MB |',
      '|---|---|---:|---:|---:|',
      ...figures,
    ].join('\n'),
  );
  await app.stop();
  await redis.stop();
});

/** Runs the query with `fault` on getData; checks the answer is either right or a typed error naming Meetnet. */
async function underFault(name: string, fault: Fault | null, expectCode: string | null) {
  const sim = app.simulators.meetnet!;
  sim.clearFaults();
  sim.clearLog();
  if (fault) sim.addFault({ route: 'getData', ...fault });
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const res = await gql(app.url, QUERY.replace('06:00', `0${(figures.length % 5) + 1}:00`));
  const ms = performance.now() - started;
  sim.clearFaults();
  const grew = (process.memoryUsage().rss - rss) / 1e6;
  const error = res.errors?.[0];
  figures.push(
    `| ${name} | ${error ? `${error.extensions!.code} ${error.extensions!.reason ?? error.extensions!.status ?? ''}`.trim() : 'answered'} | ${sim.requests('getData').length} | ${ms.toFixed(0)} | ${grew.toFixed(0)} |`,
  );
  // The process is alive and answers the next query rightly.
  const after = await gql(app.url, QUERY);
  expect(after.data!.sensor.series).toEqual(expected);
  if (expectCode === null) {
    expect(res.errors).toBeUndefined();
    return res;
  }
  expect(res.errors).toHaveLength(1);
  expect(error!.extensions).toMatchObject({ code: expectCode, upstream: 'meetnet' });
  expect(error!.path).toEqual(['sensor', 'series']);
  // The rest of the answer stands; the failed series is null, never empty or made up.
  expect(res.data!.sensor).toEqual({ name: expect.any(String), series: null });
  return res;
}

describe('faults of an upstream, one at a time', () => {
  it('hangs: one call, its timeout, no retry', async () => {
    const res = await underFault('hangs', { hang: true }, 'UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!.reason).toBe('TIMEOUT');
    expect(app.simulators.meetnet!.requests('getData').length).toBeLessThanOrEqual(2);
  });

  it('answers 500s: retried, then UPSTREAM_UNAVAILABLE with the status', async () => {
    const res = await underFault('answers 500', { status: 500, body: '{"Message":"An error has occurred."}' }, 'UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!.status).toBe(500);
  });

  it('answers garbage with a 200: UPSTREAM_BAD_RESPONSE', async () => {
    await underFault(
      'garbage',
      { status: 200, body: '<html><body>Service temporarily unavailable</body></html>' },
      'UPSTREAM_BAD_RESPONSE',
    );
  });

  it('answers 50 MB that is not what getData returns: UPSTREAM_BAD_RESPONSE, memory bounded', async () => {
    const body = JSON.stringify({ Values: [{ ID: 'MP7WVC', Values: 'x'.repeat(50 * 1024 * 1024) }] });
    await underFault('50 MB wrong body', { status: 200, body }, 'UPSTREAM_BAD_RESPONSE');
    expect(process.memoryUsage().rss / 1e6).toBeLessThan(2000);
  });

  it('drips its answer slower than the timeout: TIMEOUT', async () => {
    const res = await underFault('slow drip', { dripMs: 100 }, 'UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!.reason).toBe('TIMEOUT');
  });

  it('answers 429 with a short Retry-After: waited for, then answered', async () => {
    await underFault('429, Retry-After 0', { status: 429, headers: { 'retry-after': '0' }, times: 1 }, null);
  });

  it('answers 429 with a Retry-After longer than its timeout: RATE_LIMITED, with the wait', async () => {
    const res = await underFault('429, Retry-After 60', { status: 429, headers: { 'retry-after': '60' } }, 'UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions).toMatchObject({ reason: 'RATE_LIMITED', retryAfterSeconds: 60 });
  });

  it('drops the connection: retried, then the network error named', async () => {
    const res = await underFault('connection dropped', { destroy: true }, 'UPSTREAM_UNAVAILABLE');
    expect(res.errors![0]!.extensions!.reason).toBe('ECONNRESET');
  });

  it('its tokens expire mid-batch: one new login, the batch answered', async () => {
    const sim = app.simulators.meetnet!;
    sim.expireTokens();
    await underFault('tokens expire', null, null);
    expect(sim.requests('token')).toHaveLength(1);
  });
});

describe('Redis, during a day of faults', () => {
  it('frozen (SIGSTOP) while tokens expire: answered, one login; killed and restarted: answered', async () => {
    const sim = app.simulators.meetnet!;
    redis.freeze();
    try {
      sim.expireTokens();
      await underFault('Redis frozen, tokens expire', null, null);
      expect(sim.requests('token')).toHaveLength(1);
    } finally {
      redis.thaw();
    }
    await redis.stop();
    sim.expireTokens();
    await underFault('Redis killed, tokens expire', null, null);
    await redis.start();
    await underFault('Redis restarted', null, null);
  });
});
