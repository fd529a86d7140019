// Unit tests of the pure BEMServer mapping against the contract (src/upstreams/bemserver/CONTRACT.md §1.2,
// §1.4, §4, §6, §7, §10) and the recorded test/doc fixtures, read point by point.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wireError } from '../helpers/errors.js';
import { Language, type Location } from '../../src/shared/domain.js';
import {
  BEMSERVER,
  attachmentOf,
  bemErrorOutcome,
  bemId,
  bemLocationId,
  campaignTimezones,
  mapAggregateJson,
  mapDataJson,
  mapLocations,
  mapParameters,
  mapStats,
  mapTimeseries,
  mapTimeseriesList,
  parseBemTime,
  parsePagination,
  propertyDataByTimeseries,
  toDataJson,
  type BemLinks,
  type BemSensorContext,
  type BemStructure,
} from '../../src/upstreams/bemserver/mapping.js';
import type { SeriesResult } from '../../src/upstreams/series.js';

// Copies of the recorded payloads of src/upstreams/bemserver/CONTRACT.md, kept with the tests.
const FIXTURES = new URL('../fixtures/bemserver', import.meta.url).pathname;

const text = (rel: string): string => readFileSync(`${FIXTURES}/${rel}`, 'utf8');
const fx = (rel: string): unknown => JSON.parse(text(rel)) as unknown;
type Json = Record<string, unknown>;
const fxObj = (rel: string): Json => fx(rel) as Json;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1); // 2020-01-01T00:00:00Z
const hours = (...h: number[]): number[] => h.map((x) => T0 + x * HOUR);
const days = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i * DAY);

function series(map: Map<string, SeriesResult>, id: string): SeriesResult {
  const s = map.get(id);
  if (s === undefined) throw new Error(`no series ${id}`);
  return s;
}

const EMPTY: SeriesResult = { times: [], values: [], min: null, max: null };
const NAMES = ['Timeseries 1', 'Timeseries 3', 'Timeseries 5'];

// =============================================================================================
// Global IDs

describe('global IDs', () => {
  it('prefixes kind and native id; locations carry their resource kind', () => {
    expect(BEMSERVER).toBe('bemserver');
    expect(bemId('sensor', '12')).toBe('bemserver:sensor:12');
    expect(bemId('parameter', '3')).toBe('bemserver:parameter:3');
    expect(bemLocationId('site', 1)).toBe('bemserver:location:site:1');
    expect(bemLocationId('zone', 7)).toBe(bemId('location', 'zone:7'));
  });
});

// =============================================================================================
// Timestamps

describe('parseBemTime', () => {
  it('reads isoformat() with a colon offset, UTC and local (§7.3)', () => {
    expect(parseBemTime('2020-01-01T00:00:00+00:00')).toBe(T0);
    expect(parseBemTime('2020-01-01T01:00:00+01:00')).toBe(T0);
    expect(parseBemTime('2019-12-31T19:00:00-05:00')).toBe(T0);
    expect(parseBemTime('2020-10-25T02:00:00+02:00')).toBe(Date.UTC(2020, 9, 25, 0));
    expect(parseBemTime('2020-10-25T02:00:00+01:00')).toBe(Date.UTC(2020, 9, 25, 1));
  });

  it('reads strftime %z without a colon, as in CSV (§7.4)', () => {
    expect(parseBemTime('2020-01-01T00:00:00+0000')).toBe(T0);
    expect(parseBemTime('2020-01-01T01:00:00+0100')).toBe(T0);
    expect(parseBemTime('2020-01-01T05:30:00+0530')).toBe(T0);
  });

  it('reads microseconds (truncated to ms), Z, ±HH, a space separator and minutes only (§1.3)', () => {
    expect(parseBemTime('2020-01-01T00:00:00.500000+00:00')).toBe(T0 + 500);
    expect(parseBemTime('2020-01-01T00:00:00.123999+00:00')).toBe(T0 + 123);
    expect(parseBemTime('2020-01-01T00:00:00.5+00:00')).toBe(T0 + 500);
    expect(parseBemTime('2020-01-01T00:00:00.123456789Z')).toBe(T0 + 123);
    expect(parseBemTime('2020-01-01T00:00:00Z')).toBe(T0);
    expect(parseBemTime('2020-01-01T02:00:00+02')).toBe(T0);
    expect(parseBemTime('2020-01-01 00:00:00+00:00')).toBe(T0);
    expect(parseBemTime('2020-01-01T00:00+00:00')).toBe(T0);
    expect(parseBemTime('2020-02-29T00:00:00+00:00')).toBe(Date.UTC(2020, 1, 29));
    expect(parseBemTime('1680-01-01T00:00:00+00:00')).toBe(Date.UTC(1680, 0, 1));
    expect(parseBemTime('2000-02-29T00:00:00+00:00')).toBe(Date.UTC(2000, 1, 29));
    expect(parseBemTime('0050-06-01T00:00:00+00:00')).toBe(Date.parse('0050-06-01T00:00:00Z'));
  });

  it('refuses naive, date-only, impossible and non-string values', () => {
    for (const bad of [
      '2020-01-01T00:00:00',
      '2020-01-01',
      '2020-02-30T00:00:00+00:00',
      '2021-02-29T00:00:00+00:00',
      '1900-02-29T00:00:00+00:00',
      '2020-04-31T00:00:00+00:00',
      '2020-13-01T00:00:00+00:00',
      '2020-01-01T24:00:00+00:00',
      '2020-01-01T00:60:00+00:00',
      '2020-01-01T00:00:60+00:00',
      '2020-01-01T00:00:00+24:00',
      '2020-01-01T00:00:00+01:60',
      '2020-01-01T00:00:00+1',
      ' 2020-01-01T00:00:00+00:00',
      '2020-01-01T00:00:00+00:00 ',
      'yesterday',
      '',
      `2020-01-01T00:00:00.${'0'.repeat(40)}+00:00`,
    ]) {
      expect(parseBemTime(bad), bad).toBeNull();
    }
    for (const bad of [null, undefined, 1577836800000, {}, ['2020-01-01T00:00:00+00:00']]) expect(parseBemTime(bad)).toBeNull();
  });
});

// =============================================================================================
// Raw data, JSON (§7.3)

describe('mapDataJson: recorded raw exports', () => {
  it('by id, UTC: four hourly points 0..3 (api_tests)', () => {
    const out = mapDataJson(fx('api_tests/timeseries_data_get_by_id_utc.response.json'), ['1']);
    expect([...out.keys()]).toEqual(['1']);
    expect(series(out, '1')).toEqual({ times: hours(0, 1, 2, 3), values: [0, 1, 2, 3], min: 0, max: 3 });
  });

  it('by id, Europe/Paris: the same instants written at +01:00', () => {
    const paris = mapDataJson(fx('api_tests/timeseries_data_get_by_id_europe_paris.response.json'), ['1']);
    expect(series(paris, '1')).toEqual({ times: hours(0, 1, 2, 3), values: [0, 1, 2, 3], min: 0, max: 3 });
    const utc = mapDataJson(fx('api_tests/timeseries_data_get_by_id_utc.response.json'), ['1']);
    expect(paris).toEqual(utc);
  });

  it('by id, convert_to=mm: values ×1000', () => {
    const out = mapDataJson(fx('api_tests/timeseries_data_get_by_id_convert_to_mm.response.json'), ['1']);
    expect(series(out, '1')).toEqual({ times: hours(0, 1, 2, 3), values: [0, 1000, 2000, 3000], min: 0, max: 3000 });
  });

  it('by name, UTC: "Timeseries 3" has no data, is left out by the server and maps to an empty series', () => {
    const json = fxObj('core_tests/export_json_raw_by_name_utc.response.json');
    expect(Object.keys(json)).toEqual(['Timeseries 1', 'Timeseries 5']);
    const out = mapDataJson(json, NAMES);
    expect(new Set(out.keys())).toEqual(new Set(NAMES));
    expect(series(out, 'Timeseries 1')).toEqual({ times: hours(0, 1, 2), values: [0, 1, 2], min: 0, max: 2 });
    expect(series(out, 'Timeseries 3')).toEqual(EMPTY);
    expect(series(out, 'Timeseries 5')).toEqual({ times: hours(0, 1), values: [10, 12], min: 10, max: 12 });
  });

  it('by name, Europe/Paris: identical instants and values to UTC', () => {
    const paris = mapDataJson(fx('core_tests/export_json_raw_by_name_europe_paris.response.json'), NAMES);
    expect(series(paris, 'Timeseries 1')).toEqual({ times: hours(0, 1, 2), values: [0, 1, 2], min: 0, max: 2 });
    expect(series(paris, 'Timeseries 3')).toEqual(EMPTY);
    expect(series(paris, 'Timeseries 5')).toEqual({ times: hours(0, 1), values: [10, 12], min: 10, max: 12 });
    expect(paris).toEqual(mapDataJson(fx('core_tests/export_json_raw_by_name_utc.response.json'), NAMES));
  });

  it('reads the by-name import body (integer values) like a response', () => {
    const out = mapDataJson(fx('core_tests/import_json_by_name.request.json'), ['Timeseries 1', 'Timeseries 3']);
    expect(series(out, 'Timeseries 1')).toEqual({ times: hours(0, 1, 2, 3), values: [0, 1, 2, 3], min: 0, max: 3 });
    expect(series(out, 'Timeseries 3')).toEqual({ times: hours(0, 1, 2, 3), values: [10, 11, 12, 13], min: 10, max: 13 });
  });

  it('no data at all (`{}`, e.g. after a DELETE) gives an empty series per requested id', () => {
    const out = mapDataJson({}, ['1', '2']);
    expect(series(out, '1')).toEqual(EMPTY);
    expect(series(out, '2')).toEqual(EMPTY);
  });

  it('sorts points the server did not sort; a tolerated null is kept but stays out of min/max', () => {
    const out = mapDataJson(
      { '7': { '2020-01-01T02:00:00+00:00': 5, '2020-01-01T00:00:00+00:00': -1.5, '2020-01-01T02:00:00+01:00': null } },
      ['7'],
    );
    expect(series(out, '7')).toEqual({ times: hours(0, 1, 2), values: [-1.5, null, 5], min: -1.5, max: 5 });
  });

  it('reads sub-second keys (microseconds in isoformat)', () => {
    const out = mapDataJson({ '1': { '2020-01-01T00:00:00+00:00': 1, '2020-01-01T00:00:00.500000+00:00': 2 } }, ['1']);
    expect(series(out, '1').times).toEqual([T0, T0 + 500]);
  });
});

// =============================================================================================
// Aggregates, JSON (§7.5)

/** Three days of daily buckets of the core test data ("Timeseries 1" = 0..71 hourly, "Timeseries 3" none, "Timeseries 5" = 10, 12, … for 48 h). */
const DAILY: Record<string, { t1: number[]; t5: Array<number | null> }> = {
  avg: { t1: [11.5, 35.5, 59.5], t5: [33, 81, null] },
  sum: { t1: [276, 852, 1428], t5: [792, 1944, null] },
  min: { t1: [0, 24, 48], t5: [10, 58, null] },
  max: { t1: [23, 47, 71], t5: [56, 104, null] },
};

function expectDaily(out: Map<string, SeriesResult>, agg: string, start: number, t1: number[], t5: Array<number | null>): void {
  const axis = days(start, 3);
  expect(series(out, 'Timeseries 1'), agg).toEqual({ times: axis, values: t1, min: Math.min(...t1), max: Math.max(...t1) });
  // The series without data is still there, gap-filled with null buckets.
  expect(series(out, 'Timeseries 3'), agg).toEqual({ times: axis, values: [null, null, null], min: null, max: null });
  const n5 = t5.filter((v): v is number => v !== null);
  expect(series(out, 'Timeseries 5'), agg).toEqual({ times: axis, values: t5, min: Math.min(...n5), max: Math.max(...n5) });
}

describe('mapAggregateJson: recorded bucket exports', () => {
  it.each(Object.keys(DAILY))('1 day %s, UTC: every bucket of every series, nulls kept', (agg) => {
    const out = mapAggregateJson(fx(`core_tests/export_json_bucket_1day_${agg}_by_name_utc.response.json`), NAMES);
    expectDaily(out, agg, T0, DAILY[agg]!.t1, DAILY[agg]!.t5);
  });

  it('1 day avg, Europe/Paris: buckets at local midnight (23:00Z the day before)', () => {
    const out = mapAggregateJson(fx('core_tests/export_json_bucket_1day_avg_by_name_europe_paris.response.json'), NAMES);
    expect(series(out, 'Timeseries 1').times[0]).toBe(Date.UTC(2019, 11, 31, 23));
    expectDaily(out, 'avg paris', T0 - HOUR, [11, 34.5, 58.5], [32, 79, 104]);
  });

  it('no timeseries: `{}`', () => {
    expect(mapAggregateJson(fx('core_tests/export_json_bucket_no_timeseries.response.json'), []).size).toBe(0);
    // A window covering no bucket also answers `{}`: the requested series are empty.
    expect(series(mapAggregateJson({}, ['1']), '1')).toEqual(EMPTY);
  });

  it('by id, 1 day avg and the same converted to mm (api_tests)', () => {
    expect(series(mapAggregateJson(fx('api_tests/timeseries_data_aggregate_by_id_1day_avg.response.json'), ['1']), '1')).toEqual({
      times: [T0],
      values: [1.5],
      min: 1.5,
      max: 1.5,
    });
    expect(
      series(mapAggregateJson(fx('api_tests/timeseries_data_aggregate_by_id_1day_avg_convert_to_mm.response.json'), ['1']), '1'),
    ).toEqual({ times: [T0], values: [1500], min: 1500, max: 1500 });
  });

  it('count: integers, 0 for empty buckets', () => {
    const out = mapAggregateJson({ '2': { '2020-01-01T00:00:00+00:00': 24, '2020-01-02T00:00:00+00:00': 0 } }, ['2']);
    expect(series(out, '2')).toEqual({ times: days(T0, 2), values: [24, 0], min: 0, max: 24 });
  });

  it('DST fall-back: two hourly buckets with the same wall clock and different offsets stay apart', () => {
    const out = mapAggregateJson(
      { '1': { '2020-10-25T02:00:00+02:00': 1, '2020-10-25T02:00:00+01:00': 1, '2020-10-25T03:00:00+01:00': null } },
      ['1'],
    );
    const t = Date.UTC(2020, 9, 25, 0);
    expect(series(out, '1')).toEqual({ times: [t, t + HOUR, t + 2 * HOUR], values: [1, 1, null], min: 1, max: 1 });
  });
});

// =============================================================================================
// Stats (§7.6)

describe('mapStats', () => {
  it('with data (api_tests)', () => {
    const out = mapStats(fx('api_tests/timeseries_data_stats_by_id.response.json'), ['1']);
    expect(out.get('1')).toEqual({
      firstTimestamp: T0,
      lastTimestamp: T0 + 3 * HOUR,
      count: 4,
      min: 0,
      max: 3,
      avg: 1.5,
      stddev: 1.2909944487358056,
    });
  });

  it('without data: count 0 and nulls', () => {
    const out = mapStats(fx('api_tests/timeseries_data_stats_by_id_no_data.response.json'), ['1']);
    expect(out.get('1')).toEqual({ firstTimestamp: null, lastTimestamp: null, count: 0, min: null, max: null, avg: null, stddev: null });
  });

  it('by name, and a requested series the server left out reads as "no data"', () => {
    const out = mapStats(
      {
        stats: {
          'Timeseries 1': {
            first_timestamp: '2020-01-01T01:00:00+01:00',
            last_timestamp: '2020-01-01T01:00:00+01:00',
            count: 1,
            min: 2,
            max: 2,
            avg: 2,
            stddev: null,
          },
        },
      },
      ['Timeseries 1', 'Timeseries 2'],
    );
    expect(out.get('Timeseries 1')).toEqual({ firstTimestamp: T0, lastTimestamp: T0, count: 1, min: 2, max: 2, avg: 2, stddev: null });
    expect(out.get('Timeseries 2')?.count).toBe(0);
  });
});

// =============================================================================================
// Pagination (§4)

describe('parsePagination', () => {
  it('reads the client docstring example (client/x_pagination_header.example.json)', () => {
    expect(parsePagination(text('client/x_pagination_header.example.json'))).toEqual({
      total: 4,
      totalPages: 1,
      page: 1,
      lastPage: 1,
      nextPage: null,
    });
  });

  it('reads the contract examples: first page, last page, past the end, no items', () => {
    expect(parsePagination('{"total": 25, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1, "next_page": 2}')).toEqual({
      total: 25,
      totalPages: 3,
      page: 1,
      lastPage: 3,
      nextPage: 2,
    });
    expect(parsePagination('{"total": 25, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 3, "previous_page": 2}')).toEqual({
      total: 25,
      totalPages: 3,
      page: 3,
      lastPage: 3,
      nextPage: null,
    });
    expect(parsePagination('{"total": 25, "total_pages": 3, "first_page": 1, "last_page": 3}')).toEqual({
      total: 25,
      totalPages: 3,
      page: null,
      lastPage: 3,
      nextPage: null,
    });
    expect(parsePagination('{"total": 0, "total_pages": 0}')).toEqual({
      total: 0,
      totalPages: 0,
      page: null,
      lastPage: null,
      nextPage: null,
    });
  });

  it('takes the first value of a repeated header', () => {
    expect(parsePagination(['{"total": 1, "total_pages": 1, "page": 1}'])?.total).toBe(1);
  });

  it('null when absent or unparseable', () => {
    for (const bad of [
      undefined,
      null,
      '',
      'total=4',
      '[1,2]',
      '{"total": "4", "total_pages": 1}',
      '{"total": 4}',
      '{"total": 4, "total_pages": 1, "page": 1.5}',
      '{"total": -1, "total_pages": 0}',
      42,
      `{"total": 1, "total_pages": 1, "x": "${'a'.repeat(5000)}"}`,
    ]) {
      expect(parsePagination(bad), String(bad).slice(0, 40)).toBeNull();
    }
  });
});

// =============================================================================================
// Error bodies (§1.4, §2.4, §7.9)

describe('bemErrorOutcome', () => {
  it('the client 422 example: json fields flattened, in order', () => {
    const o = bemErrorOutcome(422, fx('client/error_422_validation.example.json'));
    expect(o.fields).toEqual(['json.campaign_scope_id', 'json.campaign_id']);
    expect(o.message).toBe('json.campaign_scope_id: Missing data for required field.; json.campaign_id: Not a valid integer.');
    expect(o.authCode).toBeNull();
  });

  it('a plain string value (unknown data state) is read like a list', () => {
    const o = bemErrorOutcome(422, {
      code: 422,
      status: 'Unprocessable Entity',
      errors: { query: { data_state: 'Unknown data state ID' } },
    });
    expect(o).toEqual({ message: 'query.data_state: Unknown data state ID', fields: ['query.data_state'], authCode: null });
  });

  it('list items nested by index, `_schema` kept as a field name, files', () => {
    const o = bemErrorOutcome(422, {
      code: 422,
      status: 'Unprocessable Entity',
      errors: {
        query: { timeseries: { '0': ['Not a valid integer.'] }, _schema: ['If provided, convert_to must be the same size as timeseries.'] },
        files: { sites_csv: ['Missing data for required field.'] },
      },
    });
    expect(o.fields).toEqual(['query.timeseries.0', 'query._schema', 'files.sites_csv']);
    expect(o.message).toContain('query.timeseries.0: Not a valid integer.');
    expect(o.message).toContain('query._schema: If provided, convert_to must be the same size as timeseries.');
  });

  it('a business-rule message (§7.9) and a conflict', () => {
    expect(bemErrorOutcome(422, { code: 422, status: 'Unprocessable Entity', message: 'Unknown timeseries: [69]' })).toEqual({
      message: 'Unknown timeseries: [69]',
      fields: [],
      authCode: null,
    });
    expect(bemErrorOutcome(409, { code: 409, status: 'Conflict', message: 'Unique constraint violation' }).message).toBe(
      'Unique constraint violation',
    );
  });

  it('401: the code nested under errors.authentication (§2.4)', () => {
    const o = bemErrorOutcome(401, { code: 401, status: 'Unauthorized', errors: { authentication: 'expired_token' } });
    expect(o.authCode).toBe('expired_token');
    expect(o.fields).toEqual([]);
    expect(o.message).toContain('expired_token');
  });

  it('bare bodies fall back to the status; a malformed JSON body (400) names `json`', () => {
    expect(bemErrorOutcome(404, { code: 404, status: 'Not Found' }).message).toBe('HTTP 404 Not Found');
    expect(bemErrorOutcome(403, { code: 403, status: 'Forbidden', message: 'Authorization error' }).message).toBe('Authorization error');
    expect(bemErrorOutcome(400, { code: 400, status: 'Bad Request', errors: { json: ['Invalid JSON body.'] } })).toEqual({
      message: 'json: Invalid JSON body.',
      fields: ['json'],
      authCode: null,
    });
    expect(bemErrorOutcome(500, null).message).toBe('HTTP 500 without a JSON body');
    expect(bemErrorOutcome(502, '<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
  });

  it('keeps the message short whatever the server sends', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, ['x'.repeat(100)]]));
    const o = bemErrorOutcome(422, { code: 422, errors: { json: many }, message: 'y'.repeat(10_000) });
    expect(o.message.length).toBeLessThanOrEqual(600);
    expect(o.fields.length).toBeLessThanOrEqual(20);
  });
});

// =============================================================================================
// Auth fixtures (§2.1, §2.3): read here so the simulator and the token provider agree on them

function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'))).toEqual({ alg: 'HS256', typ: 'JWT' });
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('auth fixtures', () => {
  it('the success example holds an access and a refresh token with claims email/exp/type only', () => {
    const body = fxObj('openapi_examples/auth_token_response_success.example.json');
    expect(body.status).toBe('success');
    expect(jwtClaims(body.access_token as string)).toEqual({ email: 'active@test.com', exp: 1716369888, type: 'access' });
    expect(jwtClaims(body.refresh_token as string)).toEqual({ email: 'active@test.com', exp: 1721553135, type: 'refresh' });
  });

  it('failures are `{"status":"failure"}` (answered with HTTP 200); the request body is email/password', () => {
    expect(fx('openapi_examples/auth_token_response_failure.example.json')).toEqual({ status: 'failure' });
    expect(text('api_tests/auth_token_response_failure.json')).toBe('{"status":"failure"}\n');
    expect(fx('api_tests/auth_token_request.json')).toEqual({ email: 'active@test.com', password: '@ctive' });
  });
});

// =============================================================================================
// Writes (§7.7)

describe('toDataJson', () => {
  it('gives exactly the recorded POST body', () => {
    expect(toDataJson('1', hours(0, 1, 2, 3), [0, 1, 2, 3])).toEqual(fx('api_tests/timeseries_data_post_by_id.request.json'));
  });

  it('skips nulls, keeps milliseconds, and reads back through mapDataJson', () => {
    const body = toDataJson('Timeseries 0', [T0, T0 + 500, T0 + HOUR], [1.25, null, -3]);
    expect(body).toEqual({ 'Timeseries 0': { '2020-01-01T00:00:00+00:00': 1.25, '2020-01-01T01:00:00+00:00': -3 } });
    const ms = toDataJson('1', [T0 + 500], [2]);
    expect(Object.keys(ms['1']!)).toEqual(['2020-01-01T00:00:00.500+00:00']);
    expect(series(mapDataJson(ms, ['1']), '1').times).toEqual([T0 + 500]);
    expect(series(mapDataJson(body, ['Timeseries 0']), 'Timeseries 0')).toEqual({
      times: [T0, T0 + HOUR],
      values: [1.25, -3],
      min: -3,
      max: 1.25,
    });
  });

  it('refuses mismatched lengths, non-finite values or times, and a repeated instant', () => {
    expect(() => toDataJson('1', [T0], [])).toThrow(RangeError);
    expect(() => toDataJson('1', [T0], [Number.NaN])).toThrow(/value 0/);
    expect(() => toDataJson('1', [Number.POSITIVE_INFINITY], [1])).toThrow(/time 0/);
    expect(() => toDataJson('1', [T0, T0], [1, 2])).toThrow(/twice/);
  });
});

// =============================================================================================
// A hand-built portfolio: structure, properties, links and timeseries (§6)

const STRUCTURE: BemStructure = {
  campaigns: [
    { id: 1, name: 'Campaign 1', description: 'Demo  campaign ', start_time: '2020-01-01T00:00:00+00:00', timezone: 'Europe/Paris' },
    { id: 2, name: 'Campaign 2', timezone: 'UTC' },
  ],
  sites: [
    { id: 1, name: 'Site 1', latitude: 43.47394, longitude: -1.5094, campaign_id: 1 },
    { id: 2, name: 'Site 2', latitude: 50.5, description: 'No longitude', ifc_id: 'abcdefghijklmnopqrtsuv', campaign_id: 1 },
    { id: 3, name: 'Orphan site', campaign_id: 99 },
  ],
  buildings: [
    { id: 1, name: 'Building 1', description: 'Great building 1', site_id: 1 },
    { id: 2, name: 'Building 2', site_id: 2 },
  ],
  storeys: [{ id: 1, name: 'Storey 1', building_id: 1 }],
  spaces: [
    { id: 1, name: 'Space 1', storey_id: 1 },
    { id: 2, name: 'Space 2', storey_id: 1 },
  ],
  zones: [
    { id: 1, name: 'Zone 1', campaign_id: 1 },
    { id: 2, name: 'Zone 2', campaign_id: 2 },
  ],
};

const PROPERTIES = [
  { id: 1, name: 'Min', value_type: 'float' },
  { id: 2, name: 'Max', value_type: 'float' },
  { id: 3, name: 'Interval', value_type: 'float', unit_symbol: 's' },
  { id: 4, name: 'Area', description: 'Floor area', value_type: 'integer', unit_symbol: 'm²' },
  { id: 5, name: 'Label', value_type: 'string', unit_symbol: '' },
];

const PROPERTY_DATA = [
  { id: 1, timeseries_id: 1, property_id: 1, value: '-10' },
  { id: 2, timeseries_id: 1, property_id: 2, value: '60' },
  { id: 3, timeseries_id: 1, property_id: 3, value: '600' },
  { id: 4, timeseries_id: 2, property_id: 3, value: '90' },
  { id: 5, timeseries_id: 3, property_id: 1, value: '0' },
];

const LINKS: BemLinks = {
  sites: [
    { id: 1, timeseries_id: 1, site_id: 1, site: { name: 'Site 1', campaign_id: 1 } },
    { id: 2, timeseries_id: 2, site_id: 2 },
    { id: 3, timeseries_id: 2, site_id: 1 },
  ],
  buildings: [
    { id: 1, timeseries_id: 1, building_id: 1, site: { name: 'Site 1', campaign_id: 1 }, building: { name: 'Building 1', site_id: 1 } },
  ],
  storeys: [{ id: 1, timeseries_id: 3, storey_id: 1 }],
  spaces: [
    { id: 1, timeseries_id: 1, space_id: 2 },
    { id: 2, timeseries_id: 1, space_id: 1 },
  ],
  zones: [
    { id: 1, timeseries_id: 1, zone_id: 1 },
    { id: 2, timeseries_id: 4, zone_id: 2 },
  ],
};

const TIMESERIES = [
  { id: 1, name: 'Space_1_Temp', unit_symbol: '°C', description: 'Temperature', campaign_id: 1, campaign_scope_id: 1 },
  { id: 2, name: 'Meter', unit_symbol: '', campaign_id: 1, campaign_scope_id: 1 },
  { id: 3, name: 'Storey  power', unit_symbol: 'kW', campaign_id: 1, campaign_scope_id: 1 },
  { id: 4, name: 'Zone temp', unit_symbol: '°C', campaign_id: 2, campaign_scope_id: 2 },
  { id: 5, name: 'Loose', unit_symbol: 'kWh', campaign_id: 2, campaign_scope_id: 2 },
];

function context(): BemSensorContext {
  return {
    attachment: attachmentOf(LINKS),
    properties: propertyDataByTimeseries(PROPERTY_DATA),
    propertyNames: new Map(mapParameters(PROPERTIES).map((p) => [Number(p.nativeId), p.code])),
    campaignTimezones: campaignTimezones(STRUCTURE.campaigns),
  };
}

const noStructure = (): BemStructure => ({ campaigns: [], sites: [], buildings: [], storeys: [], spaces: [], zones: [] });
const noLinks = (): BemLinks => ({ sites: [], buildings: [], storeys: [], spaces: [], zones: [] });
const emptyContext = (): BemSensorContext => ({
  attachment: new Map(),
  properties: new Map(),
  propertyNames: new Map(),
  campaignTimezones: new Map(),
});

describe('mapLocations', () => {
  const locations = mapLocations(STRUCTURE);
  const byId = new Map(locations.map((l) => [l.id, l]));
  const loc = (kind: Parameters<typeof bemLocationId>[0], id: number): Location => {
    const l = byId.get(bemLocationId(kind, id));
    if (l === undefined) throw new Error(`no ${kind} ${id}`);
    return l;
  };

  it('maps every row, campaigns first, with kind-qualified native IDs', () => {
    expect(locations.map((l) => l.nativeId)).toEqual([
      'campaign:1',
      'campaign:2',
      'site:1',
      'site:2',
      'site:3',
      'building:1',
      'building:2',
      'storey:1',
      'space:1',
      'space:2',
      'zone:1',
      'zone:2',
    ]);
    for (const l of locations) {
      expect(l.upstream).toBe('bemserver');
      expect(l.id).toBe(`bemserver:location:${l.nativeId}`);
      expect(l.kind).toBe(l.nativeId.split(':')[0]);
    }
    // Site 1 and zone 1 share the number 1 but not the ID.
    expect(loc('site', 1).id).not.toBe(loc('zone', 1).id);
  });

  it('links each row to its parent: site → campaign, building → site, storey → building, space → storey, zone → campaign', () => {
    expect(loc('campaign', 1).parentId).toBeNull();
    expect(loc('site', 1).parentId).toBe('bemserver:location:campaign:1');
    expect(loc('building', 2).parentId).toBe('bemserver:location:site:2');
    expect(loc('storey', 1).parentId).toBe('bemserver:location:building:1');
    expect(loc('space', 2).parentId).toBe('bemserver:location:storey:1');
    expect(loc('zone', 2).parentId).toBe('bemserver:location:campaign:2');
  });

  it('a row whose parent is not in the lists still maps, with parentId null', () => {
    expect(loc('site', 3).parentId).toBeNull();
    const out = mapLocations({ ...noStructure(), spaces: [{ id: 9, name: 'Lost space', storey_id: 4 }] });
    expect(out).toEqual([
      {
        id: 'bemserver:location:space:9',
        upstream: 'bemserver',
        nativeId: 'space:9',
        name: { [Language.EN]: 'Lost space' },
        description: {},
        position: null,
        parentId: null,
        kind: 'space',
      },
    ]);
  });

  it('a position only for sites with latitude AND longitude; nothing is inherited', () => {
    expect(loc('site', 1).position).toEqual({ latitude: 43.47394, longitude: -1.5094 });
    expect(loc('site', 2).position).toBeNull();
    expect(loc('site', 3).position).toBeNull();
    expect(loc('building', 1).position).toBeNull();
    expect(loc('space', 1).position).toBeNull();
    expect(loc('campaign', 1).position).toBeNull();
    expect(loc('zone', 1).position).toBeNull();
  });

  it('names and descriptions in EN, cleaned; absent (or null) descriptions give {}', () => {
    expect(loc('campaign', 1).name).toEqual({ [Language.EN]: 'Campaign 1' });
    expect(loc('campaign', 1).description).toEqual({ [Language.EN]: 'Demo campaign' });
    expect(loc('building', 1).description).toEqual({ [Language.EN]: 'Great building 1' });
    expect(loc('building', 2).description).toEqual({});
    const withNulls = mapLocations({
      ...noStructure(),
      sites: [{ id: 1, name: 'S', description: null, latitude: null, longitude: 4, campaign_id: 1 }],
    });
    expect(withNulls[0]).toMatchObject({ description: {}, position: null });
  });

  it('the recorded create bodies (site, campaign) map once the server adds an id', () => {
    const out = mapLocations({
      ...noStructure(),
      campaigns: [{ id: 1, ...fxObj('api_tests/campaign_create.request.json') }],
      sites: [{ id: 1, ...fxObj('api_tests/site_create.request.json') }],
    });
    expect(out.map((l) => [l.id, l.name.EN, l.parentId])).toEqual([
      ['bemserver:location:campaign:1', 'Campaign 1', null],
      ['bemserver:location:site:1', 'Site 1', 'bemserver:location:campaign:1'],
    ]);
    expect(campaignTimezones([{ id: 1, ...fxObj('api_tests/campaign_create.request.json') }])).toEqual(new Map([[1, 'Europe/Paris']]));
  });

  it('a repeated id keeps its first row; empty lists give nothing', () => {
    const out = mapLocations({
      ...noStructure(),
      zones: [
        { id: 1, name: 'A', campaign_id: 1 },
        { id: 1, name: 'B', campaign_id: 1 },
      ],
    });
    expect(out.map((l) => l.name.EN)).toEqual(['A']);
    expect(mapLocations(noStructure())).toEqual([]);
  });
});

describe('mapParameters', () => {
  it('properties → parameters: code = name, unit, category = value type', () => {
    const out = mapParameters(PROPERTIES);
    expect(out[2]).toEqual({
      id: 'bemserver:parameter:3',
      upstream: 'bemserver',
      nativeId: '3',
      code: 'Interval',
      name: { [Language.EN]: 'Interval' },
      unit: 's',
      category: { [Language.EN]: 'float' },
    });
    expect(out.map((p) => [p.code, p.unit, p.category.EN])).toEqual([
      ['Min', null, 'float'],
      ['Max', null, 'float'],
      ['Interval', 's', 'float'],
      ['Area', 'm²', 'integer'],
      ['Label', null, 'string'],
    ]);
  });

  it('the recorded create body (non-ASCII name, kW) maps once the server adds an id', () => {
    const [p] = mapParameters([{ id: 6, ...fxObj('api_tests/timeseries_property_create.request.json') }]);
    expect(p).toMatchObject({
      id: 'bemserver:parameter:6',
      code: 'Deutsche Qualität',
      name: { EN: 'Deutsche Qualität' },
      unit: 'kW',
      category: { EN: 'float' },
    });
  });
});

describe('attachmentOf', () => {
  it('the most specific link wins: space > storey > building > site > zone', () => {
    const a = attachmentOf(LINKS);
    expect(a.get(1)).toBe('bemserver:location:space:1'); // also linked to building 1, site 1 and zone 1
    expect(a.get(3)).toBe('bemserver:location:storey:1');
    expect(a.get(4)).toBe('bemserver:location:zone:2');
    expect(a.has(5)).toBe(false);
  });

  it('several links at one level: the lowest place id', () => {
    expect(attachmentOf(LINKS).get(2)).toBe('bemserver:location:site:1');
  });

  it('each level on its own, and the recorded building link body', () => {
    const building = fxObj('api_tests/timeseries_by_building_create.request.json');
    expect(attachmentOf({ ...noLinks(), buildings: [{ id: 1, ...building }] })).toEqual(new Map([[1, 'bemserver:location:building:1']]));
    expect(
      attachmentOf({
        ...noLinks(),
        zones: [{ id: 1, timeseries_id: 8, zone_id: 3 }],
        sites: [{ id: 2, timeseries_id: 8, site_id: 5 }],
      }).get(8),
    ).toBe('bemserver:location:site:5');
    expect(attachmentOf(noLinks()).size).toBe(0);
  });
});

describe('propertyDataByTimeseries', () => {
  it('groups the values per timeseries, in order, as strings', () => {
    const out = propertyDataByTimeseries(PROPERTY_DATA);
    expect(out.get(1)).toEqual([
      { propertyId: 1, value: '-10' },
      { propertyId: 2, value: '60' },
      { propertyId: 3, value: '600' },
    ]);
    expect(out.get(2)).toEqual([{ propertyId: 3, value: '90' }]);
    expect(out.has(5)).toBe(false);
  });
});

describe('mapTimeseries', () => {
  const ctx = context();

  it('a series in a space, with Min/Max/Interval properties', () => {
    expect(mapTimeseries(TIMESERIES[0], ctx)).toEqual({
      id: 'bemserver:sensor:1',
      upstream: 'bemserver',
      nativeId: '1',
      locationId: 'bemserver:location:space:1',
      parameterId: null,
      unit: '°C',
      intervalMinutes: 10,
      name: 'Space_1_Temp',
      timezone: 'Europe/Paris',
      campaignId: 'bemserver:location:campaign:1',
      properties: [
        { parameterId: 'bemserver:parameter:1', value: '-10' },
        { parameterId: 'bemserver:parameter:2', value: '60' },
        { parameterId: 'bemserver:parameter:3', value: '600' },
      ],
    });
  });

  it('unit "" → null; Interval 90 s → 1.5 min; the name is kept exactly (it labels the by-name routes)', () => {
    const meter = mapTimeseries(TIMESERIES[1], ctx);
    expect(meter).toMatchObject({ unit: null, intervalMinutes: 1.5, locationId: 'bemserver:location:site:1' });
    expect(mapTimeseries(TIMESERIES[2], ctx)).toMatchObject({
      name: 'Storey  power',
      intervalMinutes: null,
      locationId: 'bemserver:location:storey:1',
    });
    expect(mapTimeseries({ id: 9, name: 'x', campaign_id: 1 }, emptyContext()).unit).toBeNull();
  });

  it("without links the series hangs under its campaign; the time zone is its campaign's", () => {
    const loose = mapTimeseries(TIMESERIES[4], ctx);
    expect(loose).toMatchObject({
      locationId: 'bemserver:location:campaign:2',
      campaignId: 'bemserver:location:campaign:2',
      timezone: 'UTC',
      properties: [],
    });
    expect(mapTimeseries(TIMESERIES[4], emptyContext()).timezone).toBeNull();
  });

  it.each([
    ['60', 1],
    [' 30.0 ', 0.5],
    ['3.6e3', 60],
    ['0', null],
    ['-60', null],
    ['', null],
    ['abc', null],
    ['inf', null],
    ['nan', null],
    ['0x10', null],
  ])('Interval %j s → intervalMinutes %s', (value, minutes) => {
    const c: BemSensorContext = {
      ...emptyContext(),
      properties: new Map([[1, [{ propertyId: 3, value }]]]),
      propertyNames: new Map([[3, 'Interval']]),
    };
    expect(mapTimeseries({ id: 1, name: 'x', unit_symbol: '', campaign_id: 1, campaign_scope_id: 1 }, c).intervalMinutes).toBe(minutes);
  });

  it('the recorded create body maps once the server adds an id', () => {
    const s = mapTimeseries({ id: 1, ...fxObj('api_tests/timeseries_create.request.json') }, emptyContext());
    expect(s).toMatchObject({ id: 'bemserver:sensor:1', name: 'Timeseries 1', unit: '°C', locationId: 'bemserver:location:campaign:1' });
  });

  it('a list maps every row; a row repeated across pages keeps its first copy', () => {
    const out = mapTimeseriesList([...TIMESERIES, { ...TIMESERIES[0], name: 'again' }], ctx);
    expect(out.map((s) => s.nativeId)).toEqual(['1', '2', '3', '4', '5']);
    expect(out[0]?.name).toBe('Space_1_Temp');
    expect(mapTimeseriesList([], ctx)).toEqual([]);
  });
});

// =============================================================================================
// Hostile input: a malformed answer fails with a WireFormatError naming the field

describe('hostile input: structure, properties, links, timeseries', () => {
  it('lists that are not arrays', () => {
    expect(wireError(() => mapLocations({ ...noStructure(), sites: { data: [] } }))).toBe('sites is not an array (got an object)');
    expect(wireError(() => mapLocations({ ...noStructure(), zones: undefined }))).toBe('zones is not an array (got missing)');
    expect(wireError(() => mapParameters(null))).toMatch(/^timeseries_properties is not an array/);
    expect(wireError(() => attachmentOf({ ...noLinks(), spaces: 'x' }))).toMatch(/^timeseries_by_spaces is not an array/);
    expect(wireError(() => mapTimeseriesList({ items: [] }, emptyContext()))).toMatch(/^timeseries is not an array/);
    expect(wireError(() => propertyDataByTimeseries(7))).toMatch(/^timeseries_property_data is not an array/);
    expect(wireError(() => campaignTimezones('UTC'))).toMatch(/^campaigns is not an array/);
  });

  it('rows and ids of the wrong type', () => {
    expect(wireError(() => mapLocations({ ...noStructure(), sites: [null] }))).toBe('sites[0] is not an object (got null)');
    expect(wireError(() => mapLocations({ ...noStructure(), sites: [{ id: '1', name: 'S', campaign_id: 1 }] }))).toBe(
      'sites[0].id is not a non-negative integer (got the string "1")',
    );
    expect(wireError(() => mapLocations({ ...noStructure(), buildings: [{ id: 1.5, name: 'B', site_id: 1 }] }))).toMatch(
      /^buildings\[0\]\.id /,
    );
    expect(wireError(() => mapLocations({ ...noStructure(), storeys: [{ id: -1, name: 'S', building_id: 1 }] }))).toMatch(
      /^storeys\[0\]\.id /,
    );
    expect(wireError(() => mapTimeseries({ id: Number.NaN, name: 'x', campaign_id: 1 }, emptyContext()))).toMatch(/^timeseries\.id /);
  });

  it('a missing or malformed parent key', () => {
    expect(wireError(() => mapLocations({ ...noStructure(), buildings: [{ id: 4, name: 'B' }] }))).toBe(
      'building 4 site_id is not a non-negative integer (got missing)',
    );
    expect(wireError(() => mapLocations({ ...noStructure(), zones: [{ id: 2, name: 'Z', campaign_id: '1' }] }))).toMatch(
      /^zone 2 campaign_id /,
    );
  });

  it('names, descriptions and coordinates of the wrong type or size', () => {
    expect(wireError(() => mapLocations({ ...noStructure(), spaces: [{ id: 3, name: 42, storey_id: 1 }] }))).toBe(
      'space 3 name is not a string of at most 200 chars (got number 42)',
    );
    const huge = wireError(() => mapLocations({ ...noStructure(), campaigns: [{ id: 1, name: 'x'.repeat(1_000_000), timezone: 'UTC' }] }));
    expect(huge).toMatch(/^campaign 1 name is not a string of at most 200 chars \(got the string "x+…" \(1000000 chars\)\)$/);
    expect(huge.length).toBeLessThan(200);
    expect(wireError(() => mapLocations({ ...noStructure(), sites: [{ id: 1, name: 'S', description: ['a'], campaign_id: 1 }] }))).toMatch(
      /^site 1 description /,
    );
    expect(
      wireError(() => mapLocations({ ...noStructure(), sites: [{ id: 1, name: 'S', latitude: '43.4', longitude: 1, campaign_id: 1 }] })),
    ).toBe('site 1 latitude is not a number within ±90 (got the string "43.4")');
    expect(
      wireError(() => mapLocations({ ...noStructure(), sites: [{ id: 1, name: 'S', latitude: 1, longitude: 181, campaign_id: 1 }] })),
    ).toMatch(/^site 1 longitude /);
  });

  it('campaigns: a missing time zone, a naive start time', () => {
    expect(wireError(() => mapLocations({ ...noStructure(), campaigns: [{ id: 1, name: 'C' }] }))).toMatch(/^campaign 1 timezone /);
    expect(
      wireError(() =>
        mapLocations({ ...noStructure(), campaigns: [{ id: 1, name: 'C', timezone: 'UTC', start_time: '2020-01-01T00:00:00' }] }),
      ),
    ).toBe('campaign 1 start_time is not an aware ISO 8601 datetime (got the string "2020-01-01T00:00:00")');
    expect(wireError(() => campaignTimezones([{ id: 1, name: 'C', timezone: 3 }]))).toMatch(/^campaign 1 timezone /);
  });

  it('properties: an unknown value type, a unit of the wrong type', () => {
    expect(wireError(() => mapParameters([{ id: 1, name: 'Min', value_type: 'decimal' }]))).toBe(
      'timeseries property 1 value_type is not one of integer, float, boolean, string (got the string "decimal")',
    );
    expect(wireError(() => mapParameters([{ id: 1, name: 'Min', value_type: 'float', unit_symbol: 5 }]))).toMatch(
      /^timeseries property 1 unit_symbol /,
    );
    expect(wireError(() => mapParameters([{ id: 1, value_type: 'float' }]))).toMatch(/^timeseries property 1 name /);
  });

  it('property data: a number instead of a string, a missing timeseries id', () => {
    expect(wireError(() => propertyDataByTimeseries([{ id: 1, timeseries_id: 1, property_id: 3, value: 600 }]))).toBe(
      'timeseries property data 1 value is not a string of at most 1000 chars (got number 600)',
    );
    expect(wireError(() => propertyDataByTimeseries([{ id: 1, property_id: 3, value: '600' }]))).toMatch(
      /^timeseries property data 1 timeseries_id /,
    );
  });

  it('links: a row without its place id or timeseries id', () => {
    expect(wireError(() => attachmentOf({ ...noLinks(), storeys: [{ id: 1, timeseries_id: 1, building_id: 1 }] }))).toBe(
      'timeseries_by_storeys[0].storey_id is not a non-negative integer (got missing)',
    );
    expect(wireError(() => attachmentOf({ ...noLinks(), zones: [{ id: 1, timeseries_id: null, zone_id: 1 }] }))).toMatch(
      /^timeseries_by_zones\[0\]\.timeseries_id /,
    );
  });

  it('timeseries: wrong unit type, no campaign; one bad row fails the whole list', () => {
    expect(wireError(() => mapTimeseries({ id: 2, name: 'x', unit_symbol: 0, campaign_id: 1 }, emptyContext()))).toBe(
      'timeseries 2 unit_symbol is not a string of at most 100 chars (got number 0)',
    );
    expect(wireError(() => mapTimeseries({ id: 2, name: 'x', unit_symbol: '' }, emptyContext()))).toMatch(/^timeseries 2 campaign_id /);
    expect(wireError(() => mapTimeseries({ id: 2, name: 'x', campaign_id: 1, campaign_scope_id: 'a' }, emptyContext()))).toMatch(
      /^timeseries 2 campaign_scope_id /,
    );
    expect(wireError(() => mapTimeseriesList([...TIMESERIES, { id: 6, campaign_id: 1 }], emptyContext()))).toMatch(/^timeseries 6 name /);
    expect(wireError(() => mapTimeseriesList([TIMESERIES[0], 'x'], emptyContext()))).toMatch(/^timeseries\[1\] is not an object/);
  });
});

describe('hostile input: data JSON', () => {
  it('not an object, a series that is not an object', () => {
    expect(wireError(() => mapDataJson([], ['1']))).toBe('timeseries data is not an object (got an array of 0)');
    expect(wireError(() => mapDataJson('{}', ['1']))).toMatch(/^timeseries data is not an object/);
    expect(wireError(() => mapAggregateJson({ '1': [1, 2] }, ['1']))).toBe(
      'aggregate data series "1" is not an object of timestamps (got an array of 2)',
    );
  });

  it('a series that was not requested', () => {
    expect(wireError(() => mapDataJson({ '1': {}, '69': { '2020-01-01T00:00:00+00:00': 1 } }, ['1']))).toBe(
      'timeseries data holds the series "69", which was not requested',
    );
    const long = wireError(() => mapDataJson({ ['k'.repeat(100_000)]: {} }, ['1']));
    expect(long.length).toBeLessThan(150);
  });

  it('values: NaN strings, strings, booleans, objects', () => {
    for (const bad of ['NaN', '1.5', true, { v: 1 }, [1]]) {
      expect(wireError(() => mapDataJson({ '1': { '2020-01-01T00:00:00+00:00': bad } }, ['1']))).toMatch(
        /^timeseries data series "1" at 2020-01-01T00:00:00\+00:00 is not a number or null/,
      );
    }
  });

  it('naive, date-only or garbage timestamps', () => {
    for (const bad of ['2020-01-01T00:00:00', '2020-01-01', 'not a time', '1577836800']) {
      expect(wireError(() => mapDataJson({ '1': { [bad]: 1 } }, ['1']))).toBe(
        `timeseries data series "1" timestamp is not an aware ISO 8601 datetime (got the string ${JSON.stringify(bad)})`,
      );
    }
  });

  it('one instant written twice (two offsets)', () => {
    expect(wireError(() => mapDataJson({ '1': { '2020-01-01T01:00:00+01:00': 1, '2020-01-01T00:00:00+00:00': 2 } }, ['1']))).toMatch(
      /^timeseries data series "1" has the instant 2020-01-01T00:00:00.000Z twice/,
    );
  });
});

describe('hostile input: stats', () => {
  const good = { first_timestamp: null, last_timestamp: null, count: 0, min: null, max: null, avg: null, stddev: null };
  it('not an object, no `stats`, an unknown series', () => {
    expect(wireError(() => mapStats([], ['1']))).toBe('stats is not an object (got an array of 0)');
    expect(wireError(() => mapStats({ '1': good }, ['1']))).toBe('stats.stats is not an object (got missing)');
    expect(wireError(() => mapStats({ stats: { '2': good } }, ['1']))).toBe('stats holds the series "2", which was not requested');
  });

  it('counts, numbers and timestamps of the wrong type', () => {
    expect(wireError(() => mapStats({ stats: { '1': { ...good, count: -1 } } }, ['1']))).toBe(
      'stats series "1" count is not a non-negative integer (got number -1)',
    );
    expect(wireError(() => mapStats({ stats: { '1': { ...good, count: '4' } } }, ['1']))).toMatch(/^stats series "1" count /);
    expect(wireError(() => mapStats({ stats: { '1': { ...good, count: 2.5 } } }, ['1']))).toMatch(/^stats series "1" count /);
    expect(wireError(() => mapStats({ stats: { '1': { ...good, stddev: 'NaN' } } }, ['1']))).toBe(
      'stats series "1" stddev is not a number or null (got the string "NaN")',
    );
    expect(wireError(() => mapStats({ stats: { '1': { ...good, first_timestamp: '2020-01-01T00:00:00' } } }, ['1']))).toMatch(
      /^stats series "1" first_timestamp is not an aware ISO 8601 datetime or null/,
    );
  });
});
