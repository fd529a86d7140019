// Batching and caching, proven by the simulator's request log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardDocument, SensorsDocument } from './generated/graphql.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { gql } from './helpers/graphql.js';
import type { MeetnetSimulator } from '../src/upstreams/meetnet/simulator.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let app: TestApp;
let sim: MeetnetSimulator;
let liveIds: string[];

beforeAll(async () => {
  app = await startTestApp();
  sim = app.simulators.meetnet!;
  sim.setClock(() => NOW);
  const res = await gql(app.url, SensorsDocument, { first: 1000 });
  liveIds = res.data!.sensors.nodes.filter((s) => s.intervalMinutes !== null).map((s) => s.id);
});
afterAll(() => app.stop());
beforeEach(() => sim.clearLog());

const idsOf = (body: unknown): string[] => (body as { IDs: string[] }).IDs;

describe('batching', () => {
  it('40 series and their latest values over one window: 1 getData call and 1 currentData call', async () => {
    const ids = liveIds.slice(0, 40);
    expect(ids).toHaveLength(40);
    const res = await gql(app.url, DashboardDocument, { ids, from: iso(NOW - DAY), to: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.timeSeries).toHaveLength(40);
    expect(res.data!.timeSeries.every((t) => t!.count > 0 && t!.sensor.latest !== null)).toBe(true);

    const getData = sim.requests('getData');
    expect(getData).toHaveLength(1);
    expect(new Set(idsOf(getData[0]!.body))).toEqual(new Set(ids.map((id) => id.split(':')[2])));
    const current = sim.requests('currentData');
    expect(current).toHaveLength(1);
    expect(idsOf(current[0]!.body)).toHaveLength(40);
    expect(sim.requests('catalog').length).toBeLessThanOrEqual(1);
  });

  it('a window longer than 365 days: one getData per 365-day chunk, joined without duplicated boundary points', async () => {
    const ids = liveIds.filter((id) => /(WVC|WRS)$/.test(id)).slice(0, 6);
    // Exactly 730 days: two chunks whose shared boundary instant lies on every series' grid.
    const from = Date.parse('2024-11-20T12:00:00Z');
    const to = from + 730 * DAY;
    const res = await gql(app.url, DashboardDocument, { ids, from: iso(from), to: iso(to) });
    expect(res.errors).toBeUndefined();

    const calls = sim.requests('getData');
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(idsOf(c.body)).toHaveLength(ids.length);
    const starts = calls.map((c) => Date.parse((c.body as { StartTime: string }).StartTime)).sort();
    expect(starts).toEqual([from, from + 365 * DAY]);

    const boundary = iso(from + 365 * DAY);
    for (const series of res.data!.timeSeries) {
      const ts = series!.timestamps;
      expect(new Set(ts).size).toBe(ts.length);
      for (let i = 1; i < ts.length; i++) expect(Date.parse(ts[i]!)).toBeGreaterThan(Date.parse(ts[i - 1]!));
      expect(ts.filter((t) => t === boundary).length).toBeLessThanOrEqual(1);
      expect(ts.length).toBeGreaterThan(730 * 144 * 0.95); // 10-minute data over two years, few gaps
    }
  });

  it('two windows in one query: one getData per window', async () => {
    const q = `query($a: DateTime!, $b: DateTime!, $c: DateTime!) {
      w1: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC", "meetnet:sensor:MP7WRS"], from: $a, to: $b) { count }
      w2: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC", "meetnet:sensor:MP7WRS"], from: $b, to: $c) { count }
      again: timeSeries(sensorIds: ["meetnet:sensor:MP7WVC"], from: $a, to: $b) { count }
    }`;
    const res = await gql(app.url, q, { a: iso(NOW - 2 * DAY), b: iso(NOW - DAY), c: iso(NOW) });
    expect(res.errors).toBeUndefined();
    expect(sim.requests('getData')).toHaveLength(2);
    expect(res.data!.again[0].count).toBe(res.data!.w1[0].count);
  });
});

describe('catalog cache', () => {
  it('concurrent first requests share one catalog fetch, later ones use the cache', async () => {
    const fresh = await startTestApp();
    try {
      const fsim = fresh.simulators.meetnet!;
      fsim.latencyMs = 100; // keep the first fetch in flight while the others arrive
      const results = await Promise.all(
        Array.from({ length: 10 }, () => gql(fresh.url, '{ locations(upstream: MEETNET, first: 1) { totalCount } }')),
      );
      for (const r of results) expect(r.data!.locations.totalCount).toBe(35);
      expect(fsim.requests('catalog')).toHaveLength(1);
      expect(fsim.requests('token')).toHaveLength(1);
      await gql(fresh.url, '{ sensors(upstream: MEETNET, first: 1) { totalCount } parameters(upstream: MEETNET) { id } }');
      expect(fsim.requests('catalog')).toHaveLength(1);
    } finally {
      await fresh.stop();
    }
  });

  it('refetches after CATALOG_TTL_MS, and serves the stale catalog if the refresh fails', async () => {
    const fresh = await startTestApp({ CATALOG_TTL_MS: '200', MEETNET_RETRIES: '0' });
    try {
      const fsim = fresh.simulators.meetnet!;
      await gql(fresh.url, '{ parameters(upstream: MEETNET) { id } }');
      await new Promise((r) => setTimeout(r, 300));
      await gql(fresh.url, '{ parameters(upstream: MEETNET) { id } }');
      expect(fsim.requests('catalog')).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 300));
      fsim.addFault({ route: 'catalog', status: 503, times: 1 });
      const stale = await gql(fresh.url, '{ parameters(upstream: MEETNET) { id } }');
      expect(stale.errors).toBeUndefined();
      expect(stale.data!.parameters).toHaveLength(22);
      expect(fsim.requests('catalog')).toHaveLength(3);
    } finally {
      await fresh.stop();
    }
  });
});
