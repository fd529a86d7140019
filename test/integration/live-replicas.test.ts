// Live values across replicas: two gateway processes sharing a Redis poll each subscribed sensor
// once per interval between them, whatever the number of subscribers, and deliver every value to
// the subscribers of both; when the polling replica stops, the other takes over. And in one
// process whose Redis fails: polling goes on locally, said once, and is shared again once it is back.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { startTestApp } from '../helpers/app.js';
import { cleanEnv, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { sseClient, subscribe, wsClient, type Subscription } from '../helpers/live.js';
import { REDIS_URL, startPrivateRedis, uniquePrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const MINUTE = 60_000;
/** The poll interval of the two replicas. */
const INTERVAL_MS = 1500;
/** The simulator's clock runs this much faster than the wall clock: ten minutes (a new Meetnet value) per interval. */
const SPEED = (10 * MINUTE) / INTERVAL_MS;
const SENSORS = ['meetnet:sensor:MP7WVC', 'meetnet:sensor:MP0WC3', 'meetnet:sensor:MP7WC3'];
/** What the subscribers of each replica ask for: one sensor in common, one of their own. */
const ASKED = [
  [SENSORS[0]!, SENSORS[1]!],
  [SENSORS[0]!, SENSORS[2]!],
];
/** The Meetnet sensors polled together, with this interval, by whichever replica polls them. */
const LOCK = `live:lock:meetnet:${INTERVAL_MS}`;

describe('two gateway processes sharing Redis', () => {
  let sim: MeetnetSimulator;
  let redis: Redis;
  const prefix = uniquePrefix();
  const procs: ChildGateway[] = [];
  const subs: Array<{ proc: number; sub: Subscription; dispose: () => unknown }> = [];
  const t0 = Date.now();
  /** The wall-clock slot of the poll interval a simulator request arrived in. */
  const slotOf = (simAt: number) => Math.floor((t0 + (simAt - NOW) / SPEED) / INTERVAL_MS);
  const polls = () => sim.requests('currentData').map((r) => ({ slot: slotOf(r.at), ids: (r.body as { IDs: string[] }).IDs }));

  beforeAll(async () => {
    sim = createMeetnetSimulator({
      username: 'replicas@example.org',
      password: 'live-replicas-password',
      clock: () => NOW + (Date.now() - t0) * SPEED,
      // Its clock runs fast: tokens of an hour would expire every few seconds (a 401, then a login).
      tokenLifetimeSeconds: 30 * 86_400,
    });
    const simUrl = await sim.listen();
    redis = new Redis(REDIS_URL);
    const env = {
      ...cleanEnv(),
      LOG_LEVEL: 'info',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      LIVE_POLL_INTERVAL_MS: String(INTERVAL_MS),
      MEETNET_BASE_URL: simUrl,
      MEETNET_USERNAME: 'replicas@example.org',
      MEETNET_PASSWORD: 'live-replicas-password',
    };
    procs.push(...(await Promise.all([startChildGateway('tsx', env), startChildGateway('tsx', env)])));
  });

  afterAll(async () => {
    for (const s of subs) await Promise.resolve(s.dispose()).catch(() => undefined);
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await sim.close();
    redis.disconnect();
  });

  it('50 subscribers on two replicas: one upstream poll per interval, and every value reaches them all', async () => {
    // 25 on each, over both transports.
    for (let i = 0; i < 50; i++) {
      const proc = i % 2;
      const client = i % 4 < 2 ? wsClient(procs[proc]!.url, null) : sseClient(procs[proc]!.url, null);
      subs.push({ proc, sub: subscribe(client, ASKED[proc]!), dispose: () => client.dispose() });
    }
    await until(() => subs.every(({ sub }) => new Set(sub.events().map((e) => e.sensorId)).size === 2));
    const first = Math.floor(Date.now() / INTERVAL_MS) + 1;
    const slots = 4;
    await until(() => Date.now() >= (first + slots) * INTERVAL_MS + INTERVAL_MS / 2);

    const inWindow = polls().filter((p) => p.slot >= first && p.slot < first + slots);
    // Exactly one poll in each interval (not 50, not 2), for the three sensors at once, whichever replica's.
    expect(inWindow.map((p) => p.slot)).toEqual(Array.from({ length: slots }, (_, i) => first + i));
    for (const p of inWindow) expect(new Set(p.ids)).toEqual(new Set(SENSORS.map((id) => id.split(':')[2])));
    // Before: the first values of 50 subscribers cost one poll per interval too, and at most one
    // read more (the second replica's first sensors, read by the poller when it asked), not 50.
    const before = polls().filter((p) => p.slot < first);
    expect(before.length).toBeLessThanOrEqual(first - Math.min(...before.map((p) => p.slot)) + 1);

    // The replica that does not poll received every new value through Redis, like the one that does.
    for (const { sub } of subs) {
      const times = sub
        .events()
        .filter((e) => e.sensorId === SENSORS[0])
        .map((e) => e.time);
      expect(times.length).toBeGreaterThanOrEqual(slots);
      expect([...times].sort()).toEqual(times); // each newer than the one before
      expect(sub.error).toBeNull();
    }
  });

  it('when the polling replica stops, the other takes over within about one interval', async () => {
    const holder = await redis.get(`${prefix}${LOCK}`);
    const polling = procs.findIndex((p) => holder?.split(':')[1] === String(p.child.pid));
    expect(polling).toBeGreaterThanOrEqual(0);
    const other = 1 - polling;
    const seen = subs.filter((s) => s.proc === other).map(({ sub }) => sub.events().length);

    procs[polling]!.child.kill('SIGTERM');
    // It stops without waiting for its subscriptions: they are ended, and its lock given up.
    expect(await procs[polling]!.exited).toBe(0);
    const stoppedIn = Math.floor(Date.now() / INTERVAL_MS);
    await until(() => subs.filter((s) => s.proc === polling).every(({ sub }) => sub.done));

    // The survivor's subscribers get new values again, polled by the survivor, once per interval.
    await until(() => subs.filter((s) => s.proc === other).every(({ sub }, i) => sub.events().length >= seen[i]! + 4));
    const holderNow = await redis.get(`${prefix}${LOCK}`);
    expect(holderNow?.split(':')[1]).toBe(String(procs[other]!.child.pid));
    const after = polls()
      .map((p) => p.slot)
      .filter((slot) => slot > stoppedIn);
    expect(after[0]).toBeLessThanOrEqual(stoppedIn + 2);
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => after[0]! + i));
  });
});

describe('one process whose Redis fails', () => {
  it('polls locally (saying so once), delivers on, and shares polling again once Redis is back', async () => {
    const privateRedis = await startPrivateRedis();
    const prefix = uniquePrefix();
    const app = await startTestApp({ REDIS_URL: privateRedis.url, REDIS_KEY_PREFIX: prefix, LIVE_POLL_INTERVAL_MS: '300' });
    const sim = app.simulators.meetnet!;
    let now = NOW;
    sim.setClock(() => now);
    const probe = new Redis(privateRedis.url);
    const client = wsClient(app.url);
    try {
      const sub = subscribe(client, [SENSORS[0]!]);
      await until(() => sub.events().length === 1);
      expect(await probe.get(`${prefix}live:lock:meetnet:300`)).toMatch(/:\d+:/);
      probe.disconnect();

      await privateRedis.stop();
      const warned = () => app.logLines.filter((l) => l.includes('live values: Redis does not answer'));
      await until(() => warned().length === 1);
      now = NOW + 30 * MINUTE;
      await until(() => sub.events().length === 2);
      const polled = sim.requests('currentData').length;
      await until(() => sim.requests('currentData').length >= polled + 3);
      expect(warned()).toHaveLength(1);

      await privateRedis.start();
      await until(() => app.logLines.some((l) => l.includes('live values: Redis answers again')));
      const back = new Redis(privateRedis.url);
      await until(async () => (await back.get(`${prefix}live:lock:meetnet:300`)) !== null);
      back.disconnect();
      now = NOW + 60 * MINUTE;
      await until(() => sub.events().length === 3);
      expect(sub.error).toBeNull();
      await sub.stop();
    } finally {
      await client.dispose();
      await app.stop();
      await privateRedis.stop();
    }
  });
});
