// Automatic persisted queries through the gateway's own HTTP handler, over GET and POST: in Redis
// (with graphql-jit) and in process memory (no Redis, with graphql-js). A hash stands for its query
// only once the query was sent; the guard and limits judge what it stands for; a bad hash is a
// clear error and never a crash.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { bearer, KEYS } from '../helpers/access.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (hash: unknown, version: unknown = 1) => ({ persistedQuery: { version, sha256Hash: hash } });

interface Answer {
  status: number;
  body: { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(url: string, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(KEYS.reader) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** GraphQL over GET: each field JSON-encoded in the query string, as Apollo Client sends persisted queries. */
async function get(url: string, params: Record<string, unknown>): Promise<Answer> {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const res = await fetch(u, { headers: bearer(KEYS.reader) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const WINDOW = 'query Window($id: ID!, $from: DateTime!, $to: DateTime!) { sensor(id: $id) { id series(from: $from, to: $to) { count } } }';
const day = { id: 'meetnet:sensor:MP7WVC', from: '2025-03-01T00:00:00.000Z', to: '2025-03-02T00:00:00.000Z' };
const year = { ...day, to: '2026-03-01T00:00:00.000Z' };
const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

const prefix = uniquePrefix();
let withRedis: TestApp;
let inMemory: TestApp;
let inspect: Redis;

beforeAll(async () => {
  // A day of 10-minute data costs about 150; a year 52 560: over this limit.
  const limits = { MAX_QUERY_COST: '20000', MAX_QUERY_DEPTH: '6' };
  [withRedis, inMemory] = await Promise.all([
    startTestApp({ ...limits, REDIS_URL, REDIS_KEY_PREFIX: prefix, GRAPHQL_JIT: 'on' }),
    startTestApp({ ...limits, GRAPHQL_JIT: 'off' }),
  ]);
  inspect = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  inspect.disconnect();
  await Promise.all([withRedis.stop(), inMemory.stop()]);
});

describe.each([
  ['in Redis, executed by graphql-jit', () => withRedis],
  ['in process memory, executed by graphql-js', () => inMemory],
])('automatic persisted queries %s', (_, app) => {
  it('a hash is unknown until its query is sent; then it stands for the query over GET and POST', async () => {
    const url = app().url;
    const query = `${WINDOW} # ${app().url}`; // a text of its own in each gateway
    const hash = sha256(query);
    const unknown = await get(url, { variables: day, extensions: persisted(hash) });
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({
        message: 'PersistedQueryNotFound',
        extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
      }),
    ]);

    const registered = await post(url, { query, variables: day, extensions: persisted(hash) });
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data!.sensor.series.count).toBeGreaterThan(100);

    const overGet = await get(url, { variables: day, extensions: persisted(hash) });
    const overPost = await post(url, { variables: day, extensions: persisted(hash) });
    expect(overGet.body).toEqual(registered.body);
    expect(overPost.body).toEqual(registered.body);
  });

  it('a query sent over GET is persisted as well', async () => {
    const query = `{ sensor(id: "meetnet:sensor:MP0WC3") { id } } # ${app().url}`;
    const hash = sha256(query);
    expect((await get(app().url, { query, extensions: persisted(hash) })).body.data).toEqual({ sensor: { id: 'meetnet:sensor:MP0WC3' } });
    expect((await get(app().url, { extensions: persisted(hash) })).body.data).toEqual({ sensor: { id: 'meetnet:sensor:MP0WC3' } });
  });

  it('the limits judge what a hash stands for: its variables over MAX_QUERY_COST are refused', async () => {
    const query = `${WINDOW} # limits ${app().url}`;
    const hash = sha256(query);
    expect((await post(app().url, { query, variables: day, extensions: persisted(hash) })).body.errors).toBeUndefined();
    const refused = await get(app().url, { variables: year, extensions: persisted(hash) });
    expect(refused.status).toBe(400);
    expect(code(refused)).toBe('LIMIT_EXCEEDED');
  });

  it('a query the guard refuses is not persisted', async () => {
    // Seven levels deep, over MAX_QUERY_DEPTH (6).
    const deep = '{ sensor(id: "meetnet:sensor:MP7WVC") { location { sensors { location { sensors { location { id } } } } } } }';
    const hash = sha256(deep);
    const refused = await post(app().url, { query: deep, extensions: persisted(hash) });
    expect(code(refused)).toBe('LIMIT_EXCEEDED');
    expect(code(await get(app().url, { extensions: persisted(hash) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('bad hashes and extensions get clear errors, and the gateway goes on answering', async () => {
    const url = app().url;
    const query = '{ upstreams { name } }';
    const mismatch = await post(url, { query, extensions: persisted(sha256('something else')) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]).toEqual({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
    for (const hash of ['not-a-hash', 'A'.repeat(64), 42, { $gt: '' }, 'f'.repeat(10_000), null]) {
      const answer = await post(url, { extensions: persisted(hash) });
      expect(code(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
    const version = await post(url, { query, extensions: persisted(sha256(query), 2) });
    expect(version.status).toBe(400);
    expect(version.body.errors?.[0]).toEqual({ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } });
    const res = await fetch(`${url}?extensions=%7Bnot-json`, { headers: bearer(KEYS.reader) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Answer['body']).errors?.[0]?.message).toMatch(/extensions/);
    expect((await post(url, { query })).body.data!.upstreams.length).toBe(3);
    // The client's mistakes, not the gateway's: nothing logged as an internal error.
    expect(app().logLines.filter((l) => l.includes('internal error'))).toEqual([]);
  });
});

describe('persisted queries in Redis', () => {
  it('live at <prefix>apq:<sha256> with PERSISTED_QUERY_TTL_S, and nothing else is written for them', async () => {
    const query = '{ upstreams { name } } # stored';
    const hash = sha256(query);
    const written = Date.now();
    expect((await post(withRedis.url, { query, extensions: persisted(hash) })).body.data).toBeDefined();
    expect(await inspect.get(`${prefix}apq:${hash}`)).toBe(query);
    const ttl = await inspect.ttl(`${prefix}apq:${hash}`);
    expect(ttl).toBeLessThanOrEqual(86_400);
    expect(ttl).toBeGreaterThanOrEqual(86_400 - Math.ceil((Date.now() - written) / 1000) - 1);
    const keys = await inspect.keys(`${prefix}apq:*`);
    expect(keys.every((k) => /^gw-test-[0-9a-f]{12}:apq:[0-9a-f]{64}$/.test(k))).toBe(true);
  });
});
