// Work stops when nobody waits: a client that leaves, or a request whose deadline passes, stops
// its upstream calls (the simulator's request log shows none after it); the deadline answers what
// it has, with typed errors for the rest; and MAX_POINTS_IN_FLIGHT makes a large request wait for
// another to finish instead of reading alongside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, KEYS } from '../helpers/access.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';

// FlexMeasures v3_0 reads one sensor per call: with FLEXMEASURES_CONCURRENCY=1 they go one after
// another, so a request that goes on calling shows in the log.
const DELAY_MS = 300;
let app: TestApp;
let fmIds: string[];

beforeAll(async () => {
  app = await startTestApp({ FLEXMEASURES_CONCURRENCY: '1', REQUEST_DEADLINE_MS: '1000' });
  const res = await gql(app.url, '{ sensors(upstream: FLEXMEASURES, first: 100) { nodes { id } } }');
  fmIds = res.data!.sensors.nodes.map((s: { id: string }) => s.id);
});
afterAll(() => app.stop());

const series = (ids: string[]) =>
  `{ upstreams { name } timeSeries(sensorIds: [${ids.map((id) => `"${id}"`).join(', ')}], from: "2026-11-19T00:00:00Z", to: "2026-11-19T06:00:00Z") { sensor { id } count } }`;

describe('a client that leaves', () => {
  it('stops the upstream calls of its request: none is sent after it left', async () => {
    expect(fmIds.length).toBeGreaterThanOrEqual(6);
    const sim = app.simulators.flexmeasures!;
    sim.clearLog();
    sim.addFault({ route: 'sensorData', delayMs: DELAY_MS });
    try {
      const controller = new AbortController();
      const sent = fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(KEYS.reader) },
        body: JSON.stringify({ query: series(fmIds) }),
        signal: controller.signal,
      }).catch((err: unknown) => err);
      await until(() => sim.requests('sensorData').length >= 1);
      controller.abort();
      expect(await sent).toBeInstanceOf(Error);
      const atLeave = sim.requests('sensorData').length;
      // Long enough for three more calls one after another, had the request gone on.
      await new Promise((r) => setTimeout(r, 4 * DELAY_MS));
      expect(sim.requests('sensorData').length).toBe(atLeave);
      expect(atLeave).toBeLessThan(fmIds.length);
      // The gateway is fine: the next request is answered in full.
      sim.clearFaults();
      const next = await gql(app.url, series(fmIds.slice(0, 2)));
      expect(next.errors).toBeUndefined();
    } finally {
      sim.clearFaults();
    }
  });
});

describe('the request deadline (REQUEST_DEADLINE_MS)', () => {
  it('answers what it has when the deadline passes, with a typed error for each series it gave up', async () => {
    const sim = app.simulators.flexmeasures!;
    sim.clearLog();
    sim.addFault({ route: 'sensorData', delayMs: DELAY_MS });
    try {
      const res = await gql(app.url, series(fmIds));
      expect(res.status).toBe(200);
      // What could be answered is there: the statuses, and the series read before the deadline.
      expect(res.data!.upstreams.length).toBeGreaterThan(0);
      const answered = res.data!.timeSeries.filter((t: unknown) => t !== null);
      expect(answered.length).toBeGreaterThanOrEqual(1);
      expect(answered.length).toBeLessThan(fmIds.length);
      const gaveUp = res.errors!.filter((e) => e.extensions!.reason === 'DEADLINE');
      expect(gaveUp.length).toBe(fmIds.length - answered.length);
      expect(gaveUp[0]).toMatchObject({
        message: "FlexMeasures sensorData was abandoned: the request's deadline of 1000 ms passed (REQUEST_DEADLINE_MS)",
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'flexmeasures', reason: 'DEADLINE' },
      });
      // And no call was sent after it.
      const calls = sim.requests('sensorData').length;
      await new Promise((r) => setTimeout(r, 2 * DELAY_MS));
      expect(sim.requests('sensorData').length).toBe(calls);
      expect(calls).toBeLessThan(fmIds.length);
    } finally {
      sim.clearFaults();
    }
  });

  it('stops waiting for a catalogue it shares with others, and answers with the reason', async () => {
    const fresh = await startTestApp({ REQUEST_DEADLINE_MS: '500' });
    try {
      fresh.simulators.bemserver!.addFault({ delayMs: 2000 });
      const res = await gql(
        fresh.url,
        '{ meetnet: sensors(upstream: MEETNET, first: 1) { totalCount } bemserver: sensors(upstream: BEMSERVER, first: 1) { totalCount } }',
      );
      expect(res.data!.meetnet.totalCount).toBeGreaterThan(0);
      expect(res.data!.bemserver).toBeNull();
      expect(res.errors![0]).toMatchObject({
        path: ['bemserver'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'bemserver', reason: 'DEADLINE' },
      });
    } finally {
      await fresh.stop();
    }
  });
});

describe('points in flight (MAX_POINTS_IN_FLIGHT)', () => {
  it('lets a large request in only when the one before it has finished', async () => {
    // Two requests of a year of one 10-minute Meetnet sensor each (52,561 points): only one fits.
    const gate = await startTestApp({ MAX_POINTS_IN_FLIGHT: '60000' });
    try {
      const sim = gate.simulators.meetnet!;
      const ids = (await gql(gate.url, '{ sensors(upstream: MEETNET, first: 1000) { nodes { id intervalMinutes } } }'))
        .data!.sensors.nodes.filter((s: { intervalMinutes: number | null }) => s.intervalMinutes === 10)
        .map((s: { id: string }) => s.id);
      const year = (id: string) =>
        `{ timeSeries(sensorIds: ["${id}"], from: "2025-11-01T00:00:00Z", to: "2026-11-01T00:00:00Z") { count } }`;
      sim.clearLog();
      sim.addFault({ route: 'getData', delayMs: 400 });
      const [a, b] = await Promise.all([gql(gate.url, year(ids[0]!)), gql(gate.url, year(ids[1]!))]);
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      const calls = sim.requests('getData');
      expect(calls).toHaveLength(2);
      // The second was sent only after the first had its answer (each waits 400 ms upstream).
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(400);
    } finally {
      await gate.stop();
    }
  });
});
