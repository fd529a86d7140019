// Two gateway processes sharing one Redis: however many concurrent queries reach them, the
// upstream sees exactly one login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { gql } from '../helpers/graphql.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';

let sim: MeetnetSimulator;
const procs: ChildGateway[] = [];
const password = 'two-process-password';

beforeAll(async () => {
  sim = createMeetnetSimulator({ username: 'replicas@example.org', password });
  const simUrl = await sim.listen();
  const env = {
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    MEETNET_BASE_URL: simUrl,
    MEETNET_USERNAME: 'replicas@example.org',
    MEETNET_PASSWORD: password,
  };
  procs.push(
    ...(await Promise.all([startChildGateway('tsx', { ...process.env, ...env }), startChildGateway('tsx', { ...process.env, ...env })])),
  );
});

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGTERM');
  await sim.close();
});

describe('two gateway processes sharing Redis', () => {
  it('log in once between them, however many concurrent queries arrive', async () => {
    sim.latencyMs = 150; // a slow login widens the window in which both replicas want a token
    sim.clearLog();
    const query = '{ sensor(id: "meetnet:sensor:MP7WVC") { id latest { value } } }';
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => gql(procs[i % 2]!.url, query, {}, { authorization: '' })));
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.sensor.id).toBe('meetnet:sensor:MP7WVC');
    }
    expect(sim.requests('token')).toHaveLength(1);
    // Both replicas used that one token.
    expect(sim.requests('catalog').length).toBe(2);
    for (const p of procs) expect(p.output()).not.toContain(password);
  });
});
