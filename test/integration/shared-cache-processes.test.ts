// The shared cache across gateway processes, as replicas run: A and B share one Redis and one
// Meetnet service account, C shares the Redis under another account. An old window read on A is
// answered on B from Redis (the simulator's request log shows one getData between them); a recent
// one is read by both; C shares nothing with them; a persisted query registered on A is found by
// its hash on B. The keys in Redis are exactly the expected ones and hold no secret.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { gql, type GraphQLResponse } from '../helpers/graphql.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const login = 'replicas@example.org';
const password = 'shared-cache-password';
const prefix = uniquePrefix();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const anonymous = { authorization: '' };

const query =
  'query($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { sensor { id } timestamps values min max } }';
const ids = ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP7WRS'];
const old = { ids, from: '2025-06-01T00:00:00.000Z', to: '2025-06-08T00:00:00.000Z' };
/** The window's seven UTC days, as their keys name them: a long window is kept a day per entry. */
const oldDays = Array.from(
  { length: 7 },
  (_, i) => `${Date.parse(old.from) + i * 86_400_000}-${Date.parse(old.from) + (i + 1) * 86_400_000}`,
);

let sim: MeetnetSimulator;
let simUrl: string;
let a: ChildGateway;
let b: ChildGateway;
let c: ChildGateway;
let redis: Redis;

const historyKeys = async (): Promise<string[]> => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}history:*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
};
const getData = () => sim.requests('getData').length;

beforeAll(async () => {
  sim = createMeetnetSimulator({ username: login, password });
  simUrl = await sim.listen();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const env = {
    ...process.env,
    LOG_LEVEL: 'info',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    MEETNET_BASE_URL: simUrl,
    MEETNET_PASSWORD: password,
  };
  // C logs in with the same account's login in capitals: the simulator compares logins without
  // case, as Meetnet's OWIN server does, so it is let in; to the gateway it is another account.
  [a, b, c] = await Promise.all([
    startChildGateway('tsx', { ...env, MEETNET_USERNAME: login }),
    startChildGateway('tsx', { ...env, MEETNET_USERNAME: login }),
    startChildGateway('tsx', { ...env, MEETNET_USERNAME: login.toUpperCase() }),
  ]);
}, 120_000);
afterAll(async () => {
  for (const p of [a, b, c]) p?.child.kill('SIGTERM');
  await Promise.all([a, b, c].map((p) => p?.exited));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await sim.close();
});
beforeEach(() => sim.clearLog());

describe('the shared cache across gateway processes', () => {
  let onA: GraphQLResponse<Record<string, any>>;

  it('an old window read on A is answered on B from Redis: one getData between them, identical data', async () => {
    onA = await gql(a.url, query, old, anonymous);
    expect(onA.errors).toBeUndefined();
    expect(onA.data!.timeSeries.every((t: { values: unknown[] }) => t.values.length > 900)).toBe(true);
    expect(getData()).toBe(1);
    await until(async () => (await historyKeys()).length === 14);

    const onB = await gql(b.url, query, old, anonymous);
    expect(getData()).toBe(1);
    expect(onB.errors).toBeUndefined();
    expect(onB.data).toEqual(onA.data);
  });

  it('the keys are exactly the expected ones, for HISTORY_CACHE_TTL_S, and hold no secret', async () => {
    const account = sha256(`${simUrl}\n${login}`).slice(0, 16);
    const keys = await historyKeys();
    expect(keys).toEqual(
      ['MP7WRS', 'MP7WVC'].flatMap((sensor) => oldDays.map((day) => `${prefix}history:meetnet:${account}:${sensor}:${day}`)),
    );
    const secrets = [password, login, ...sim.issuedTokens()];
    expect(secrets.length).toBeGreaterThan(2);
    for (const key of keys) {
      const value = (await redis.getBuffer(key))!;
      for (const secret of secrets) {
        expect(key).not.toContain(secret);
        expect(value.includes(secret)).toBe(false);
      }
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(86_400 - 120);
      expect(ttl).toBeLessThanOrEqual(86_400);
    }
  });

  it('a recent window is not cached: A and B each read it from Meetnet, and no key is written', async () => {
    const to = Math.floor(Date.now() / 600_000) * 600_000;
    const recent = { ids, from: new Date(to - 6 * 3_600_000).toISOString(), to: new Date(to).toISOString() };
    const before = await historyKeys();
    const [onA, onB] = [await gql(a.url, query, recent, anonymous), await gql(b.url, query, recent, anonymous)];
    expect(onA.errors ?? onB.errors).toBeUndefined();
    expect(getData()).toBe(2);
    expect(await historyKeys()).toEqual(before);
  });

  it('another service account shares no entry: C reads the window from Meetnet and keeps it under its own digest', async () => {
    const onC = await gql(c.url, query, old, anonymous);
    expect(onC.errors).toBeUndefined();
    expect(getData()).toBe(1);
    expect(onC.data).toEqual(onA.data);
    const other = sha256(`${simUrl}\n${login.toUpperCase()}`).slice(0, 16);
    await until(async () => (await historyKeys()).length === 28);
    expect((await historyKeys()).filter((k) => k.includes(`:meetnet:${other}:`))).toHaveLength(14);
  });

  it('a persisted query registered on A is found by its hash on B, over GET; an unknown hash is PERSISTED_QUERY_NOT_FOUND', async () => {
    const text = '{ sensor(id: "meetnet:sensor:MP7WVC") { id name unit } }';
    const hash = sha256(text);
    const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    const registered = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: text, extensions }),
    }).then((r) => r.json() as Promise<{ data?: unknown; errors?: unknown }>);
    expect(registered.errors).toBeUndefined();
    expect(await redis.get(`${prefix}apq:${hash}`)).toBe(text);

    const byHash = await fetch(`${b.url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`).then((r) => r.json());
    expect(byHash).toEqual(registered);
    const unknown = { persistedQuery: { version: 1, sha256Hash: sha256('never sent') } };
    const missing = (await fetch(`${b.url}?extensions=${encodeURIComponent(JSON.stringify(unknown))}`).then((r) => r.json())) as {
      errors: Array<{ extensions: { code: string } }>;
    };
    expect(missing.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const p of [a, b, c]) expect(p.output()).not.toContain(password);
  });
});
