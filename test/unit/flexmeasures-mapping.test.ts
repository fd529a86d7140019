// Unit tests of the pure FlexMeasures modules (mapping, durations, entity addresses, writes) against the
// contract (src/upstreams/flexmeasures/CONTRACT.md §2, §3, §4) and the recorded doc/test fixtures.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wireError } from '../helpers/errors.js';
import { Language } from '../../src/shared/domain.js';
import { formatDurationFM, formatDurationIsodate, parseDuration } from '../../src/shared/durations.js';
import { fm1Address, parseEntityAddress } from '../../src/upstreams/flexmeasures/entity-address.js';
import {
  fmAssetLocationId,
  fmConnectionId,
  fmId,
  fmParameterId,
  fmParameterNativeId,
  fmSensorId,
  mapAsset,
  mapAssets,
  mapConnections,
  mapFmSensor,
  mapFmSensors,
  mapSensorData,
  mapV1Series,
  parametersOf,
  parseFmInstant,
  quantityOf,
  toConnection,
  usefOutcome,
} from '../../src/upstreams/flexmeasures/mapping.js';
import { WriteValidationError, horizonFor, prepareWrite, type WriteInput } from '../../src/upstreams/flexmeasures/writes.js';

// Copies of the recorded payloads of src/upstreams/flexmeasures/CONTRACT.md, kept with the tests.
const FIXTURES = new URL('../fixtures/flexmeasures', import.meta.url).pathname;

function fx(rel: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}/${rel}`, 'utf8')) as unknown;
}

type Json = Record<string, unknown>;
const fxObj = (rel: string): Json => fx(rel) as Json;

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T2015 = Date.parse('2015-01-01T00:00:00Z');

/** Runs fn, expects a WriteValidationError, and returns it. */
function writeError(fn: () => unknown): WriteValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WriteValidationError);
    return err as WriteValidationError;
  }
  throw new Error('expected a WriteValidationError, got none');
}

/** Runs fn, expects a plain Error, and returns its message. */
function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  throw new Error('expected an Error, got none');
}

const axis = (start: number, step: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i * step);

// =============================================================================================
// Global IDs and instants

describe('fmId helpers', () => {
  it('build global IDs with the flexmeasures prefix', () => {
    expect(fmId('location', 'asset:7')).toBe('flexmeasures:location:asset:7');
    expect(fmId('parameter', 'power:MW')).toBe('flexmeasures:parameter:power:MW');
    expect(fmSensorId(4)).toBe('flexmeasures:sensor:4');
    expect(fmSensorId('4')).toBe(fmId('sensor', '4'));
    expect(fmAssetLocationId(7)).toBe('flexmeasures:location:asset:7');
    expect(fmParameterNativeId('power', 'MW')).toBe('power:MW');
    expect(fmParameterId('price', 'EUR/MWh')).toBe('flexmeasures:parameter:price:EUR/MWh');
    expect(fmConnectionId('ea1.2021-01.io.flexmeasures.company:fm1.4')).toBe(
      'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4',
    );
  });

  it('writes an empty (dimensionless) unit as "dimensionless"', () => {
    expect(fmParameterNativeId('ratio', '')).toBe('ratio:dimensionless');
    expect(fmParameterId('other', '')).toBe('flexmeasures:parameter:other:dimensionless');
  });
});

describe('parseFmInstant (§2.6)', () => {
  it('reads UTC (Z and +00:00) and offset datetimes as echoed by isodate', () => {
    expect(parseFmInstant('2015-01-01T00:00:00Z')).toBe(T2015);
    expect(parseFmInstant('2015-06-02T10:00:00+00:00')).toBe(Date.UTC(2015, 5, 2, 10));
    expect(parseFmInstant('2021-05-02T00:00:00+02:00')).toBe(Date.UTC(2021, 4, 1, 22));
    expect(parseFmInstant('2015-01-01T15:00:00+09:00')).toBe(Date.UTC(2015, 0, 1, 6));
    expect(parseFmInstant('2021-01-06T00:00:00-05:30')).toBe(Date.UTC(2021, 0, 6, 5, 30));
  });

  it('accepts a compact offset, a space separator, no seconds and Python microseconds', () => {
    expect(parseFmInstant('2021-05-02T00:00:00+0200')).toBe(Date.UTC(2021, 4, 1, 22));
    expect(parseFmInstant('2021-05-02 00:00:00+02:00')).toBe(Date.UTC(2021, 4, 1, 22));
    expect(parseFmInstant('2021-05-02T00:00+02:00')).toBe(Date.UTC(2021, 4, 1, 22));
    expect(parseFmInstant('2015-06-02T10:00:00.123456+00:00')).toBe(Date.UTC(2015, 5, 2, 10, 0, 0, 123));
  });

  it('rejects naive datetimes, impossible dates and non-strings (null)', () => {
    expect(parseFmInstant('2021-05-02T00:00:00')).toBeNull();
    expect(parseFmInstant('2021-02-30T00:00:00Z')).toBeNull();
    expect(parseFmInstant('2021-13-01T00:00:00Z')).toBeNull();
    expect(parseFmInstant('yesterday')).toBeNull();
    expect(parseFmInstant(1420070400000)).toBeNull();
    expect(parseFmInstant(null)).toBeNull();
  });
});

// =============================================================================================
// Sensors (§4.2, §4.3, §4.9)

describe('mapFmSensor: v3_0 Sensor objects', () => {
  it('maps the OpenAPI power sensor example (attributes as an object)', () => {
    const s = mapFmSensor(fx('v3_0/openapi_examples/GET_sensors_id__200__power_sensor.json'));
    expect(s.resolutionMs).toBe(5 * MIN);
    expect(s.unit).toBe('kW');
    expect(s.name).toBe('power');
    expect(s.quantity).toBe('power');
    expect(s.assetId).toBe(1);
    expect(s.attributes).toEqual({ consumption_is_positive: true });
    expect(s.sensor).toEqual({
      id: 'flexmeasures:sensor:5',
      upstream: 'flexmeasures',
      nativeId: '5',
      locationId: 'flexmeasures:location:asset:1',
      parameterId: 'flexmeasures:parameter:power:kW',
      unit: 'kW',
      intervalMinutes: 5,
      name: 'power',
      timezone: 'Europe/Amsterdam',
      entityAddress: 'ea1.2021-01.io.flexmeasures:fm1.5',
      consumptionIsPositive: true,
    });
  });

  it('maps the server-encoded form: attributes as a JSON string plus the injected "status": 200 (§4.3)', () => {
    const wire = {
      ...fxObj('v3_0/openapi_examples/GET_sensors_id__200__power_sensor.json'),
      attributes: '{"consumption_is_positive": true}',
      status: 200,
    };
    const s = mapFmSensor(wire);
    expect(s.sensor.consumptionIsPositive).toBe(true);
    expect(s.attributes).toEqual({ consumption_is_positive: true });
    expect(s.sensor.id).toBe('flexmeasures:sensor:5');
  });

  it('reads consumption_is_positive = false from a JSON string', () => {
    const s = mapFmSensor({ id: 9, name: 'PV', unit: 'MW', event_resolution: 'PT15M', attributes: '{"consumption_is_positive": false}' });
    expect(s.sensor.consumptionIsPositive).toBe(false);
  });

  it('maps the OpenAPI price sensor example: EUR/kWh is a price, no consumption flag', () => {
    const s = mapFmSensor(fx('v3_0/openapi_examples/GET_sensors_id__200__price_sensor.json'));
    expect(s.sensor.id).toBe('flexmeasures:sensor:14');
    expect(s.quantity).toBe('price');
    expect(s.sensor.parameterId).toBe('flexmeasures:parameter:price:EUR/kWh');
    expect(s.sensor.intervalMinutes).toBe(15);
    expect(s.resolutionMs).toBe(15 * MIN);
    expect(s.sensor.name).toBe('day-ahead electricity price');
    expect(s.sensor.consumptionIsPositive).toBeNull();
    expect(s.attributes).toEqual({ floor_datetimes_to_resolution: true });
  });

  it('maps the POST /sensors 201 example: attributes "{...}" string decoded, kWh is energy', () => {
    const s = mapFmSensor(fx('v3_0/openapi_examples/POST_sensors__201__create_sensor.json'));
    expect(s.sensor.id).toBe('flexmeasures:sensor:2');
    expect(s.attributes).toEqual({ floor_datetimes_to_resolution: false });
    expect(s.quantity).toBe('energy');
    expect(s.sensor.intervalMinutes).toBe(60);
    expect(s.sensor.timezone).toBe('UTC');
  });

  it('takes `id` over the entity address when both are present (PATCH 200 example: id 2, fm1.1)', () => {
    const s = mapFmSensor(fx('v3_0/openapi_examples/PATCH_sensors_id__200__update_sensor.json'));
    expect(s.sensor.nativeId).toBe('2');
    expect(s.sensor.entityAddress).toBe('ea1.2023-08.localhost:fm1.1');
    expect(s.sensor.locationId).toBe('flexmeasures:location:asset:4');
    expect(s.quantity).toBe('flow');
    expect(s.sensor.intervalMinutes).toBe(10);
  });

  it('maps the flexmeasures-client get_sensor doc example ("%" ratio, attributes "{}")', () => {
    const s = mapFmSensor(fx('client/doc_get_sensor_response.json'));
    expect(s.sensor.id).toBe('flexmeasures:sensor:35');
    expect(s.quantity).toBe('ratio');
    expect(s.sensor.parameterId).toBe('flexmeasures:parameter:ratio:%');
    expect(s.sensor.locationId).toBe('flexmeasures:location:asset:24');
    expect(s.attributes).toEqual({});
    expect(s.sensor.consumptionIsPositive).toBeNull();
    expect(s.sensor.entityAddress).toBe('ea1.2023-09.localhost:fm1.35');
  });

  it('treats P0D as an instantaneous sensor (resolution 0, no interval)', () => {
    const s = mapFmSensor({ id: 3, name: 'state of charge', unit: 'MWh', event_resolution: 'P0D', generic_asset_id: 2 });
    expect(s.resolutionMs).toBe(0);
    expect(s.sensor.intervalMinutes).toBeNull();
    expect(mapFmSensor({ id: 3, name: 'x', unit: 'kW', event_resolution: 'P1D' }).sensor.intervalMinutes).toBe(1440);
  });

  it('maps the literal "no entity address available" to a null entityAddress (§2.7)', () => {
    const s = mapFmSensor({ id: 7, name: 'power', unit: 'kW', event_resolution: 'PT15M', entity_address: 'no entity address available' });
    expect(s.sensor.entityAddress).toBeNull();
    expect(s.sensor.id).toBe('flexmeasures:sensor:7');
  });

  it('keeps a non-decodable attributes string harmless ({} and no consumption flag)', () => {
    const s = mapFmSensor({ id: 8, name: 'p', unit: 'kW', event_resolution: 'PT15M', attributes: 'not json' });
    expect(s.attributes).toEqual({});
    expect(s.sensor.consumptionIsPositive).toBeNull();
    const arr = mapFmSensor({ id: 8, name: 'p', unit: 'kW', event_resolution: 'PT15M', attributes: '[1,2]' });
    expect(arr.attributes).toEqual({});
  });

  it('without generic_asset_id there is no location; an empty unit is null', () => {
    const s = mapFmSensor({ id: 11, name: 'wind speed', unit: '', event_resolution: 'PT10M' });
    expect(s.sensor.locationId).toBeNull();
    expect(s.assetId).toBeNull();
    expect(s.sensor.unit).toBeNull();
    expect(s.quantity).toBe('wind speed');
    expect(s.sensor.parameterId).toBe('flexmeasures:parameter:wind speed:dimensionless');
  });

  it('fails with a WireFormatError naming the field for malformed sensors', () => {
    expect(wireError(() => mapFmSensor([]))).toBe('sensor is not an object (got an array of 0)');
    expect(wireError(() => mapFmSensor({ id: 'x', name: 'a', unit: 'kW', event_resolution: 'PT5M' }))).toContain(
      'sensor.id is not an integer',
    );
    expect(wireError(() => mapFmSensor({ id: 2, name: 5, unit: 'kW', event_resolution: 'PT5M' }))).toBe(
      'sensor 2 name is not a string (got number 5)',
    );
    expect(wireError(() => mapFmSensor({ id: 2, name: 'a', unit: 'kW', event_resolution: '15 minutes' }))).toBe(
      'sensor 2 event_resolution is not an ISO 8601 duration (got the string "15 minutes")',
    );
    expect(wireError(() => mapFmSensor({ id: 2, name: 'a', unit: 'kW', event_resolution: '-PT5M' }))).toContain(
      'sensor 2 event_resolution is not a non-negative duration',
    );
    expect(wireError(() => mapFmSensor({ id: 2, name: 'a', unit: 'kW', event_resolution: 'PT5M', generic_asset_id: '1' }))).toContain(
      'sensor 2 generic_asset_id is not an integer',
    );
  });

  it('without id, a non-fm1 address cannot supply one', () => {
    const msg = wireError(() =>
      mapFmSensor({ name: 'a', unit: 'kW', event_resolution: 15, entity_address: 'no entity address available' }),
    );
    expect(msg).toContain('sensor.id is not an integer (and no fm1 entity_address to take it from)');
    expect(
      wireError(() => mapFmSensor({ name: 'a', unit: 'kW', event_resolution: 15, entity_address: 'ea1.2021-01.io.flexmeasures:3:4' })),
    ).toContain('sensor.id');
  });
});

describe('mapFmSensors: lists (§4.2)', () => {
  it('maps the v0.12 doc list: integer minutes, no id (taken from the fm1 address), no attributes', () => {
    const [s, ...rest] = mapFmSensors(fx('v3_0/v0.12_doc_get_sensors_response.json'));
    expect(rest).toHaveLength(0);
    expect(s!.sensor.id).toBe('flexmeasures:sensor:42');
    expect(s!.sensor.nativeId).toBe('42');
    expect(s!.resolutionMs).toBe(15 * MIN);
    expect(s!.sensor.intervalMinutes).toBe(15);
    expect(s!.quantity).toBe('flow');
    expect(s!.sensor.unit).toBe('m³/h');
    expect(s!.sensor.locationId).toBe('flexmeasures:location:asset:1');
    expect(s!.sensor.entityAddress).toBe('ea1.2021-01.io.flexmeasures.company:fm1.42');
    expect(s!.attributes).toEqual({});
    expect(s!.sensor.name).toBe('Gas demand');
  });

  it('maps the OpenAPI "direct_list" ({data: [...]}) and the paginated response alike', () => {
    for (const file of ['GET_sensors__200__direct_list.json', 'GET_sensors__200__paginated_response.json']) {
      const list = mapFmSensors(fx(`v3_0/openapi_examples/${file}`));
      expect(list.map((s) => s.sensor.id)).toEqual(['flexmeasures:sensor:2']);
      expect(list[0]!.resolutionMs).toBe(15 * MIN);
      expect(list[0]!.sensor.parameterId).toBe('flexmeasures:parameter:flow:m³/h');
    }
  });

  it('maps the bare array the real unpaginated server sends, and asset sensors pages', () => {
    const inner = (fxObj('v3_0/openapi_examples/GET_sensors__200__direct_list.json').data as unknown[])[0];
    expect(mapFmSensors([inner, { ...(inner as Json), id: 3, unit: 'kW' }]).map((s) => [s.sensor.nativeId, s.quantity])).toEqual([
      ['2', 'flow'],
      ['3', 'power'],
    ]);
    const page = mapFmSensors({ ...fxObj('v3_0/openapi_examples/GET_assets_id_sensors__200__paginated_sensors.json'), status: 200 });
    expect(page.map((s) => [s.sensor.nativeId, s.quantity, s.sensor.unit])).toEqual([['1', 'power', 'kW']]);
  });

  it('is strict: one malformed sensor fails the list, naming its index', () => {
    const msg = wireError(() => mapFmSensors([{ id: 1, name: 'a', unit: 'kW', event_resolution: 'PT5M' }, 'oops']));
    expect(msg).toBe('sensors[1] is not an object (got the string "oops")');
    expect(wireError(() => mapFmSensors({ items: [] }))).toBe('sensors is not an array or a page {data: [...]} (got an object)');
  });
});

describe('quantityOf and parametersOf', () => {
  it('classifies by unit first', () => {
    const q = (unit: string, name = ''): string => quantityOf(unit, name).quantity;
    expect(q('MW')).toBe('power');
    expect(q('kW', 'price')).toBe('power');
    expect(q('kWh')).toBe('energy');
    expect(q('EUR/MWh')).toBe('price');
    expect(q('KRW/kWh')).toBe('price');
    expect(q('EUR/kWh')).toBe('price');
    expect(q('°C')).toBe('temperature');
    expect(q('0C')).toBe('temperature');
    expect(q('kW/m²')).toBe('irradiance');
    expect(q('kW/m2')).toBe('irradiance');
    expect(q('m/s')).toBe('wind speed');
    expect(q('m³/h')).toBe('flow');
    expect(q('%')).toBe('ratio');
    expect(quantityOf('kW/m²', '').label).toBe('Irradiance');
  });

  it('falls back to the sensor name when the unit says nothing', () => {
    expect(quantityOf('', 'Day-ahead tariff')).toEqual({ quantity: 'price', label: 'Price' });
    expect(quantityOf('a.u.', 'outside temperature')).toEqual({ quantity: 'temperature', label: 'Temperature' });
    expect(quantityOf('', 'wind at hub height')).toEqual({ quantity: 'wind speed', label: 'Wind speed' });
    expect(quantityOf('', 'availability')).toEqual({ quantity: 'other', label: 'Other' });
  });

  it('parametersOf makes one Parameter per quantity+unit, in first-seen order', () => {
    const sensors = [
      mapFmSensor(fx('v3_0/openapi_examples/GET_sensors_id__200__power_sensor.json')),
      mapFmSensor({ id: 6, name: 'power 2', unit: 'kW', event_resolution: 'PT15M' }),
      mapFmSensor(fx('v3_0/openapi_examples/GET_sensors_id__200__price_sensor.json')),
      mapFmSensor({ id: 12, name: 'fill level', unit: '', event_resolution: 'PT15M' }),
    ];
    expect(parametersOf(sensors)).toEqual([
      {
        id: 'flexmeasures:parameter:power:kW',
        upstream: 'flexmeasures',
        nativeId: 'power:kW',
        code: 'power',
        name: { [Language.EN]: 'Power' },
        unit: 'kW',
        category: { [Language.EN]: 'Energy' },
      },
      {
        id: 'flexmeasures:parameter:price:EUR/kWh',
        upstream: 'flexmeasures',
        nativeId: 'price:EUR/kWh',
        code: 'price',
        name: { [Language.EN]: 'Price' },
        unit: 'EUR/kWh',
        category: { [Language.EN]: 'Market' },
      },
      {
        id: 'flexmeasures:parameter:other:dimensionless',
        upstream: 'flexmeasures',
        nativeId: 'other:dimensionless',
        code: 'other',
        name: { [Language.EN]: 'Other' },
        unit: null,
        category: { [Language.EN]: 'Other' },
      },
    ]);
  });
});

// =============================================================================================
// Assets (§4.7, §4.9)

describe('mapAsset / mapAssets', () => {
  const battery = {
    id: 'flexmeasures:location:asset:1',
    upstream: 'flexmeasures',
    nativeId: 'asset:1',
    name: { [Language.EN]: 'Test battery' },
    description: {},
    position: { latitude: 10, longitude: 100 },
    parentId: null,
  };

  it('maps the v0.12 doc asset and asset list', () => {
    expect(mapAsset(fx('v3_0/v0.12_doc_get_asset_response.json'))).toEqual(battery);
    expect(mapAssets(fx('v3_0/v0.12_doc_get_assets_response.json'))).toEqual([battery]);
  });

  it('maps the OpenAPI asset examples (single, paginated, {data} list, PATCH)', () => {
    expect(mapAsset(fx('v3_0/openapi_examples/GET_assets_id__200__single_asset.json'))).toEqual(battery);
    expect(mapAssets(fx('v3_0/openapi_examples/GET_assets__200__paginated_assets.json'))).toEqual([battery]);
    expect(mapAssets(fx('v3_0/openapi_examples/GET_assets__200__single_asset.json'))).toEqual([battery]);
    expect(mapAsset(fx('v3_0/openapi_examples/PATCH_assets_id__200__single_asset.json')).position).toEqual({
      latitude: 11.1,
      longitude: 99.9,
    });
  });

  it('maps description, parent and missing coordinates of a HEAD asset', () => {
    const loc = mapAsset({
      id: 5,
      name: 'Child battery',
      description: 'A test battery asset.',
      account_id: null,
      latitude: null,
      longitude: 100.42,
      parent_asset_id: 1,
      status: 200,
    });
    expect(loc.description).toEqual({ [Language.EN]: 'A test battery asset.' });
    expect(loc.parentId).toBe('flexmeasures:location:asset:1');
    expect(loc.position).toBeNull();
    expect(mapAsset({ id: 6, name: 'x', latitude: 95, longitude: 10 }).position).toBeNull();
  });

  it('fails with a WireFormatError naming the field', () => {
    expect(wireError(() => mapAsset({ name: 'no id' }))).toBe('asset.id is not an integer (got missing)');
    expect(wireError(() => mapAsset({ id: 3, name: null }))).toBe('asset 3 name is not a string (got null)');
    expect(wireError(() => mapAsset({ id: 3, name: 'a', parent_asset_id: 'x' }))).toContain('asset 3 parent_asset_id is not an integer');
    expect(
      wireError(() =>
        mapAssets([
          { id: 1, name: 'a' },
          { id: -1, name: 'b' },
        ]),
      ),
    ).toBe('assets[1].id is not an integer (got number -1)');
  });
});

// =============================================================================================
// v1_1 getConnection (§3.4)

describe('mapConnections / toConnection', () => {
  it('maps the doc example: fm0 "<owner>:<asset>" addresses → sensor ids 4,3,2,1, names by position', () => {
    const rows = mapConnections(fx('v1_1/doc_getConnection_response.json'));
    expect(rows).toEqual([
      { entityAddress: 'ea1.2021-01.io.flexmeasures.company:3:4', name: 'CS 4', sensorId: 4 },
      { entityAddress: 'ea1.2021-01.io.flexmeasures.company:8:3', name: 'CS 3', sensorId: 3 },
      { entityAddress: 'ea1.2021-01.io.flexmeasures.company:9:2', name: 'CS 2', sensorId: 2 },
      { entityAddress: 'ea1.2021-01.io.flexmeasures.company:3:1', name: 'CS 1', sensorId: 1 },
    ]);
  });

  it('maps what the code produces: fm1 addresses plus "status": 200', () => {
    const rows = mapConnections({
      type: 'GetConnectionResponse',
      connections: ['ea1.2021-01.io.flexmeasures.company:fm1.4', 'ea1.2021-01.io.flexmeasures.company:fm0.3:2'],
      names: ['CS 4', 'CS 2'],
      status: 200,
    });
    expect(rows.map((r) => [r.sensorId, r.name])).toEqual([
      [4, 'CS 4'],
      [2, 'CS 2'],
    ]);
  });

  it('falls back to the address when a name is missing or blank', () => {
    const rows = mapConnections({ connections: ['ea1.2021-01.io.flexmeasures:fm1.7', 'ea1.2021-01.io.flexmeasures:fm1.8'], names: ['  '] });
    expect(rows.map((r) => r.name)).toEqual(['ea1.2021-01.io.flexmeasures:fm1.7', 'ea1.2021-01.io.flexmeasures:fm1.8']);
  });

  it('toConnection builds the domain Connection from the address as written', () => {
    const row = mapConnections(fx('v1_1/doc_getConnection_response.json'))[0]!;
    expect(toConnection(row)).toEqual({
      id: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:3:4',
      upstream: 'flexmeasures',
      entityAddress: 'ea1.2021-01.io.flexmeasures.company:3:4',
      name: 'CS 4',
      sensorId: 'flexmeasures:sensor:4',
    });
  });

  it('rejects bodies without a connections array and non-connection addresses', () => {
    expect(wireError(() => mapConnections({ connections: 'ea1.2021-01.io.flexmeasures:fm1.7' }))).toContain(
      'getConnection.connections is not an array',
    );
    expect(wireError(() => mapConnections({ connections: ['ea1.2018-06.localhost:epex_da'] }))).toBe(
      'getConnection.connections[0] is not a connection entity address (got the string "ea1.2018-06.localhost:epex_da")',
    );
    expect(wireError(() => mapConnections({ connections: [4] }))).toContain('getConnection.connections[0] is not a string');
    expect(wireError(() => mapConnections({ connections: [], names: 'CS 1' }))).toContain('getConnection.names is not an array');
  });
});

// =============================================================================================
// v1_1 getMeterData / getPrognosis (§3.5, §3.6)

describe('mapV1Series: v1_1 data answers', () => {
  const names = new Map([
    ['CS 1', 1],
    ['CS 2', 2],
    ['CS 3', 3],
  ]);
  const Q = 15 * MIN;
  const docValues = [306.66, 306.66, 0, 0, 306.66, 306.66];

  it('maps the getMeterData doc example ("connection": "CS 1")', () => {
    const out = mapV1Series(fx('v1_1/doc_getMeterData_response.json'), names, T2015, Q);
    expect([...out.keys()]).toEqual([1]);
    expect(out.get(1)).toEqual({ times: axis(T2015, Q, 6), values: docValues, min: 0, max: 306.66 });
  });

  it('maps the getPrognosis doc example the same way', () => {
    const out = mapV1Series(fx('v1_1/doc_getPrognosis_response.json'), names, T2015, Q);
    expect(out.get(1)!.values).toEqual(docValues);
    expect(out.get(1)!.times[5]).toBe(T2015 + 75 * MIN);
  });

  it('reads the code shape: plural key holding a string ("connections": "CS 1")', () => {
    const out = mapV1Series(
      {
        connections: 'CS 1',
        values: [300, 301, 302, 303, 304, 305],
        start: '2015-01-01T00:00:00Z',
        duration: 'PT1H30M',
        unit: 'MW',
        status: 'PROCESSED',
        message: 'Request has been processed.',
        type: 'GetPrognosisResponse',
      },
      names,
      T2015,
      Q,
    );
    expect(out.get(1)).toEqual({ times: axis(T2015, Q, 6), values: [300, 301, 302, 303, 304, 305], min: 300, max: 305 });
  });

  it('shares one series between merged identical lists ("connections": ["CS 1","CS 2"])', () => {
    const out = mapV1Series({ connections: ['CS 1', 'CS 2'], values: [1, 2], start: '2015-01-01T00:00:00Z' }, names, T2015, Q);
    expect([...out.keys()]).toEqual([1, 2]);
    expect(out.get(1)).toBe(out.get(2));
    expect(out.get(2)!.values).toEqual([1, 2]);
  });

  it('reads groups, places values consecutively from start and keeps the USEF sign as-is', () => {
    const out = mapV1Series(
      {
        groups: [
          { connections: 'CS 1', values: [300, 301, 302] },
          { connection: 'CS 2', values: [-5, -6] },
        ],
        start: '2015-01-01T09:00:00+09:00',
        duration: 'PT45M',
        unit: 'MW',
      },
      names,
      0,
      Q,
    );
    expect(out.get(1)!.times).toEqual(axis(T2015, Q, 3));
    expect(out.get(2)).toEqual({ times: [T2015, T2015 + Q], values: [-5, -6], min: -6, max: -5 });
  });

  it('maps the test message groups (connections list and singular "connection" list)', () => {
    const out = mapV1Series(fx('v1_1/test_message_for_post_meter_data.json'), names, 0, Q);
    expect(out.get(1)).toBe(out.get(2));
    expect(out.get(1)!.values).toEqual([306.66, 306.66, 0, 0, 306.66, 306.66]);
    expect(out.get(3)!.values).toEqual([306.66, 0, 0, 0, 306.66, 306.66]);
    expect(out.get(3)!.times).toEqual(axis(T2015, Q, 6));
  });

  it('"values": [] gives an empty series for the named sensor; no names and no values give nothing', () => {
    const out = mapV1Series({ connections: 'CS 3', values: [], start: '2015-01-01T00:00:00Z' }, names, T2015, Q);
    expect(out.get(3)).toEqual({ times: [], values: [], min: null, max: null });
    expect(mapV1Series({ values: [], start: '2015-01-01T00:00:00Z', status: 'PROCESSED' }, names, T2015, Q).size).toBe(0);
  });

  it('accepts entity addresses (fm1 and fm0) as identifiers', () => {
    const out = mapV1Series(
      {
        groups: [
          { connection: 'ea1.2021-01.io.flexmeasures.company:fm1.4', values: [1] },
          { connection: 'ea1.2021-01.io.flexmeasures.company:3:5', values: [2] },
        ],
      },
      new Map(),
      T2015,
      Q,
    );
    expect(out.get(4)!.values).toEqual([1]);
    expect(out.get(5)!.values).toEqual([2]);
    expect(out.get(5)!.times).toEqual([T2015]);
  });

  it('uses the given start when the answer has none', () => {
    const t = Date.UTC(2020, 5, 1);
    expect(mapV1Series({ connection: 'CS 1', values: [1, 2] }, names, t, HOUR).get(1)!.times).toEqual([t, t + HOUR]);
  });

  it('fails on unknown names, bad values, bad start and a non-positive resolution', () => {
    expect(wireError(() => mapV1Series({ connection: 'CS 9', values: [1] }, names, T2015, Q))).toBe(
      'meter data names sensors the gateway does not know: "CS 9"',
    );
    expect(wireError(() => mapV1Series({ connection: 'CS 1', values: [1, 'x'] }, names, T2015, Q))).toBe(
      'meter data values[1] is not a number or null (got the string "x")',
    );
    expect(wireError(() => mapV1Series({ connection: 'CS 1', values: [1], start: '2015-01-01T00:00:00' }, names, T2015, Q))).toContain(
      'meter data start is not an aware ISO 8601 datetime',
    );
    expect(wireError(() => mapV1Series({ connection: 'CS 1', values: [1] }, names, T2015, 0))).toContain('resolution must be positive');
    expect(wireError(() => mapV1Series({ values: [1, 2] }, names, T2015, Q))).toContain('meter data connections');
    expect(wireError(() => mapV1Series({ groups: [{ connections: 'CS 1', values: 3 }] }, names, T2015, Q))).toBe(
      'meter data groups[0] values is not an array (got number 3)',
    );
  });
});

// =============================================================================================
// v3_0 GET /sensors/<id>/data (§4.4)

describe('mapSensorData', () => {
  it('keeps nulls on the regular axis start + i × resolution; min/max ignore nulls', () => {
    const start = Date.UTC(2021, 4, 1, 22);
    const r = mapSensorData(
      {
        values: [91.5, 92.1, null, null],
        start: '2021-05-02T00:00:00+02:00',
        duration: 'PT1H20M',
        unit: 'm³/h',
        resolution: 'PT20M',
        status: 'PROCESSED',
        message: 'Request has been processed.',
      },
      0,
    );
    expect(r).toEqual({ times: axis(start, 20 * MIN, 4), values: [91.5, 92.1, null, null], min: 91.5, max: 92.1, resolutionMs: 20 * MIN });
  });

  it('maps an all-null window (test_get_no_sensor_data: 4 × null for PT1H20M / PT20M)', () => {
    const q = fxObj('v3_0/HEAD_test_get_sensor_data_query_no_data.json');
    const r = mapSensorData({ ...q, values: [null, null, null, null], status: 'PROCESSED' }, 0);
    const start = Date.UTC(1921, 4, 1, 22);
    expect(r.times).toEqual(axis(start, 20 * MIN, 4));
    expect(r.min).toBeNull();
    expect(r.max).toBeNull();
  });

  it('maps the flexmeasures-client doc return (no resolution: derived from duration / count)', () => {
    const r = mapSensorData(fx('client/doc_get_sensor_data_return.json'), 0);
    const start = Date.UTC(2015, 5, 2, 10);
    expect(r).toEqual({ times: [start, start + 15 * MIN, start + 30 * MIN], values: [2.15, 3, 2], min: 2, max: 3, resolutionMs: 15 * MIN });
  });

  it('derives the step of an instantaneous sensor ("resolution": "PT0H") from duration / count', () => {
    const r = mapSensorData({ values: [1, null, 3], start: '2021-05-02T00:00:00Z', duration: 'PT1H', resolution: 'PT0H', unit: 'kW' }, 0);
    expect(r.resolutionMs).toBe(20 * MIN);
    expect(r.times).toEqual(axis(Date.UTC(2021, 4, 2), 20 * MIN, 3));
    expect(r.min).toBe(1);
    expect(r.max).toBe(3);
  });

  it('an empty answer maps to an empty series; a missing start falls back to the requested one', () => {
    expect(mapSensorData({ values: [], duration: 'PT1H', resolution: 'PT0H' }, T2015)).toEqual({
      times: [],
      values: [],
      min: null,
      max: null,
      resolutionMs: 0,
    });
    expect(mapSensorData({ values: [5, 6], resolution: 'PT15M' }, T2015).times).toEqual([T2015, T2015 + 15 * MIN]);
  });

  it('fails on malformed bodies with a message naming the field', () => {
    expect(wireError(() => mapSensorData([], 0))).toBe('sensor data is not an object (got an array of 0)');
    expect(wireError(() => mapSensorData({ values: '1,2,3', start: '2021-05-02T00:00:00Z', resolution: 'PT1H' }, 0))).toBe(
      'sensor data values is not an array (got the string "1,2,3")',
    );
    expect(wireError(() => mapSensorData({ values: [1, '2'], start: '2021-05-02T00:00:00Z', resolution: 'PT1H' }, 0))).toBe(
      'sensor data values[1] is not a number or null (got the string "2")',
    );
    expect(wireError(() => mapSensorData({ values: [1], start: '2021-05-02T00:00:00', resolution: 'PT1H' }, 0))).toBe(
      'sensor data start is not an aware ISO 8601 datetime (got the string "2021-05-02T00:00:00")',
    );
    expect(wireError(() => mapSensorData({ values: [1], start: '2021-05-02T00:00:00Z', resolution: '15M' }, 0))).toContain(
      'sensor data resolution is not an ISO 8601 duration',
    );
    expect(wireError(() => mapSensorData({ values: [1], start: '2021-05-02T00:00:00Z', resolution: 'PT0H' }, 0))).toContain(
      'sensor data duration (needed without a resolution) is not an ISO 8601 duration (got missing)',
    );
    expect(wireError(() => mapSensorData({ values: [1], start: '2021-05-02T00:00:00Z', resolution: '-PT15M' }, 0))).toContain(
      'sensor data resolution is not a non-negative duration',
    );
    expect(wireError(() => mapSensorData({ values: [1, 2, 3, 4, 5, 6, 7], start: '2021-05-02T00:00:00Z', duration: 'PT1H' }, 0))).toContain(
      'sensor data duration is not divisible into 7 whole-millisecond steps',
    );
    expect(wireError(() => mapSensorData({ values: [1], resolution: 'PT1H' }, Number.NaN))).toContain('sensor data start');
  });
});

// =============================================================================================
// USEF answers and error bodies (§2.3, §2.4, §3.7, §4.5)

describe('usefOutcome', () => {
  it('reads the doc post* responses as processed', () => {
    for (const f of [
      'doc_postMeterData_response',
      'doc_postPriceData_response',
      'doc_postPrognosis_response',
      'doc_postWeatherData_response',
    ]) {
      expect(usefOutcome(200, fx(`v1_1/${f}.json`))).toEqual({
        ok: true,
        alreadyReceived: false,
        code: 'PROCESSED',
        message: 'Request has been processed.',
        fields: [],
      });
    }
  });

  it('HEAD 202 ACCEPTED (ingestion queue) is ok', () => {
    const o = usefOutcome(202, {
      status: 'ACCEPTED',
      message: 'Sensor data has been accepted for processing.',
      job: 'abc',
      'job-url': '/api/v3_0/jobs/abc',
    });
    expect(o.ok).toBe(true);
    expect(o.code).toBe('ACCEPTED');
  });

  it('ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED (with the "results" key) → ok + alreadyReceived', () => {
    expect(
      usefOutcome(200, {
        results: 'PROCESSED',
        status: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED',
        message: 'Some of the data has already been received and successfully processed.',
        type: 'PostMeterDataResponse',
      }),
    ).toEqual({
      ok: true,
      alreadyReceived: true,
      code: 'ALREADY_RECEIVED_AND_SUCCESSFULLY_PROCESSED',
      message: 'Some of the data has already been received and successfully processed.',
      fields: [],
    });
  });

  it('INVALID_REPLACEMENT (403, "results": "Rejected") is not ok and keeps the code', () => {
    const o = usefOutcome(403, {
      results: 'Rejected',
      status: 'INVALID_REPLACEMENT',
      message:
        'Some of the data represents a replacement, which is reserved for servers in play mode. Enable play mode or update the prior in your request.',
    });
    expect(o.ok).toBe(false);
    expect(o.alreadyReceived).toBe(false);
    expect(o.code).toBe('INVALID_REPLACEMENT');
    expect(o.message).toMatch(/^Some of the data represents a replacement/);
  });

  it('a "results": "Rejected" body is a rejection even on HTTP 200', () => {
    expect(usefOutcome(200, { results: 'Rejected', status: 'PROCESSED', message: 'x' }).ok).toBe(false);
    expect(usefOutcome(200, { result: 'Rejected', status: 'PROCESSED', message: 'x' }).ok).toBe(false);
  });

  it('flattens a 422 body keyed by location into fields and a message', () => {
    const o = usefOutcome(422, {
      message: {
        combined_sensor_data_description: {
          _schema: ["Resolution of 0:04:10 is incompatible with the sensor's required resolution of 0:10:00."],
        },
      },
      result: 'Rejected',
      status: 'UNPROCESSABLE_ENTITY',
    });
    expect(o).toEqual({
      ok: false,
      alreadyReceived: false,
      code: 'UNPROCESSABLE_ENTITY',
      message:
        "combined_sensor_data_description._schema: Resolution of 0:04:10 is incompatible with the sensor's required resolution of 0:10:00.",
      fields: ['combined_sensor_data_description._schema'],
    });
  });

  it('lists every field of a multi-field json 422 and joins the messages', () => {
    const o = usefOutcome(422, {
      message: { json: { unit: ['Missing data for required field.'], start: ['Not a valid aware datetime.'] } },
      result: 'Rejected',
      status: 'UNPROCESSABLE_ENTITY',
    });
    expect(o.fields).toEqual(['json.unit', 'json.start']);
    expect(o.message).toBe('json.unit: Missing data for required field.; json.start: Not a valid aware datetime.');
  });

  it('reads a 422 FMValidationError list message (INVALID_DOMAIN)', () => {
    const o = usefOutcome(422, {
      message: ["connection with entity address ea1.2021-01.io.flexmeasures:fm1.666 doesn't exist."],
      result: 'Rejected',
      status: 'INVALID_DOMAIN',
    });
    expect(o.code).toBe('INVALID_DOMAIN');
    expect(o.message).toBe("connection with entity address ea1.2021-01.io.flexmeasures:fm1.666 doesn't exist.");
    expect(o.fields).toEqual([]);
  });

  it('treats an "errors" array as failure even on HTTP 200 (missing password on v0.12)', () => {
    expect(usefOutcome(200, { errors: ["Please provide the 'password' parameter."], status: 200 })).toEqual({
      ok: false,
      alreadyReceived: false,
      code: null,
      message: "Please provide the 'password' parameter.",
      fields: [],
    });
    expect(usefOutcome(401, { errors: ['User password does not match.'], status: 401 }).message).toBe('User password does not match.');
  });

  it('the requestAuthToken success (doc example, and with the injected status) is ok with no code', () => {
    const doc = usefOutcome(200, fx('common/doc_requestAuthToken_response.json'));
    expect(doc.ok).toBe(true);
    expect(doc.code).toBeNull();
    const real = usefOutcome(200, { auth_token: 'tok', user_id: 1, status: 200 });
    expect(real).toEqual({ ok: true, alreadyReceived: false, code: null, message: '', fields: [] });
  });

  it('an integer "status" (Flask-JSON) is never a code; HTTP errors keep their message', () => {
    const sunset = usefOutcome(410, {
      message:
        'API version 1.1 has been sunset. Please upgrade to API version 3.0. See https://flexmeasures.readthedocs.io/en/v0.13.0/api/v1_1.html for more information.',
      status: 410,
    });
    expect(sunset.ok).toBe(false);
    expect(sunset.code).toBeNull();
    expect(sunset.message).toMatch(/^API version 1\.1 has been sunset/);
    expect(usefOutcome(404, { message: 'Sensor 99 not found', status: 404 })).toEqual({
      ok: false,
      alreadyReceived: false,
      code: null,
      message: 'Sensor 99 not found',
      fields: [],
    });
    expect(usefOutcome(500, { status: 500 }).message).toBe('HTTP 500');
  });

  it('401 / 403 / 413 / 429 bodies keep their USEF codes', () => {
    const u = usefOutcome(401, {
      message: 'You could not be properly authenticated for this content or functionality.',
      status: 'UNAUTHORIZED',
      type: 'GetMeterDataResponse',
    });
    expect([u.ok, u.code]).toEqual([false, 'UNAUTHORIZED']);
    const f = usefOutcome(403, {
      message: 'You cannot be authorized for this content or functionality.',
      result: 'Rejected',
      status: 'INVALID_SENDER',
    });
    expect([f.ok, f.code, f.message]).toEqual([false, 'INVALID_SENDER', 'You cannot be authorized for this content or functionality.']);
    expect(
      usefOutcome(413, {
        result: 'Rejected',
        status: 'PAYLOAD_TOO_LARGE',
        message: 'Request body exceeds the configured limit of 3250585 bytes.',
      }).code,
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(usefOutcome(429, { result: 'Rejected', status: 'TOO_MANY_REQUESTS', message: 'You hit a rate limit.' }).ok).toBe(false);
  });

  it('UNRECOGNIZED_ASSET (no result key) on 400 is not ok', () => {
    const o = usefOutcome(400, { status: 'UNRECOGNIZED_ASSET', message: 'Cannot identify asset.' });
    expect(o.ok).toBe(false);
    expect(o.code).toBe('UNRECOGNIZED_ASSET');
  });

  it('non-JSON bodies (text 401 of a non-JSON request, nothing) are failures with a readable message', () => {
    expect(usefOutcome(401, 'Unauthorized:You could not be properly authenticated for this content or functionality.')).toEqual({
      ok: false,
      alreadyReceived: false,
      code: null,
      message: 'Unauthorized:You could not be properly authenticated for this content or functionality.',
      fields: [],
    });
    expect(usefOutcome(502, null).message).toBe('HTTP 502 without a JSON body');
    expect(usefOutcome(200, ['a']).ok).toBe(false);
  });
});

// =============================================================================================
// Entity addresses (§2.7)

describe('parseEntityAddress / fm1Address', () => {
  it('resolves every connection style to the trailing integer (sensor 4)', () => {
    const a = 'ea1.2021-01.io.flexmeasures.company';
    expect(parseEntityAddress(`${a}:fm1.4`)).toEqual({
      authority: '2021-01.io.flexmeasures.company',
      scheme: 'fm1',
      sensorId: 4,
      ownerId: null,
      kind: 'connection',
    });
    expect(parseEntityAddress(`${a}:3:4`)).toEqual({
      authority: '2021-01.io.flexmeasures.company',
      scheme: null,
      sensorId: 4,
      ownerId: 3,
      kind: 'connection',
    });
    expect(parseEntityAddress(`${a}:fm0.3:4`)).toEqual({
      authority: '2021-01.io.flexmeasures.company',
      scheme: 'fm0',
      sensorId: 4,
      ownerId: 3,
      kind: 'connection',
    });
    expect(parseEntityAddress(`${a}:4`)).toEqual({
      authority: '2021-01.io.flexmeasures.company',
      scheme: null,
      sensorId: 4,
      ownerId: null,
      kind: 'connection',
    });
  });

  it('does not check the naming authority (FMC placeholder address)', () => {
    const ea = parseEntityAddress('ea1.1000-01.required-but-unused-field:fm1.73');
    expect(ea.sensorId).toBe(73);
    expect(ea.authority).toBe('1000-01.required-but-unused-field');
  });

  it('reads a market address', () => {
    expect(parseEntityAddress('ea1.2018-06.localhost:epex_da')).toEqual({
      authority: '2018-06.localhost',
      scheme: null,
      sensorId: null,
      ownerId: null,
      kind: 'market',
      market: 'epex_da',
    });
    expect(parseEntityAddress('ea1.2021-01.io.flexmeasures.company:epex_da').market).toBe('epex_da');
  });

  it('reads weather sensor addresses, including a type name with a space', () => {
    expect(parseEntityAddress('ea1.2018-06.localhost:wind speed:33.4843866:126')).toEqual({
      authority: '2018-06.localhost',
      scheme: null,
      sensorId: null,
      ownerId: null,
      kind: 'weather',
      weatherType: 'wind speed',
      latitude: 33.4843866,
      longitude: 126,
    });
    const t = parseEntityAddress('ea1.2021-01.io.flexmeasures.company:temperature:33.4843866:126.477859');
    expect([t.kind, t.weatherType, t.latitude, t.longitude]).toEqual(['weather', 'temperature', 33.4843866, 126.477859]);
    expect(parseEntityAddress('ea1.2018-06.localhost:irradiance:-33.5:-70.25').latitude).toBe(-33.5);
  });

  it('reads the addresses of the v1_1 test messages', () => {
    const price = fxObj('v1_1/test_message_for_post_price_data.json');
    expect(parseEntityAddress(price.market as string).market).toBe('epex_da');
    const weather = fxObj('v1_1/test_message_for_post_weather_data_temperature.json');
    const sensor = (weather.groups as Json[])[0]!.sensor as string;
    expect(parseEntityAddress(sensor).weatherType).toBe('temperature');
  });

  it("uses FlexMeasures' messages for bad addresses", () => {
    expect(errorMessage(() => parseEntityAddress('Non-existing asset 1'))).toBe(
      "A valid type 1 USEF entity address starts with 'ea1', please review Non-existing asset 1",
    );
    expect(errorMessage(() => parseEntityAddress('ea1.2018-13.localhost:epex_da'))).toBe(
      "After 'ea1.', a date specification of the format ([0-9]{4})-(0[1-9]|1[012]) is expected.",
    );
    expect(errorMessage(() => parseEntityAddress('ea1.18-06.localhost:epex_da'))).toBe(
      "After 'ea1.', a date specification of the format ([0-9]{4})-(0[1-9]|1[012]) is expected.",
    );
    expect(errorMessage(() => parseEntityAddress('ea1.2021-01.io.flexmeasures:fm1.x'))).toBe(
      "A valid type 1 FlexMeasures entity address starts with 'ea1.2021-01.io.flexmeasures:fm1.', please review ea1.2021-01.io.flexmeasures:fm1.x",
    );
    expect(errorMessage(() => parseEntityAddress('ea1.2021-01.io.flexmeasures:wind speed:north:126'))).toBe(
      'Could not parse weather_sensor ea1.2021-01.io.flexmeasures:wind speed:north:126.',
    );
    expect(errorMessage(() => parseEntityAddress('ea1.2021-01.io.flexmeasures:1x'))).toBe(
      'Could not parse connection ea1.2021-01.io.flexmeasures:1x.',
    );
  });

  it('fm1Address builds fm1 addresses with or without the ea1. prefix', () => {
    expect(fm1Address('2021-01.io.flexmeasures.company', 4)).toBe('ea1.2021-01.io.flexmeasures.company:fm1.4');
    expect(fm1Address('ea1.2021-01.io.flexmeasures.company', 42)).toBe('ea1.2021-01.io.flexmeasures.company:fm1.42');
    expect(parseEntityAddress(fm1Address('2021-01.io.flexmeasures', 9)).sensorId).toBe(9);
    expect(errorMessage(() => fm1Address('2021-01.io.flexmeasures', 1.5))).toBe('Not a sensor id: 1.5');
    expect(() => fm1Address('2021-01.io.flexmeasures', -1)).toThrow('Not a sensor id: -1');
  });
});

// =============================================================================================
// Durations (§2.6)

describe('parseDuration', () => {
  it('parses the exact forms FlexMeasures and isodate write', () => {
    expect(parseDuration('PT15M')).toBe(15 * MIN);
    expect(parseDuration('PT1H30M')).toBe(90 * MIN);
    expect(parseDuration('P1D')).toBe(DAY);
    expect(parseDuration('P1DT1H')).toBe(25 * HOUR);
    expect(parseDuration('PT24H')).toBe(DAY);
    expect(parseDuration('P2W')).toBe(14 * DAY);
    expect(parseDuration('PT30S')).toBe(30_000);
    expect(parseDuration('PT0.5H')).toBe(30 * MIN);
  });

  it('parses zero durations P0D and PT0H as 0 (not -0)', () => {
    expect(parseDuration('P0D')).toBe(0);
    expect(parseDuration('PT0H')).toBe(0);
    expect(Object.is(parseDuration('-PT0H'), 0)).toBe(true);
  });

  it('parses negative and repeating (rolling) horizons', () => {
    expect(parseDuration('-PT10M')).toBe(-10 * MIN);
    expect(parseDuration('R/PT6H')).toBe(6 * HOUR);
    expect(parseDuration('R/-PT10M')).toBe(-10 * MIN);
  });

  it("parses pandas' Timedelta.isoformat() forms", () => {
    expect(parseDuration('P0DT1H0M0S')).toBe(HOUR);
    expect(parseDuration('P0DT0H15M0S')).toBe(15 * MIN);
    expect(parseDuration('-P0DT0H10M0S')).toBe(-10 * MIN);
    expect(parseDuration('P1DT0H0M0S')).toBe(DAY);
  });

  it('grounds nominal durations against a start (Jan 31 + P1M = Feb 28 / Feb 29)', () => {
    expect(parseDuration('P1M', Date.UTC(2021, 0, 31))).toBe(28 * DAY);
    expect(parseDuration('P1M', Date.UTC(2024, 0, 31))).toBe(29 * DAY);
    expect(parseDuration('P1M', Date.UTC(2021, 3, 1))).toBe(30 * DAY);
    expect(parseDuration('P1Y', Date.UTC(2024, 1, 29))).toBe(365 * DAY);
    expect(parseDuration('P1MT1H', Date.UTC(2021, 0, 31))).toBe(28 * DAY + HOUR);
    expect(parseDuration('-P1M', Date.UTC(2021, 2, 31))).toBe(-31 * DAY);
  });

  it('rejects nominal durations without a start, and malformed strings', () => {
    expect(errorMessage(() => parseDuration('P1M'))).toContain('needs a start');
    expect(errorMessage(() => parseDuration('P1.5M', Date.UTC(2021, 0, 1)))).toContain('Fractional years or months');
    for (const bad of ['', 'P', 'PT', '15M', 'T6H', 'PT1H30', 'P1H', 'PT-5M', 'R/']) {
      expect(() => parseDuration(bad), bad).toThrow(/ISO 8601 duration/);
    }
  });
});

describe('formatDurationFM / formatDurationIsodate', () => {
  it('formatDurationFM never prints days', () => {
    expect(formatDurationFM(DAY)).toBe('PT24H');
    expect(formatDurationFM(0)).toBe('PT0H');
    expect(formatDurationFM(90 * MIN)).toBe('PT1H30M');
    expect(formatDurationFM(15 * MIN)).toBe('PT15M');
    expect(formatDurationFM(49 * HOUR)).toBe('PT49H');
    expect(formatDurationFM(-10 * MIN)).toBe('-PT10M');
    expect(formatDurationFM(30_000)).toBe('PT30S');
    expect(formatDurationFM(1_500)).toBe('PT1.5S');
  });

  it('formatDurationIsodate prints days like isodate.duration_isoformat', () => {
    expect(formatDurationIsodate(DAY)).toBe('P1D');
    expect(formatDurationIsodate(0)).toBe('P0D');
    expect(formatDurationIsodate(90 * MIN)).toBe('PT1H30M');
    expect(formatDurationIsodate(25 * HOUR)).toBe('P1DT1H');
    expect(formatDurationIsodate(-HOUR)).toBe('-PT1H');
    expect(formatDurationIsodate(5 * MIN)).toBe('PT5M');
  });

  it('round-trips through parseDuration and rejects non-finite input', () => {
    for (const ms of [0, 5 * MIN, 90 * MIN, DAY, 25 * HOUR, -10 * MIN, 36 * HOUR + 30_000]) {
      expect(parseDuration(formatDurationFM(ms))).toBe(ms);
      expect(parseDuration(formatDurationIsodate(ms))).toBe(ms);
    }
    expect(() => formatDurationFM(Number.NaN)).toThrow('Not a finite duration');
    expect(() => formatDurationIsodate(Number.POSITIVE_INFINITY)).toThrow('Not a finite duration');
  });
});

// =============================================================================================
// Writes (§3.7–3.12, §4.5)

describe('prepareWrite', () => {
  const base = (over: Partial<WriteInput>): WriteInput => ({
    quantity: 'power',
    unit: 'MW',
    generation: 'v1_1',
    startMs: T2015,
    values: [1],
    sensorResolutionMs: 15 * MIN,
    ...over,
  });
  const durationOf = (json: Json): number => parseDuration(json.duration as string);
  const startOf = (json: Json): number => parseFmInstant(json.start)!;

  it('post price data test message: 24 hourly values over PT24H to an hourly EUR/MWh sensor', () => {
    const msg = fxObj('v1_1/test_message_for_post_price_data.json');
    const values = msg.values as number[];
    const w = prepareWrite({
      quantity: 'price',
      unit: msg.unit as string,
      generation: 'v1_1',
      startMs: startOf(msg),
      values,
      durationMs: durationOf(msg),
      sensorResolutionMs: HOUR,
    });
    expect(w).toEqual({ start: '2021-01-05T23:00:00Z', duration: 'PT24H', values, unit: 'EUR/MWh', upsampledBy: 1 });
    expect(horizonFor('v1_1', 'price', parseDuration(msg.horizon as string))).toBe('PT35H');
  });

  it('the doc price request (start +09:00) formats start in UTC and keeps the values', () => {
    const msg = fxObj('v1_1/doc_postPriceData_request.json');
    const w = prepareWrite({
      quantity: 'price',
      unit: 'EUR/MWh',
      generation: 'v1_1',
      startMs: startOf(msg),
      values: msg.values as number[],
      durationMs: durationOf(msg),
      sensorResolutionMs: HOUR,
    });
    expect(w.start).toBe('2015-01-01T06:00:00Z');
    expect(w.values).toHaveLength(24);
    expect(w.values[23]).toBe(58.61);
  });

  it('compressed price data (6 values over PT24H) to an hourly market is upsampled ×4', () => {
    const w = prepareWrite(
      base({ quantity: 'price', unit: 'KRW/kWh', values: [1, 2, 3, 4, 5, 6], durationMs: DAY, sensorResolutionMs: HOUR }),
    );
    expect(w.upsampledBy).toBe(4);
    expect(w.values).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6]);
    expect(w.duration).toBe('PT24H');
  });

  it('price data over PT2M for an hourly market is rejected (finer than the sensor)', () => {
    const e = writeError(() =>
      prepareWrite(base({ quantity: 'price', unit: 'EUR/MWh', values: [1, 2, 3, 4, 5, 6], durationMs: 2 * MIN, sensorResolutionMs: HOUR })),
    );
    expect(e.field).toBe('duration');
    expect(e.message).toContain('finer than');
    expect(e.message).toContain('PT1H');
  });

  it('post meter data test message: each group is 6 values over PT1H30M for a 15-min sensor, horizon PT0H', () => {
    const msg = fxObj('v1_1/test_message_for_post_meter_data.json');
    for (const g of msg.groups as Json[]) {
      const w = prepareWrite(base({ values: g.values as number[], durationMs: durationOf(msg), startMs: startOf(msg) }));
      expect(w).toEqual({ start: '2015-01-01T00:00:00Z', duration: 'PT1H30M', values: g.values, unit: 'MW', upsampledBy: 1 });
    }
    expect(horizonFor('v1_1', 'meter', parseDuration(msg.horizon as string))).toBe('PT0H');
  });

  it('post weather data test messages: wind speed in m/s, temperature in °C (6 values over PT30M → 5 min)', () => {
    for (const f of ['test_message_for_post_weather_data', 'test_message_for_post_weather_data_temperature']) {
      const msg = fxObj(`v1_1/${f}.json`);
      const g = (msg.groups as Json[])[0]!;
      const quantity = parseEntityAddress(g.sensor as string).weatherType!;
      const w = prepareWrite({
        quantity,
        unit: msg.unit as string,
        generation: 'v1_1',
        startMs: startOf(msg),
        values: g.values as number[],
        durationMs: durationOf(msg),
        sensorResolutionMs: 5 * MIN,
      });
      expect(w.start).toBe('2015-01-01T06:00:00Z');
      expect(w.duration).toBe('PT30M');
      expect(w.values).toEqual(g.values);
      expect(horizonFor('v1_1', 'weather', parseDuration(msg.horizon as string))).toBe('PT3H');
    }
  });

  it('v1_1 units: power only MW; price EUR/MWh or KRW/kWh; °C/0C; kW/m²; m/s', () => {
    const ok = (quantity: string, unit: string): boolean => {
      try {
        prepareWrite(base({ quantity, unit }));
        return true;
      } catch (err) {
        expect(err).toBeInstanceOf(WriteValidationError);
        expect((err as WriteValidationError).field).toBe('unit');
        return false;
      }
    };
    expect([ok('power', 'MW'), ok('power', 'kW'), ok('power', 'MW/h')]).toEqual([true, false, false]);
    expect([ok('price', 'EUR/MWh'), ok('price', 'KRW/kWh'), ok('price', 'EUR/kWh')]).toEqual([true, true, false]);
    expect([ok('temperature', '°C'), ok('temperature', '0C'), ok('temperature', 'K')]).toEqual([true, true, false]);
    expect([ok('irradiance', 'kW/m²'), ok('irradiance', 'kW/m2'), ok('irradiance', 'W/m²')]).toEqual([true, true, false]);
    expect([ok('wind speed', 'm/s'), ok('wind speed', 'km/h')]).toEqual([true, false]);
  });

  it('a wrong unit says which units the quantity takes', () => {
    const e = writeError(() => prepareWrite(base({ unit: 'kW' })));
    expect(e.field).toBe('unit');
    expect(e.message).toBe('Data for power should be given in MW on FlexMeasures v1_1 (got "kW").');
    const none = writeError(() => prepareWrite(base({ unit: '  ' })));
    expect([none.field, none.message]).toEqual(['unit', 'Data should be given a unit.']);
  });

  it('v3_0 takes kW for power and EUR/kWh for price; v1_1 cannot take energy at all', () => {
    expect(prepareWrite(base({ generation: 'v3_0', unit: 'kW' })).unit).toBe('kW');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'price', unit: 'EUR/kWh' })).unit).toBe('EUR/kWh');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'flow', unit: 'm³' })).unit).toBe('m³');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'other', unit: 'anything' })).unit).toBe('anything');
    const e = writeError(() => prepareWrite(base({ quantity: 'energy', unit: 'MWh' })));
    expect(e.field).toBe('quantity');
    expect(e.message).toContain('FlexMeasures v1_1 cannot receive energy data');
  });

  it("v3_0 always accepts the sensor's own unit, even outside the usual list (§4.5: convertible units)", () => {
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'price', unit: 'USD/MWh', sensorUnit: 'USD/MWh' })).unit).toBe('USD/MWh');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'wind speed', unit: 'km/h', sensorUnit: 'km/h' })).unit).toBe('km/h');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'temperature', unit: 'K', sensorUnit: 'K' })).unit).toBe('K');
    expect(prepareWrite(base({ generation: 'v3_0', quantity: 'power', unit: 'GW', sensorUnit: 'GW' })).unit).toBe('GW');
    // v1_1 stays strict: it takes only the units it names (§3.2).
    expect(() => prepareWrite(base({ generation: 'v1_1', quantity: 'power', unit: 'GW', sensorUnit: 'GW' }))).toThrow(
      /should be given in MW/,
    );
  });

  it('duration vs count: uneven division is a "duration" error', () => {
    const e = writeError(() => prepareWrite(base({ values: [1, 2, 3, 4, 5, 6, 7], durationMs: HOUR })));
    expect(e.field).toBe('duration');
    expect(e.message).toContain('7 values do not divide the duration PT1H');
  });

  it('duration vs resolution vs count mismatch is a "values" error that says what to send', () => {
    const e = writeError(() => prepareWrite(base({ values: [1, 2, 3, 4, 5], durationMs: HOUR, resolutionMs: 15 * MIN })));
    expect(e.field).toBe('values');
    expect(e.message).toBe('5 values at PT15M cover PT1H15M, not the duration PT1H: send 4 values or change the duration to PT1H15M.');
  });

  it('non-whole-minute durations, bad resolutions and bad starts are rejected with their field', () => {
    expect(writeError(() => prepareWrite(base({ values: [1, 2], durationMs: 90_000 }))).field).toBe('duration');
    expect(writeError(() => prepareWrite(base({ resolutionMs: 0 }))).field).toBe('resolution');
    expect(writeError(() => prepareWrite(base({ durationMs: -HOUR }))).field).toBe('duration');
    expect(writeError(() => prepareWrite(base({ startMs: Number.NaN }))).field).toBe('start');
    expect(writeError(() => prepareWrite(base({ values: [] }))).field).toBe('values');
  });

  it('upsamples by repetition: 30-min values to a 15-min sensor → each twice', () => {
    const w = prepareWrite(base({ values: [10, 20, 30], durationMs: 90 * MIN }));
    expect(w).toEqual({ start: '2015-01-01T00:00:00Z', duration: 'PT1H30M', values: [10, 10, 20, 20, 30, 30], unit: 'MW', upsampledBy: 2 });
    const byRes = prepareWrite(base({ values: [1, 2], resolutionMs: HOUR }));
    expect([byRes.duration, byRes.upsampledBy, byRes.values.length]).toEqual(['PT2H', 4, 8]);
  });

  it('rejects finer data (no downsampling) and non-multiples', () => {
    const finer = writeError(() => prepareWrite(base({ values: [1, 2, 3], durationMs: 15 * MIN })));
    expect(finer.field).toBe('duration');
    expect(finer.message).toBe(
      "The values' resolution PT5M is finer than the sensor's resolution PT15M: send one value per PT15M (or per a whole multiple of it); values are not downsampled.",
    );
    const odd = writeError(() => prepareWrite(base({ values: [1, 2, 3], durationMs: HOUR })));
    expect(odd.field).toBe('duration');
    expect(odd.message).toContain('PT20M is not a whole multiple of');
    expect(writeError(() => prepareWrite(base({ resolutionMs: 20 * MIN }))).field).toBe('resolution');
  });

  it('without duration or resolution the values are at the sensor resolution', () => {
    const w = prepareWrite(base({ values: [1, 2, 3, 4], sensorResolutionMs: 6 * HOUR }));
    expect([w.duration, w.upsampledBy]).toEqual(['PT24H', 1]);
  });

  it('nulls are rejected on v1_1 (PTUS_INCOMPLETE) and kept on v3_0', () => {
    const e = writeError(() => prepareWrite(base({ values: [1, 2, null, 4], durationMs: HOUR })));
    expect(e.field).toBe('values[2]');
    expect(e.message).toContain('PTUS_INCOMPLETE');
    const w = prepareWrite(base({ generation: 'v3_0', values: [1, null], durationMs: HOUR }));
    expect(w.values).toEqual([1, 1, null, null]);
    expect(writeError(() => prepareWrite(base({ values: [1, Number.NaN] }))).field).toBe('values[1]');
  });

  it('instantaneous sensors (v3_0): one value over PT0H', () => {
    const one = prepareWrite(base({ generation: 'v3_0', values: [5], sensorResolutionMs: 0, durationMs: 0 }));
    expect(one).toEqual({ start: '2015-01-01T00:00:00Z', duration: 'PT0H', values: [5], unit: 'MW', upsampledBy: 1 });
    expect(prepareWrite(base({ generation: 'v3_0', values: [5], sensorResolutionMs: 0 })).duration).toBe('PT0H');
    expect(writeError(() => prepareWrite(base({ generation: 'v3_0', values: [1, 2], sensorResolutionMs: 0 }))).field).toBe('values');
    expect(writeError(() => prepareWrite(base({ generation: 'v3_0', values: [1], sensorResolutionMs: 0, durationMs: HOUR }))).field).toBe(
      'duration',
    );
    expect(writeError(() => prepareWrite(base({ values: [1], sensorResolutionMs: 0 }))).field).toBe('sensor');
  });

  it('one value over a zero duration to a non-instantaneous sensor is rejected', () => {
    expect(writeError(() => prepareWrite(base({ generation: 'v3_0', values: [1], durationMs: 0 }))).field).toBe('duration');
  });
});

describe('horizonFor', () => {
  it('meter data: default PT0H, zero or negative allowed, positive rejected', () => {
    expect(horizonFor('v1_1', 'meter')).toBe('PT0H');
    expect(horizonFor('v3_0', 'meter', null)).toBe('PT0H');
    expect(horizonFor('v1_1', 'meter', 0)).toBe('PT0H');
    expect(horizonFor('v1_1', 'meter', -10 * MIN)).toBe('-PT10M');
    const e = writeError(() => horizonFor('v3_0', 'meter', HOUR));
    expect(e.field).toBe('horizon');
    expect(e.message).toContain('zero or negative horizon');
  });

  it('prognoses: a horizon is required and must be positive', () => {
    expect(horizonFor('v1_1', 'prognosis', parseDuration(fxObj('v1_1/doc_postPrognosis_request.json').horizon as string))).toBe('PT7H30M');
    expect(horizonFor('v3_0', 'prognosis', DAY)).toBe('PT24H');
    expect(writeError(() => horizonFor('v1_1', 'prognosis')).message).toContain('Prognoses must lie in the future');
    expect(writeError(() => horizonFor('v3_0', 'prognosis', 0)).field).toBe('horizon');
    expect(writeError(() => horizonFor('v3_0', 'prognosis', -HOUR)).message).toContain('(got -PT1H)');
  });

  it('prices and weather: as given, or left to the server default', () => {
    expect(horizonFor('v1_1', 'price')).toBeUndefined();
    expect(horizonFor('v1_1', 'weather', 3 * HOUR)).toBe('PT3H');
    expect(horizonFor('v3_0', 'price', -10 * MIN)).toBe('-PT10M');
  });

  it('rejects non-finite and non-whole-minute horizons', () => {
    expect(writeError(() => horizonFor('v3_0', 'price', Number.NaN)).field).toBe('horizon');
    expect(writeError(() => horizonFor('v3_0', 'meter', -90_000)).message).toContain('whole minutes');
  });
});
