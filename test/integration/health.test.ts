// Liveness and readiness over HTTP: /healthz answers while the process runs; /readyz says whether
// the gateway can serve and names what fails (an upstream unreachable, its breaker open, Redis).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, uniquePrefix, type TestApp } from '../helpers/app.js';
import { startPrivateRedis } from '../helpers/redis.js';

let app: TestApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const get = async (path: string) => {
  const res = await fetch(app!.url.replace('/graphql', path));
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('/healthz and /readyz', () => {
  it('everything up: alive, and ready with each upstream reachable and its breaker closed', async () => {
    app = await startTestApp();
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', failing: [], redis: 'not configured' });
    for (const name of ['meetnet', 'flexmeasures', 'bemserver']) {
      expect(ready.body.upstreams[name]).toMatchObject({ reachable: true, breaker: 'closed', message: null });
    }
  });

  it("the gateway's own limits do not hold the probes back: a rate limit used up, the upstream still reachable", async () => {
    app = await startTestApp({ MEETNET_RATE_PER_MINUTE: '1' });
    // Its login takes the minute's one call: the query waits for the next minute.
    const query = fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sensor(id: "meetnet:sensor:MP7WVC") { name } }' }),
    });
    const ready = await get('/readyz');
    expect(ready.body.upstreams.meetnet).toMatchObject({ reachable: true });
    expect(ready.body.status).toBe('ready');
    void query.catch(() => undefined);
  });

  it('one upstream down: degraded (200), the failing part named; the others still serve', async () => {
    app = await startTestApp();
    app.simulators.meetnet!.addFault({ destroy: true });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.failing).toEqual([expect.stringMatching(/^meetnet: Meetnet could not be reached/)]);
    expect(ready.body.upstreams.meetnet.reachable).toBe(false);
    expect(ready.body.upstreams.flexmeasures.reachable).toBe(true);
  });

  it('every upstream down: 503, each named', async () => {
    app = await startTestApp();
    for (const sim of Object.values(app.simulators)) sim!.addFault({ destroy: true });
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.failing.map((f: string) => f.split(':')[0])).toEqual(['meetnet', 'flexmeasures', 'bemserver']);
    // Alive all the same: the process answers.
    expect((await get('/healthz')).status).toBe(200);
  });

  it('Redis down: degraded (200), Redis named: tokens are kept in the process meanwhile', async () => {
    const redis = await startPrivateRedis();
    try {
      app = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() });
      expect((await get('/readyz')).body).toMatchObject({ status: 'ready', redis: 'up' });
      await redis.stop();
      const down = await get('/readyz');
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ status: 'degraded', redis: 'down', failing: [expect.stringMatching(/^redis: not answering/)] });
    } finally {
      await redis.stop();
    }
  });
});
