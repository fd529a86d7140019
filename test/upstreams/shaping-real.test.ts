// Issue 16 against the real FlexMeasures and BEMServer: the window rule, and buckets computed by
// the server (BEMServer's aggregates, FlexMeasures' resampling) equal to the gateway's own from the
// raw series of the same server. Counted at a recording proxy in front of each.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';
import type { RecordingProxy } from '../helpers/recording-proxy.js';
import { proxiedRealUpstreams, type ProxiedRealUpstreams } from './targets.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let real: ProxiedRealUpstreams;
let fm: RecordingProxy;
let bem: RecordingProxy;
let app: TestApp;
let gatewayOnly: TestApp;

const fmSensor = (name: string) => real.fmSensor(name);
const bemSensor = (name: string) => real.bemSensor(name);

beforeAll(async () => {
  real = await proxiedRealUpstreams();
  ({ fm, bem } = real);
  const env = real.gatewayEnv;
  [app, gatewayOnly] = await Promise.all([startTestApp(env), startTestApp({ ...env, UPSTREAM_AGGREGATION: 'off' })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([app?.stop(), gatewayOnly?.stop()]);
  await real?.close();
});
beforeEach(() => {
  fm.clear();
  bem.clear();
});

interface Series {
  timestamps: string[];
  values: (number | null)[];
}
const SERIES = `query ($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: BucketInput, $timeZone: String) {
  sensor(id: $id) { series(from: $from, to: $to, bucket: $bucket, timeZone: $timeZone) { timestamps values } }
}`;
async function series(a: TestApp, id: string, vars: Record<string, unknown>): Promise<Series> {
  const res = await gql(a.url, SERIES, { id, ...vars });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.sensor.series as Series;
}

/** Twelve whole hours that ended a day ago: the seed's Raw and FlexMeasures data cover them. */
const window = () => {
  const to = Math.floor((Date.now() - DAY) / HOUR) * HOUR;
  return { from: iso(to - 12 * HOUR), to: iso(to) };
};

describe('one window rule on the real servers', () => {
  it('[from, to): 12 hours are 144 points of a 5-minute FlexMeasures sensor and none at `to` on BEMServer', async () => {
    const w = window();
    const cs2 = await series(app, fmSensor('CS 2'), w);
    expect(cs2.timestamps).toHaveLength(144);
    expect(cs2.timestamps[0]).toBe(w.from);
    const air = await series(app, bemSensor('Air temperature 0.01'), w);
    expect(air.timestamps.length).toBeGreaterThan(0);
    expect(air.timestamps.every((t) => t >= w.from && t < w.to)).toBe(true);
    expect(bem.calls('/timeseries_data/')[0]!.query.get('end_time')).toBe(w.to);
  });
});

describe('buckets: the real servers and the gateway agree', () => {
  const close = (a: (number | null)[], b: (number | null)[]) => {
    expect(a).toHaveLength(b.length);
    a.forEach((v, i) => (b[i] === null ? expect(v, `bucket ${i}`).toBeNull() : expect(v, `bucket ${i}`).toBeCloseTo(b[i]!, 9)));
  };

  it('BEMServer aggregates, hourly and by Brussels day, equal the gateway aggregating the raw series', async () => {
    const id = bemSensor('Air temperature 0.01');
    // Local midnight in Brussels, a day ago (UTC+1 in winter, UTC+2 in summer: read from the zone).
    const day = new Date(Date.now() - DAY);
    const local = new Date(day.toLocaleString('en-US', { timeZone: 'Europe/Brussels' }));
    const offset = local.getTime() - new Date(day.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
    const midnight = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()) - offset;
    const cases: Array<Record<string, unknown>> = [
      ...['MEAN', 'SUM', 'MIN', 'MAX', 'COUNT'].map((aggregation) => ({ ...window(), bucket: { unit: 'HOUR', aggregation } })),
      { from: iso(midnight - 3 * DAY), to: iso(midnight), bucket: { unit: 'DAY', aggregation: 'MEAN' }, timeZone: 'Europe/Brussels' },
    ];
    for (const vars of cases) {
      bem.clear();
      const server = await series(app, id, vars);
      expect(bem.calls('/timeseries_data/aggregate'), JSON.stringify(vars)).toHaveLength(1);
      const gateway = await series(gatewayOnly, id, vars);
      expect(bem.calls('/timeseries_data/aggregate')).toHaveLength(1);
      expect(server.timestamps, JSON.stringify(vars)).toEqual(gateway.timestamps);
      close(server.values, gateway.values);
      expect(server.values.some((v) => v !== null)).toBe(true);
    }
  });

  it('BEMServer is asked only zones of its list: an alias by its listed name; a zone it lacks the gateway makes, equal to one with its offsets', async () => {
    const id = bemSensor('Air temperature 0.01');
    const days = (zone: string) => {
      const day = new Date(Date.now() - DAY);
      const local = new Date(day.toLocaleString('en-US', { timeZone: zone }));
      const offset = local.getTime() - new Date(day.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
      const midnight = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()) - offset;
      return { from: iso(midnight - 3 * DAY), to: iso(midnight), bucket: { unit: 'DAY', aggregation: 'MEAN' } };
    };
    const asked = () => bem.calls('/timeseries_data/aggregate').map((c) => c.query.get('timezone'));
    // Asia/Calcutta is refused by the server (bemserver CONTRACT.md §7.2 quirk 1): Asia/Kolkata is the same zone.
    const calcutta = { ...days('Asia/Kolkata'), timeZone: 'Asia/Calcutta' };
    const server = await series(app, id, calcutta);
    expect(asked()).toEqual(['Asia/Kolkata']);
    const gateway = await series(gatewayOnly, id, calcutta);
    expect(server.timestamps).toEqual(gateway.timestamps);
    close(server.values, gateway.values);
    expect(server.values.some((v) => v !== null)).toBe(true);
    // America/Ciudad_Juarez (2022) is not on the list: the gateway makes its days, which are Denver's.
    bem.clear();
    const juarez = await series(app, id, { ...days('America/Denver'), timeZone: 'America/Ciudad_Juarez' });
    expect(asked()).toEqual([]);
    const denver = await series(app, id, { ...days('America/Denver'), timeZone: 'America/Denver' });
    expect(asked()).toEqual(['America/Denver']);
    expect(juarez.timestamps).toEqual(denver.timestamps);
    close(juarez.values, denver.values);
    expect(juarez.values.some((v) => v !== null)).toBe(true);
  });

  it('FlexMeasures resampling (hourly MEAN of 15- and 10-minute sensors) equals the gateway aggregating the raw series', async () => {
    for (const name of ['CS 1', 'heat pump']) {
      const vars = { ...window(), bucket: { unit: 'HOUR', aggregation: 'MEAN' } };
      fm.clear();
      const server = await series(app, fmSensor(name), vars);
      expect(fm.calls(/\/data$/).map((c) => c.query.get('resolution'))).toEqual(['PT1H']);
      const gateway = await series(gatewayOnly, fmSensor(name), vars);
      expect(fm.calls(/\/data$/).map((c) => c.query.get('resolution'))).toEqual(['PT1H', null]);
      expect(server.timestamps).toHaveLength(12);
      expect(server.timestamps).toEqual(gateway.timestamps);
      close(server.values, gateway.values);
    }
  });
});
