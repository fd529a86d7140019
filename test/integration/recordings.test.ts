// The three real Meetnet recordings, replayed by the simulator and read through the whole gateway:
// every point, min and max must come out exactly as the upstream sent them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeriesPointsDocument, type SeriesPointsQuery } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql, type Loose } from '../helpers/graphql.js';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/meetnet/${name}`, import.meta.url), 'utf8');

interface RecordedSeries {
  ID: string;
  MinValue: number;
  MaxValue: number;
  Values: Array<{ Timestamp: string; Value: number }>;
}

let sim: MeetnetSimulator;
let app: TestApp;

beforeAll(async () => {
  sim = createMeetnetSimulator({
    username: 'replay@example.org',
    password: 'replay-password-1',
    clock: () => Date.parse('2021-12-15T16:00:00Z'),
    replay: {
      getData: fixture('getData_2021-12-15_MP7_dewindnu.json'),
      currentData: fixture('currentData_2020-01-02_surfbot.json'),
    },
  });
  const url = await sim.listen();
  app = await startTestApp({
    MEETNET_BASE_URL: url,
    MEETNET_USERNAME: 'replay@example.org',
    MEETNET_PASSWORD: 'replay-password-1',
  });
});
afterAll(async () => {
  await app.stop();
  await sim.close();
});

describe('getData_2021-12-15 (De Wind Nu), through GraphQL', () => {
  const recorded = (JSON.parse(fixture('getData_2021-12-15_MP7_dewindnu.json')) as { Values: RecordedSeries[] }).Values;
  let series: Loose<SeriesPointsQuery>['timeSeries'];

  beforeAll(async () => {
    // The request asked WC3, WRS, WVC; the upstream answered WVC, WRS, WC3: re-keyed by ID.
    const res = await gql(app.url, SeriesPointsDocument, {
      ids: ['meetnet:sensor:MP7WC3', 'meetnet:sensor:MP7WRS', 'meetnet:sensor:MP7WVC'],
      from: '2021-12-14T23:00:00Z',
      to: '2021-12-15T23:00:00Z',
    });
    expect(res.errors).toBeUndefined();
    series = res.data!.timeSeries;
  });

  it('keeps the order asked', () => {
    expect(series.map((s) => s!.sensor.id)).toEqual(['meetnet:sensor:MP7WC3', 'meetnet:sensor:MP7WRS', 'meetnet:sensor:MP7WVC']);
  });

  for (const id of ['MP7WVC', 'MP7WRS', 'MP7WC3']) {
    it(`${id}: every point, min and max exactly as recorded`, () => {
      const rec = recorded.find((r) => r.ID === id)!;
      const got = series.find((s) => s!.sensor.id === `meetnet:sensor:${id}`)!;
      const expected = [...rec.Values]
        .sort((a, b) => Date.parse(a.Timestamp) - Date.parse(b.Timestamp))
        .map((p) => ({ time: new Date(Date.parse(p.Timestamp)).toISOString(), value: p.Value }));
      expect(got.points).toEqual(expected);
      expect(got.count).toBe(rec.Values.length);
      expect(got.min).toBe(rec.MinValue);
      expect(got.max).toBe(rec.MaxValue);
    });
  }

  it('keeps the real gaps (57 points of MP7WVC, with holes in the 10-minute grid)', () => {
    const wvc = series.find((s) => s!.sensor.id === 'meetnet:sensor:MP7WVC')!;
    expect(wvc.points).toHaveLength(57);
    const steps = wvc.points.slice(1).map((p, i) => Date.parse(p.time) - Date.parse(wvc.points[i]!.time));
    expect(steps.some((s) => s > 10 * 60_000)).toBe(true);
  });
});

describe('currentData_2020-01-02 (surfbot) and catalog_2020-01, through GraphQL', () => {
  it('reads the latest values exactly, including stale ones', async () => {
    const recorded = JSON.parse(fixture('currentData_2020-01-02_surfbot.json')) as Array<{ ID: string; Timestamp: string; Value: number }>;
    const sample = [recorded[0]!, recorded[1]!, recorded[2]!, recorded[recorded.length - 1]!];
    const stale = recorded.find((r) => r.Timestamp.startsWith('2017'));
    if (stale) sample.push(stale);
    const q = `{ ${sample.map((r, i) => `s${i}: sensor(id: "meetnet:sensor:${r.ID}") { latest { time value } }`).join(' ')} }`;
    const res = await gql(app.url, q);
    expect(res.errors).toBeUndefined();
    sample.forEach((r, i) => {
      expect(res.data![`s${i}`].latest).toEqual({ time: new Date(Date.parse(r.Timestamp)).toISOString(), value: r.Value });
    });
    expect(sim.requests('currentData')).toHaveLength(1);
  });

  it('a catalog series without a current value has latest: null', async () => {
    const recorded = JSON.parse(fixture('currentData_2020-01-02_surfbot.json')) as Array<{ ID: string }>;
    const present = new Set(recorded.map((r) => r.ID));
    const catalog = JSON.parse(fixture('catalog_2020-01_surfbot.json')) as { AvailableData: Array<{ ID: string }> };
    const missing = catalog.AvailableData.find((a) => !present.has(a.ID))!;
    const res = await gql(app.url, `{ sensor(id: "meetnet:sensor:${missing.ID}") { id latest { value } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.sensor).toEqual({ id: `meetnet:sensor:${missing.ID}`, latest: null });
  });
});
