// Series shaped for dashboards, on every upstream: one window rule, buckets (computed by the
// upstream where it can, by the gateway otherwise, with the same values), maxPoints keeping the
// extremes, units, and frames. Expected values are computed in the test from the raw series, with
// bucket boundaries written out by hand.
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, KEYS } from '../helpers/access.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const FROM = Date.parse('2026-11-18T00:00:00Z');
const TO = FROM + DAY;

const MEETNET = 'meetnet:sensor:MP7WVC'; // m/s, every 10 minutes
const FM = 'flexmeasures:sensor:1'; // MW, every 15 minutes, Europe/Amsterdam
const FM_PRICE = 'flexmeasures:sensor:32'; // EUR/MWh, hourly
const BEM = 'bemserver:sensor:1'; // kWh, every 10 minutes
const SENSORS = [MEETNET, FM, BEM];

interface Series {
  timestamps: string[];
  values: (number | null)[];
  unit: string | null;
  min: number | null;
  max: number | null;
}

let app: TestApp;
let gatewayOnly: TestApp;

beforeAll(async () => {
  [app, gatewayOnly] = await Promise.all([startTestApp(), startTestApp({ UPSTREAM_AGGREGATION: 'off' })]);
  for (const a of [app, gatewayOnly]) for (const sim of Object.values(a.simulators)) sim!.setClock(() => NOW);
}, 60_000);
afterAll(() => Promise.all([app?.stop(), gatewayOnly?.stop()]));
beforeEach(() => {
  for (const sim of Object.values(app.simulators)) sim!.clearLog();
});

const SERIES = `query ($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: BucketInput, $timeZone: String, $maxPoints: Int, $unit: String, $dataState: String) {
  sensor(id: $id) { series(from: $from, to: $to, bucket: $bucket, timeZone: $timeZone, maxPoints: $maxPoints, unit: $unit, dataState: $dataState) { timestamps values unit min max } }
}`;

async function series(a: TestApp, id: string, vars: Record<string, unknown> = {}): Promise<Series> {
  const res = await gql(a.url, SERIES, { id, from: iso(FROM), to: iso(TO), ...vars });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.sensor.series as Series;
}

async function seriesError(id: string, vars: Record<string, unknown>): Promise<{ message: string; code: string }> {
  const res = await gql(app.url, SERIES, { id, from: iso(FROM), to: iso(TO), ...vars });
  expect(res.errors).toHaveLength(1);
  return { message: res.errors![0]!.message, code: res.errors![0]!.extensions!.code as string };
}

/** The points of a raw series that fall in [start, end), non-null. */
function valuesIn(raw: Series, start: number, end: number): number[] {
  const out: number[] = [];
  raw.timestamps.forEach((t, i) => {
    const ms = Date.parse(t);
    if (ms >= start && ms < end && raw.values[i] !== null) out.push(raw.values[i]!);
  });
  return out;
}

const REDUCE: Record<string, (v: number[]) => number | null> = {
  MEAN: (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null),
  SUM: (v) => (v.length ? v.reduce((a, b) => a + b, 0) : null),
  MIN: (v) => (v.length ? Math.min(...v) : null),
  MAX: (v) => (v.length ? Math.max(...v) : null),
  COUNT: (v) => v.length,
  FIRST: (v) => v[0] ?? null,
  LAST: (v) => v.at(-1) ?? null,
};

function expectClose(actual: (number | null)[], expected: (number | null)[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    if (expected[i] === null) expect(v, `bucket ${i}`).toBeNull();
    else expect(v, `bucket ${i}`).toBeCloseTo(expected[i]!, 9);
  });
}

describe('one window rule: [from, to) on every upstream', () => {
  it('a day of 10-minute data is 144 points and of 15-minute data 96, none at `to`', async () => {
    const [meetnet, fm, bem] = (await Promise.all(SENSORS.map((id) => series(app, id)))) as [Series, Series, Series];
    expect(meetnet.timestamps).toHaveLength(144);
    expect(meetnet.timestamps[0]).toBe(iso(FROM));
    expect(meetnet.timestamps.at(-1)).toBe(iso(TO - 600_000));
    expect(fm.timestamps).toHaveLength(96);
    expect(fm.timestamps.at(-1)).toBe(iso(TO - 900_000));
    expect(bem.timestamps.length).toBeGreaterThan(100);
    for (const s of [meetnet, fm, bem]) expect(s.timestamps.every((t) => Date.parse(t) >= FROM && Date.parse(t) < TO)).toBe(true);
  });

  it('two adjacent windows hold exactly the points of the window they make up', async () => {
    for (const id of SENSORS) {
      const [whole, first, second] = await Promise.all([
        series(app, id),
        series(app, id, { to: iso(FROM + DAY / 2) }),
        series(app, id, { from: iso(FROM + DAY / 2) }),
      ]);
      expect([...first.timestamps, ...second.timestamps], id).toEqual(whole.timestamps);
      expect([...first.values, ...second.values], id).toEqual(whole.values);
    }
  });

  it('hourly buckets over a day are 24 on every upstream', async () => {
    for (const id of SENSORS) {
      const s = await series(app, id, { bucket: { width: 1, unit: 'HOUR', aggregation: 'MEAN' } });
      expect(s.timestamps, id).toEqual(Array.from({ length: 24 }, (_, h) => iso(FROM + h * HOUR)));
    }
  });
});

describe('buckets on every upstream', () => {
  for (const id of SENSORS) {
    for (const aggregation of Object.keys(REDUCE)) {
      it(`${id}: hourly ${aggregation} equals the raw values of each hour, ${aggregation.toLowerCase()}ed`, async () => {
        const raw = await series(app, id);
        const hours = Array.from({ length: 24 }, (_, h) => FROM + h * HOUR);
        const s = await series(app, id, { bucket: { width: 1, unit: 'HOUR', aggregation } });
        expect(s.timestamps).toEqual(hours.map(iso));
        expectClose(
          s.values,
          hours.map((h) => REDUCE[aggregation]!(valuesIn(raw, h, h + HOUR))),
        );
        expect(s.unit).toBe(aggregation === 'COUNT' ? null : raw.unit);
      });
    }
  }

  it('days in Europe/Brussels start at local midnight: 25 hours on 25 October 2026, 24 after', async () => {
    const from = Date.parse('2026-10-24T22:00:00Z'); // 25 October, 00:00 in Brussels (CEST)
    const to = Date.parse('2026-10-26T23:00:00Z'); // 27 October, 00:00 (CET)
    const boundaries = [from, Date.parse('2026-10-25T23:00:00Z'), to];
    for (const id of SENSORS) {
      const raw = await series(app, id, { from: iso(from), to: iso(to) });
      const s = await series(app, id, {
        from: iso(from),
        to: iso(to),
        bucket: { width: 1, unit: 'DAY', aggregation: 'MEAN' },
        timeZone: 'Europe/Brussels',
      });
      expect(s.timestamps, id).toEqual(boundaries.slice(0, 2).map(iso));
      expectClose(
        s.values,
        [valuesIn(raw, boundaries[0]!, boundaries[1]!), valuesIn(raw, boundaries[1]!, boundaries[2]!)].map(REDUCE.MEAN!),
      );
    }
  });

  it('the gateway aggregates exactly as the upstreams do, on the same data', async () => {
    // [sensor, arguments, whether the upstream computes them]
    const cases: Array<[string, Record<string, unknown>, boolean]> = [
      [BEM, { bucket: { width: 1, unit: 'HOUR', aggregation: 'MEAN' } }, true],
      [BEM, { bucket: { width: 1, unit: 'HOUR', aggregation: 'SUM' } }, true],
      [BEM, { bucket: { width: 1, unit: 'HOUR', aggregation: 'COUNT' } }, true],
      [BEM, { bucket: { width: 1, unit: 'MINUTE', aggregation: 'MIN' } }, true],
      [
        BEM,
        { bucket: { width: 1, unit: 'DAY', aggregation: 'MEAN' }, timeZone: 'Europe/Brussels', from: iso(FROM - HOUR), to: iso(TO - HOUR) },
        true,
      ],
      // Wider buckets BEMServer re-aggregates per hour (a mean of means): the gateway makes them.
      [BEM, { bucket: { width: 3, unit: 'HOUR', aggregation: 'MEAN' } }, false],
      [FM, { bucket: { width: 1, unit: 'HOUR', aggregation: 'MEAN' } }, true],
      // Three hours from local midnight in the sensor's zone, as FlexMeasures counts its slots.
      [
        FM_PRICE,
        {
          bucket: { width: 3, unit: 'HOUR', aggregation: 'MEAN' },
          timeZone: 'Europe/Amsterdam',
          from: iso(FROM - HOUR),
          to: iso(TO - HOUR),
        },
        true,
      ],
      // The same from UTC midnight is not on FlexMeasures' grid: the gateway makes them.
      [FM_PRICE, { bucket: { width: 3, unit: 'HOUR', aggregation: 'MEAN' } }, false],
    ];
    for (const [id, vars, byUpstream] of cases) {
      for (const sim of Object.values(app.simulators)) sim!.clearLog();
      const upstream = await series(app, id, vars);
      const gateway = await series(gatewayOnly, id, vars);
      const label = `${id} ${JSON.stringify(vars)}`;
      expect(upstream.timestamps, label).toEqual(gateway.timestamps);
      expectClose(upstream.values, gateway.values);
      // Whether the first gateway asked the upstream for buckets (the second always reads the raw series).
      const asked =
        id === BEM
          ? app.simulators.bemserver!.requests().some((r) => r.path === '/timeseries_data/aggregate')
          : app.simulators.flexmeasures!.requests().some((r) => r.query.resolution);
      expect(asked, label).toBe(byUpstream);
    }
    expect(gatewayOnly.simulators.bemserver!.requests().some((r) => r.path === '/timeseries_data/aggregate')).toBe(false);
  });

  it("FIRST and LAST, which BEMServer does not compute, are the gateway's", async () => {
    const s = await series(app, BEM, { bucket: { width: 1, unit: 'HOUR', aggregation: 'LAST' } });
    expect(s.timestamps).toHaveLength(24);
    expect(app.simulators.bemserver!.requests().some((r) => r.path === '/timeseries_data/aggregate')).toBe(false);
  });
});

describe('time zones BEMServer does not take (its fixed list, bemserver CONTRACT.md §7.2 quirk 1)', () => {
  const DAY_MEAN = { width: 1, unit: 'DAY', aggregation: 'MEAN' };
  const aggregateCalls = () => app.simulators.bemserver!.requests().filter((r) => r.path === '/timeseries_data/aggregate');

  it('days in America/Ciudad_Juarez (2022, not listed) are made by the gateway, equal to Denver days (its offsets) made by BEMServer', async () => {
    // US DST ends on 1 November 2026, in both zones: that local day is 25 hours.
    const from = Date.parse('2026-10-31T06:00:00Z'); // 31 October, 00:00 MDT
    const to = Date.parse('2026-11-03T07:00:00Z'); // 3 November, 00:00 MST
    const boundaries = [from, Date.parse('2026-11-01T06:00:00Z'), Date.parse('2026-11-02T07:00:00Z'), to];
    const window = { from: iso(from), to: iso(to) };
    const raw = await series(app, BEM, window);
    app.simulators.bemserver!.clearLog();
    const juarez = await series(app, BEM, { ...window, bucket: DAY_MEAN, timeZone: 'America/Ciudad_Juarez' });
    expect(aggregateCalls()).toHaveLength(0);
    const denver = await series(app, BEM, { ...window, bucket: DAY_MEAN, timeZone: 'America/Denver' });
    expect(aggregateCalls().map((r) => r.query.timezone)).toEqual(['America/Denver']);
    expect(juarez.timestamps).toEqual(boundaries.slice(0, 3).map(iso));
    expectClose(
      juarez.values,
      [0, 1, 2].map((i) => REDUCE.MEAN!(valuesIn(raw, boundaries[i]!, boundaries[i + 1]!))),
    );
    expect(denver.timestamps).toEqual(juarez.timestamps);
    expectClose(denver.values, juarez.values);
  });

  it('an alias or another case of a listed zone is asked of BEMServer by its listed name, with the same buckets', async () => {
    const cases: Array<[string, string]> = [
      ['Asia/Calcutta', 'Asia/Kolkata'],
      ['asia/kolkata', 'Asia/Kolkata'],
      ['Europe/Kiev', 'Europe/Kyiv'],
      ['US/Mountain', 'America/Denver'],
    ];
    for (const [asked, sent] of cases) {
      app.simulators.bemserver!.clearLog();
      const vars = { bucket: DAY_MEAN, timeZone: asked, from: iso(FROM - DAY), to: iso(TO) };
      const upstream = await series(app, BEM, vars);
      expect(
        aggregateCalls().map((r) => r.query.timezone),
        asked,
      ).toEqual([sent]);
      const gateway = await series(gatewayOnly, BEM, vars);
      expect(upstream.timestamps, asked).toEqual(gateway.timestamps);
      expect(upstream.timestamps.length, asked).toBeGreaterThan(1);
      expectClose(upstream.values, gateway.values);
    }
  });

  it('their buckets cost the raw points the gateway reads: a year of days of 50 sensors is refused before any call', async () => {
    const sensors = await gql(app.url, '{ sensors(upstream: BEMSERVER, first: 50) { nodes { id } } }');
    const ids = sensors.data!.sensors.nodes.map((n: { id: string }) => n.id);
    expect(ids).toHaveLength(50);
    const query = `query($ids: [ID!]!, $timeZone: String) {
      timeSeries(sensorIds: $ids, from: "${iso(NOW - 365 * DAY)}", to: "${iso(NOW)}", bucket: { unit: DAY }, timeZone: $timeZone) { count }
    }`;
    app.simulators.bemserver!.clearLog();
    const refused = await gql(app.url, query, { ids, timeZone: 'America/Ciudad_Juarez' });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
    expect(app.simulators.bemserver!.requests().filter((r) => r.path.startsWith('/timeseries_data'))).toHaveLength(0);
    // The same days in a zone BEMServer takes are its buckets: 50 × 366 points.
    const made = await gql(app.url, query, { ids, timeZone: 'America/Denver' });
    expect(made.errors).toBeUndefined();
    expect(aggregateCalls().length).toBeGreaterThan(0);
  });
});

describe('maxPoints', () => {
  it('a year of 10-minute data comes back as at most maxPoints points, its minimum and maximum among them', async () => {
    const from = iso(NOW - 365 * DAY);
    const to = iso(NOW);
    const raw = await series(app, MEETNET, { from, to });
    expect(raw.timestamps.length).toBeGreaterThan(50_000);
    const drawn = await series(app, MEETNET, { from, to, maxPoints: 1000 });
    expect(drawn.timestamps.length).toBeLessThanOrEqual(1000);
    expect(drawn.timestamps.length).toBeGreaterThan(500);
    const values = drawn.values.filter((v): v is number => v !== null);
    expect(Math.min(...values)).toBe(raw.min);
    expect(Math.max(...values)).toBe(raw.max);
    expect([drawn.min, drawn.max]).toEqual([raw.min, raw.max]);
    // Real points of the series, in order.
    const rawAt = new Map(raw.timestamps.map((t, i) => [t, raw.values[i]]));
    drawn.timestamps.forEach((t, i) => expect(rawAt.get(t)).toBe(drawn.values[i]));
    expect(drawn.timestamps).toEqual([...drawn.timestamps].sort());
    expect(drawn.timestamps[0]).toBe(raw.timestamps[0]);
    expect(drawn.timestamps.at(-1)).toBe(raw.timestamps.at(-1));
  });

  it('a series shorter than maxPoints is unchanged; after buckets, it reduces the buckets', async () => {
    const raw = await series(app, FM);
    expect(await series(app, FM, { maxPoints: 96 })).toEqual(raw);
    const weekly = await series(app, BEM, { from: iso(NOW - 28 * DAY), to: iso(NOW), bucket: { unit: 'HOUR' }, maxPoints: 100 });
    expect(weekly.timestamps.length).toBeLessThanOrEqual(100);
  });
});

describe('units', () => {
  it('converts m/s to km/h and knots, EUR/MWh to EUR/kWh, MW to kW', async () => {
    const raw = await series(app, MEETNET);
    const kmh = await series(app, MEETNET, { unit: 'km/h' });
    expect(kmh.unit).toBe('km/h');
    expect(kmh.timestamps).toEqual(raw.timestamps);
    kmh.values.forEach((v, i) => expect(v).toBeCloseTo(raw.values[i]! * 3.6, 9));
    expect(kmh.max).toBeCloseTo(raw.max! * 3.6, 9);
    const price = await series(app, FM_PRICE);
    const perKwh = await series(app, FM_PRICE, { unit: 'EUR/kWh' });
    perKwh.values.forEach((v, i) => expect(v).toBeCloseTo(price.values[i]! / 1000, 12));
    const power = await series(app, FM);
    const kw = await series(app, FM, { unit: 'kW', bucket: { unit: 'HOUR', aggregation: 'MAX' } });
    const mwHourly = await series(app, FM, { bucket: { unit: 'HOUR', aggregation: 'MAX' } });
    kw.values.forEach((v, i) => expect(v).toBeCloseTo(mwHourly.values[i]! * 1000, 9));
    expect(power.unit).toBe('MW');
  });

  it('refuses a unit that measures something else, naming both', async () => {
    const e = await seriesError(MEETNET, { unit: 'MW' });
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toContain('m/s');
    expect(e.message).toContain('MW');
    expect((await seriesError(FM_PRICE, { unit: 'MW' })).message).toContain('EUR/MWh');
    expect((await seriesError(FM, { unit: 'furlongs' })).code).toBe('BAD_USER_INPUT');
    expect((await seriesError(FM, { unit: 'kW', bucket: { unit: 'HOUR', aggregation: 'COUNT' } })).message).toContain('COUNT');
  });
});

describe('bad shaping arguments', () => {
  it('each gets BAD_USER_INPUT naming what to change, before any upstream call', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ maxPoints: 2 }, 'maxPoints'],
      [{ maxPoints: 10_000_000 }, 'maxPoints'],
      [{ bucket: { width: 2, unit: 'DAY' } }, 'bucket'],
      [{ bucket: { width: 0, unit: 'HOUR' } }, 'bucket'],
      [{ from: iso(TO), to: iso(FROM) }, 'to'],
    ];
    for (const sim of Object.values(app.simulators)) sim!.clearLog();
    for (const [vars, word] of cases) {
      const e = await seriesError(MEETNET, vars);
      expect(e.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
      expect(e.message).toContain(word);
    }
    expect(app.simulators.meetnet!.requests('getData')).toHaveLength(0);
  });
});

describe('what a shaped read costs', () => {
  it('buckets and maxPoints the gateway computes count the raw points it reads: ten years of 40 sensors are refused before any call', async () => {
    const sensors = await gql(app.url, '{ sensors(upstream: MEETNET, first: 40) { nodes { id } } }');
    const ids = sensors.data!.sensors.nodes.map((n: { id: string }) => n.id);
    for (const sim of Object.values(app.simulators)) sim!.clearLog();
    const from = iso(NOW - 3650 * DAY);
    for (const shape of ['bucket: { unit: YEAR }', 'maxPoints: 100']) {
      const res = await gql(
        app.url,
        `query($ids: [ID!]!) { timeSeries(sensorIds: $ids, from: "${from}", to: "${iso(NOW)}", ${shape}) { values } }`,
        {
          ids,
        },
      );
      expect(res.errors![0]!.extensions, shape).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
    }
    expect(app.simulators.meetnet!.requests('getData')).toHaveLength(0);
    // BEMServer makes hourly means itself: a year of them counts as its buckets.
    const bem = await gql(
      app.url,
      `{ sensor(id: "${BEM}") { series(from: "${iso(NOW - 365 * DAY)}", to: "${iso(NOW)}", bucket: { unit: DAY }) { count } } }`,
    );
    expect(bem.errors).toBeUndefined();
  });
});

const FRAME = `query ($ids: [ID!]!, $from: DateTime!, $to: DateTime!, $bucket: BucketInput, $fill: Fill, $unit: String) {
  frame(sensorIds: $ids, from: $from, to: $to, bucket: $bucket, fill: $fill, unit: $unit) { from to timestamps columns { sensor { id } unit values } }
}`;

interface Frame {
  timestamps: string[];
  columns: Array<{ sensor: { id: string }; unit: string | null; values: (number | null)[] } | null>;
}

async function frame(vars: Record<string, unknown>): Promise<Frame> {
  const res = await gql(app.url, FRAME, { from: iso(FROM), to: iso(TO), ...vars });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.frame as Frame;
}

describe('frames', () => {
  it('puts 10- and 15-minute series on one axis, gaps left null or filled as asked', async () => {
    const [m, f] = await Promise.all([series(app, MEETNET), series(app, FM)]);
    const none = await frame({ ids: [MEETNET, FM] });
    // Every 10 and every 15 minutes: 144 + 96 - 48 shared instants.
    expect(none.timestamps).toHaveLength(192);
    const at = (t: string) => none.timestamps.indexOf(t);
    const t0 = iso(FROM);
    const t10 = iso(FROM + 600_000);
    const t15 = iso(FROM + 900_000);
    expect(none.columns[0]!.values[at(t10)]).toBe(m.values[1]);
    expect(none.columns[0]!.values[at(t15)]).toBeNull();
    expect(none.columns[1]!.values[at(t10)]).toBeNull();
    expect(none.columns[1]!.values[at(t15)]).toBe(f.values[1]);
    const previous = await frame({ ids: [MEETNET, FM], fill: 'PREVIOUS' });
    expect(previous.columns[1]!.values[at(t10)]).toBe(f.values[0]);
    expect(previous.columns[0]!.values[at(t15)]).toBe(m.values[1]);
    const linear = await frame({ ids: [MEETNET, FM], fill: 'LINEAR' });
    expect(linear.columns[1]!.values[at(t10)]).toBeCloseTo(f.values[0]! + ((f.values[1]! - f.values[0]!) * 10) / 15, 12);
    const zero = await frame({ ids: [MEETNET, FM], fill: 'ZERO' });
    expect(zero.columns[1]!.values[at(t10)]).toBe(0);
    expect(zero.columns[1]!.values[at(t0)]).toBe(f.values[0]);
  });

  it('with a bucket, every column has every bucket and equals the bucketed series', async () => {
    const bucket = { width: 1, unit: 'HOUR', aggregation: 'MEAN' };
    const ids = [MEETNET, FM, BEM];
    const f = await frame({ ids, bucket });
    expect(f.timestamps).toHaveLength(24);
    for (const [i, id] of ids.entries()) {
      const s = await series(app, id, { bucket });
      expect(f.columns[i]!.sensor.id).toBe(id);
      expect(f.columns[i]!.values).toEqual(s.values);
      expect(f.columns[i]!.unit).toBe(s.unit);
    }
  });

  it('an unknown sensor is a null column with its error; the others are there', async () => {
    const res = await gql(app.url, FRAME, { ids: [MEETNET, 'flexmeasures:sensor:999999'], from: iso(FROM), to: iso(TO) });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['frame', 'columns', 1]);
    expect(res.data!.frame.columns[0].values).toHaveLength(144);
    expect(res.data!.frame.columns[1]).toBeNull();
  });

  const download = (format: string, params: Record<string, string>) =>
    fetch(`${app.url.replace(/\/graphql$/, '')}/frame.${format}?${new URLSearchParams(params)}`, {
      headers: bearer(KEYS.admin),
    });

  it('downloads as CSV and JSON from GET /frame.csv and /frame.json', async () => {
    const params = { sensorIds: `${MEETNET},${FM}`, from: iso(FROM), to: iso(TO), bucket: '1h', aggregation: 'max' };
    const csv = await download('csv', params);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="frame-.*\.csv"$/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(25);
    expect(lines[0]).toBe(`time,${MEETNET} (m/s),${FM} (MW)`);
    const f = await frame({ ids: [MEETNET, FM], bucket: { width: 1, unit: 'HOUR', aggregation: 'MAX' } });
    expect(lines[1]).toBe(`${f.timestamps[0]},${f.columns[0]!.values[0]},${f.columns[1]!.values[0]}`);
    const json = (await (await download('json', params)).json()) as {
      timestamps: string[];
      columns: Array<{ sensorId: string; values: number[] }>;
    };
    expect(json.timestamps).toEqual(f.timestamps);
    expect(json.columns.map((c) => c.sensorId)).toEqual([MEETNET, FM]);
    expect(json.columns[1]!.values).toEqual(f.columns[1]!.values);
  });

  it('HEAD /frame.csv and /frame.json answer as GET does, without a body: status, headers, access checks and errors', async () => {
    const ok = { sensorIds: `${MEETNET},${FM}`, from: iso(FROM), to: iso(TO), bucket: '1h', aggregation: 'max' };
    const cases: Array<[string, Record<string, string>, Record<string, string>, number]> = [
      ['csv', ok, bearer(KEYS.admin), 200],
      ['json', ok, bearer(KEYS.admin), 200],
      ['csv', { ...ok, bucket: 'fortnight' }, bearer(KEYS.admin), 400],
      ['json', { ...ok, sensorIds: 'flexmeasures:sensor:999999' }, bearer(KEYS.admin), 400],
      ['csv', ok, bearer('not-a-key'), 401],
      // A key limited to Meetnet may not read FlexMeasures.
      ['json', ok, bearer(KEYS.meetnetReader), 403],
    ];
    // What differs between any two answers, and the connection: fetch (undici) asks to close it after a HEAD.
    const varies = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);
    const headersOf = (r: Response) => Object.fromEntries([...r.headers].filter(([k]) => !varies.has(k)));
    for (const [format, params, headers, status] of cases) {
      const url = `${app.url.replace(/\/graphql$/, '')}/frame.${format}?${new URLSearchParams(params)}`;
      const get = await fetch(url, { headers });
      const head = await fetch(url, { method: 'HEAD', headers });
      const label = `${format} ${status}`;
      expect(get.status, label).toBe(status);
      expect(head.status, label).toBe(status);
      expect(headersOf(head), label).toEqual(headersOf(get));
      expect(head.headers.get('content-type'), label).toMatch(format === 'csv' && status === 200 ? /^text\/csv/ : /^application\/json/);
      expect(Number(head.headers.get('content-length')), label).toBeGreaterThan(0); // GET's (compressed) length, as the line above says
      expect((await get.arrayBuffer()).byteLength, label).toBeGreaterThan(0);
      expect(await head.text(), label).toBe('');
    }
    // On the wire: nothing after the headers.
    const { host, port } = new URL(app.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), host.split(':')[0]!, () =>
        socket.write(
          `HEAD /frame.csv?${new URLSearchParams(ok)} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${KEYS.admin}\r\nconnection: close\r\n\r\n`,
        ),
      );
      let text = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text)).on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).toMatch(/\r\ncontent-type: text\/csv/i);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw.indexOf('\r\n\r\n')).toBe(raw.length - 4);
    const post = await fetch(`${app.url.replace(/\/graphql$/, '')}/frame.csv?${new URLSearchParams(ok)}`, {
      method: 'POST',
      headers: bearer(KEYS.admin),
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // Refused in the shape of every other error answer.
    expect(await post.json()).toEqual({
      errors: [{ message: 'POST is not supported: use GET or HEAD', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('a download with bad parameters or an unknown sensor is a 400 naming it', async () => {
    const bad = await download('csv', { sensorIds: MEETNET, from: iso(FROM), to: iso(TO), bucket: 'fortnight' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('bucket');
    const unknown = await download('csv', { sensorIds: 'flexmeasures:sensor:999999', from: iso(FROM), to: iso(TO) });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('flexmeasures:sensor:999999');
    const extra = await download('json', { sensorIds: MEETNET, from: iso(FROM), to: iso(TO), colour: 'red' });
    expect(extra.status).toBe(400);
    expect(await extra.text()).toContain('colour');
    // A value the schema refuses is named as the parameter, not as the internal query's variable.
    const day = await download('csv', { sensorIds: MEETNET, from: '2026-11-18', to: iso(TO) });
    expect(day.status).toBe(400);
    const [error] = ((await day.json()) as { errors: Array<{ message: string; locations?: unknown }> }).errors;
    expect(error!.message).toMatch(/^from "2026-11-18": /);
    expect(error!.message).not.toContain('$');
    expect(error!.locations).toBeUndefined();
  });
});

describe('what the review of issue 16 found', () => {
  it('instants past the calendar, or buckets that reach past it, are BAD_USER_INPUT, and the gateway answers on', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [MEETNET, { from: '+275760-01-01T00:00:00Z', to: '+275760-09-13T00:00:00Z', bucket: { unit: 'YEAR', aggregation: 'COUNT' } }],
      [FM, { from: '+275760-01-01T00:00:00Z', to: '+275760-09-13T00:00:00Z', bucket: { unit: 'YEAR' } }],
      [MEETNET, { from: '0050-03-01T00:00:00Z', to: '0050-06-02T00:00:00Z', bucket: { unit: 'MONTH', aggregation: 'COUNT' } }],
      // A tiny window in a bucket a million hours wide reads the bucket's whole span: more than MAX_WINDOW_DAYS.
      [
        MEETNET,
        { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00.001Z', bucket: { width: 1_000_000, unit: 'HOUR', aggregation: 'COUNT' } },
      ],
    ];
    for (const [id, vars] of cases) {
      const e = await seriesError(id, vars);
      // The million-hour bucket is already too costly for the estimate, which counts its span.
      expect(['BAD_USER_INPUT', 'LIMIT_EXCEEDED'], JSON.stringify(vars)).toContain(e.code);
      expect(e.code === 'LIMIT_EXCEEDED').toBe(JSON.stringify(vars).includes('1000000'));
    }
    expect((await series(app, MEETNET)).timestamps).toHaveLength(144);
  });

  it('a year bucket over a 2 ms window costs the raw points of the years it reads', async () => {
    const sensors = await gql(app.url, '{ sensors(upstream: MEETNET, first: 40) { nodes { id } } }');
    const ids = sensors.data!.sensors.nodes.map((n: { id: string }) => n.id);
    const res = await gql(
      app.url,
      `query($ids: [ID!]!) { timeSeries(sensorIds: $ids, from: "2025-12-31T23:59:59.999Z", to: "2026-01-01T00:00:00.001Z", bucket: { unit: YEAR, aggregation: COUNT }) { values } }`,
      { ids },
    );
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
  });

  it('a frame whose shared axis would hold more values than an answer may is refused before its columns are made', async () => {
    const small = await startTestApp({ MAX_RESPONSE_POINTS: '5000' });
    try {
      // 144 + 96 - 48 instants, three columns: 576 values; twenty columns of two intervals: more than 5,000.
      const ok = await gql(small.url, FRAME, { ids: [MEETNET, FM, MEETNET], from: iso(FROM), to: iso(TO) });
      expect(ok.errors).toBeUndefined();
      const ids = Array.from({ length: 30 }, (_, i) => (i % 2 ? MEETNET : FM));
      const res = await gql(small.url, FRAME, { ids, from: iso(FROM), to: iso(TO) });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_RESPONSE_POINTS', asked: 192 * 30 });
    } finally {
      await small.stop();
    }
  });
});
