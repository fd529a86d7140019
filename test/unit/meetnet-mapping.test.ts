import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Language, type SeriesData } from '../../src/shared/domain.js';
import {
  WireFormatError,
  formatRequestTime,
  localized,
  mapCatalog,
  mapCurrentData,
  mapGetData,
  meetnetId,
  mergeSeries,
  parseMeetnetTimestamp,
} from '../../src/upstreams/meetnet/mapping.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/meetnet/${name}`, import.meta.url), 'utf8')) as unknown;
}

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

interface RawCatalog {
  Locations: Json[];
  Parameters: Json[];
  ParameterTypes: Record<string, Json>;
  AvailableData: Json[];
}
interface RawPoint {
  Timestamp: string;
  Value: number | null;
}
interface RawSeries {
  ID: string;
  MinValue: number | null;
  MaxValue: number | null;
  Values: RawPoint[];
}
interface RawGetData {
  Values: RawSeries[];
}
interface RawCurrent {
  ID: string;
  Timestamp: string;
  Value: number;
}

const catalogWire = fixture('catalog_2020-01_surfbot.json') as RawCatalog;
const current2020 = fixture('currentData_2020-01-02_surfbot.json') as RawCurrent[];
const current2026 = fixture('currentData_2026-08-05_foilspots.json') as RawCurrent[];
const getDataWire = fixture('getData_2021-12-15_MP7_dewindnu.json') as RawGetData;

/** Runs fn, expects a WireFormatError, and returns its message. */
function wireError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WireFormatError);
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  throw new Error('expected a WireFormatError, nothing was thrown');
}

/** Every string reachable from a value. */
function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (v instanceof Map) for (const x of v.values()) allStrings(x, out);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) allStrings(x, out);
  return out;
}

describe('meetnetId', () => {
  it('builds global IDs', () => {
    expect(meetnetId('location', 'MP7')).toBe('meetnet:location:MP7');
    expect(meetnetId('parameter', 'WVC')).toBe('meetnet:parameter:WVC');
    expect(meetnetId('sensor', 'MP7WVC')).toBe('meetnet:sensor:MP7WVC');
  });
});

describe('localized', () => {
  it('maps the real cultures and the bare ones, case-insensitively', () => {
    expect(
      localized([
        { Culture: 'nl-BE', Message: 'Golven' },
        { Culture: 'fr-BE', Message: 'Vagues' },
        { Culture: 'en-GB', Message: 'Waves' },
      ]),
    ).toEqual({ NL: 'Golven', FR: 'Vagues', EN: 'Waves' });
    expect(
      localized([
        { Culture: 'NL', Message: 'a' },
        { Culture: 'Fr', Message: 'b' },
        { Culture: 'EN-gb', Message: 'c' },
      ]),
    ).toEqual({
      NL: 'a',
      FR: 'b',
      EN: 'c',
    });
  });

  it('drops unknown cultures, junk items, empty texts and placeholders', () => {
    expect(
      localized([
        { Culture: 'de-DE', Message: 'Wellen' },
        null,
        'x',
        { Culture: 5, Message: 'five' },
        { Culture: 'nl-BE', Message: '   ' },
        { Culture: 'fr-BE', Message: 42 },
        { Culture: 'en-GB', Message: "'en.$Parameter.Name.VHL'" },
      ]),
    ).toEqual({});
  });

  it('cleans the values (spaces, NBSP, mojibake)', () => {
    expect(localized([{ Culture: 'fr-BE', Message: ' Nieuport - BouÃ©e\u00a0 ' }])).toEqual({ FR: 'Nieuport - Bouée' });
  });

  it('returns an empty text for anything but an array', () => {
    expect(localized(null)).toEqual({});
    expect(localized(undefined)).toEqual({});
    expect(localized('Westhinder')).toEqual({});
    expect(localized({ Culture: 'nl-BE', Message: 'x' })).toEqual({});
  });
});

describe('mapCatalog on the 2020 recording', () => {
  const cat = mapCatalog(catalogWire);

  it('maps every row', () => {
    expect(cat.locations).toHaveLength(35);
    expect(cat.parameters).toHaveLength(22);
    expect(cat.sensors).toHaveLength(165);
    expect(cat.skipped).toBe(0);
    expect(cat.locationById.size).toBe(35);
    expect(cat.parameterById.size).toBe(22);
    expect(cat.sensorById.size).toBe(165);
  });

  it("keeps the upstream's order (ascending by ID)", () => {
    expect(cat.locations.map((l) => l.nativeId)).toEqual(catalogWire.Locations.map((l) => l.ID));
    expect(cat.parameters.map((p) => p.nativeId)).toEqual(catalogWire.Parameters.map((p) => p.ID));
    expect(cat.sensors.map((s) => s.nativeId)).toEqual(catalogWire.AvailableData.map((a) => a.ID));
    const ids = cat.sensors.map((s) => s.nativeId);
    expect(ids).toEqual([...ids].sort());
  });

  it('maps MP7 (Westhinder) exactly', () => {
    const mp7 = cat.locationById.get('meetnet:location:MP7');
    expect(mp7).toBeDefined();
    expect(mp7!.id).toBe('meetnet:location:MP7');
    expect(mp7!.nativeId).toBe('MP7');
    expect(mp7!.upstream).toBe('meetnet');
    expect(mp7!.parentId).toBeNull();
    expect(mp7!.position).toEqual({ latitude: 51.3886111111111, longitude: 2.43777777777778 });
    expect(mp7!.name).toEqual({
      NL: 'Westhinder - Meetpaal',
      FR: 'Westhinder - Mât de mesure',
      EN: 'Westhinder - Measuring pile',
    });
    // The description keeps its HTML (converted elsewhere); only spaces are normalised.
    expect(mp7!.description.EN).toBe('Tide: Radac - Waveguide Wave<br /> Wind: Vaisala - WAA151 &amp');
    expect(mp7!.description.NL).toMatch(/^Getij: Radac - Waveguide Wave<br \/> Wind: Vaisala - WAA151 & WAV151<br \/>/);
  });

  it('parses every position as longitude first, inside the Belgian part of the North Sea', () => {
    for (const loc of cat.locations) {
      expect(loc.position).not.toBeNull();
      expect(loc.position!.latitude).toBeGreaterThan(51);
      expect(loc.position!.latitude).toBeLessThan(51.6);
      expect(loc.position!.longitude).toBeGreaterThan(2);
      expect(loc.position!.longitude).toBeLessThan(3.4);
    }
    // OST's 2020 longitude is known to be wrong upstream (§4.7); it is passed on as given.
    expect(cat.locationById.get('meetnet:location:OST')!.position).toEqual({
      latitude: 51.2469444444444,
      longitude: 2.09166666666667,
    });
  });

  it('maps WVC with its unit and category', () => {
    const wvc = cat.parameterById.get('meetnet:parameter:WVC');
    expect(wvc).toEqual({
      id: 'meetnet:parameter:WVC',
      upstream: 'meetnet',
      nativeId: 'WVC',
      code: 'WVC',
      name: { NL: 'Gemiddelde windsnelheid op 10 m', FR: 'Vitesse moyenne du vent à 10 m', EN: 'Average wind speed at 10 m' },
      unit: 'm/s',
      category: { NL: 'Wind', FR: 'Vent', EN: 'Wind' },
    });
  });

  it('looks categories up in the ParameterTypes dictionary by string key', () => {
    expect(cat.parameterById.get('meetnet:parameter:GHA')!.category.EN).toBe('Waves');
    // 'Getij en stroming ' has a trailing space upstream.
    expect(cat.parameterById.get('meetnet:parameter:SR3')!.category).toEqual({
      NL: 'Getij en stroming',
      FR: 'Marées et courants',
      EN: 'Tide and current',
    });
    expect(cat.parameterById.get('meetnet:parameter:TLU')!.category.FR).toBe('Météorologie');
    expect(cat.parameterById.get('meetnet:parameter:ZON')!.unit).toBe('W/m²');
    expect(cat.parameterById.get('meetnet:parameter:TZW')!.unit).toBe('°C');
    for (const p of cat.parameters) expect(p.category.EN).toBeTruthy();
  });

  it('maps the sensor MP7WVC', () => {
    expect(cat.sensorById.get('meetnet:sensor:MP7WVC')).toEqual({
      id: 'meetnet:sensor:MP7WVC',
      upstream: 'meetnet',
      nativeId: 'MP7WVC',
      locationId: 'meetnet:location:MP7',
      parameterId: 'meetnet:parameter:WVC',
      unit: 'm/s',
      intervalMinutes: 10,
      publications: ['live_data_pub'],
    });
  });

  it('gives a null interval to series with CurrentInterval 0', () => {
    const mp0tzw = cat.sensorById.get('meetnet:sensor:MP0TZW')!;
    expect(catalogWire.AvailableData.find((a) => a.ID === 'MP0TZW')!.CurrentInterval).toBe(0);
    expect(mp0tzw.intervalMinutes).toBeNull();
    expect(mp0tzw.publications).toEqual(['hist_data_pub']);
    expect(cat.sensors.filter((s) => s.intervalMinutes === null)).toHaveLength(15);
    const intervals = new Set(cat.sensors.map((s) => s.intervalMinutes));
    expect(intervals).toEqual(new Set([null, 5, 10, 30]));
  });

  it('links every sensor to a location and a parameter of the catalog', () => {
    for (const s of cat.sensors) {
      expect(cat.locationById.has(s.locationId!)).toBe(true);
      expect(cat.parameterById.has(s.parameterId!)).toBe(true);
      const loc = cat.locationById.get(s.locationId!)!;
      const param = cat.parameterById.get(s.parameterId!)!;
      expect(s.nativeId).toBe(loc.nativeId + param.nativeId);
      expect(s.unit).toBe(param.unit);
    }
  });

  it("repairs the mojibake in 'Nieuport - BouÃ©e'", () => {
    const raw = catalogWire.Locations.find((l) => l.ID === 'NPB')!;
    expect(JSON.stringify(raw)).toContain('BouÃ©e'); // really in the recording
    expect(cat.locationById.get('meetnet:location:NPB')!.name.FR).toBe('Nieuport - Bouée');
    expect(cat.locationById.get('meetnet:location:NPT')!.description.FR).toBe('Marée OTT - Marégraphe');
  });

  it('drops untranslated placeholders', () => {
    expect(cat.locationById.get('meetnet:location:MP2')!.description).toEqual({});
    expect(cat.locationById.get('meetnet:location:OS7')!.description).toEqual({});
    expect(cat.locationById.get('meetnet:location:MP2')!.name.EN).toBeTruthy();
  });

  it('leaves no NBSP, double space, mojibake, placeholder or untrimmed text', () => {
    const strings = allStrings([cat.locations, cat.parameters, cat.sensors]);
    expect(strings.length).toBeGreaterThan(500);
    for (const s of strings) {
      expect(s).not.toMatch(/\u00a0|Ã|\$| {2}/);
      expect(s).toBe(s.trim());
    }
    expect(cat.locationById.get('meetnet:location:MP1')!.name.EN).toBe('A2 - Measuring pile');
    expect(cat.parameterById.get('meetnet:parameter:WVS')!.name.FR).toBe("Vitesse moyenne du vent (à l'hauteur de l'instrument)");
  });
});

describe('mapCatalog on hostile input', () => {
  it('rejects a top level that is not an object', () => {
    expect(wireError(() => mapCatalog(null))).toMatch(/^catalog is not an object/);
    expect(wireError(() => mapCatalog([]))).toMatch(/^catalog is not an object/);
    expect(wireError(() => mapCatalog('<html>Server Error</html>'))).toMatch(/catalog is not an object.*<html>/);
  });

  it('rejects lists that are not arrays and ParameterTypes that is not an object', () => {
    const noLoc = { ...clone(catalogWire), Locations: { MP7: {} } };
    expect(wireError(() => mapCatalog(noLoc))).toMatch(/catalog\.Locations is not an array/);
    const noParams = { ...clone(catalogWire), Parameters: null };
    expect(wireError(() => mapCatalog(noParams))).toMatch(/catalog\.Parameters is not an array \(got null\)/);
    const noData: Json = clone(catalogWire) as unknown as Json;
    delete noData.AvailableData;
    expect(wireError(() => mapCatalog(noData))).toMatch(/catalog\.AvailableData is not an array \(got missing\)/);
    const typesArray = { ...clone(catalogWire), ParameterTypes: Object.values(catalogWire.ParameterTypes) };
    expect(wireError(() => mapCatalog(typesArray))).toMatch(/catalog\.ParameterTypes is not an object \(got an array of 5\)/);
  });

  it('keeps the error message short when the value is huge', () => {
    const huge = 'x'.repeat(1_000_000);
    const message = wireError(() => mapCatalog({ ...clone(catalogWire), Locations: huge }));
    expect(message).toMatch(/catalog\.Locations is not an array/);
    expect(message).toContain('1000000 chars');
    expect(message.length).toBeLessThan(200);
  });

  it('skips malformed rows and counts them', () => {
    const wire = clone(catalogWire);
    wire.Locations.push(
      null as unknown as Json,
      { ID: 5, Name: [] },
      { Name: [{ Culture: 'en-GB', Message: 'No ID' }] },
      { ID: 'ZZ1', Name: 'not a list', PositionWKT: 'POINT (3 51)' },
      { ID: 'ZZ2', Name: [], PositionWKT: 12 },
      { ID: 'MP7', Name: [{ Culture: 'en-GB', Message: 'duplicate' }], PositionWKT: 'POINT (0 0)' },
    );
    wire.Parameters.push({ ID: 'ZZZ', Name: [], Unit: 5, ParameterTypeID: 4 }, { ID: 'ZZY', Name: [], Unit: 'm', ParameterTypeID: '4' });
    wire.AvailableData.push(
      { ID: 'MP7XXX', Location: 'MP7', Parameter: 'WVC', CurrentInterval: 'ten', Publications: [] },
      { ID: 'MP7YYY', Location: 'MP7', Parameter: 'WVC', CurrentInterval: 10, Publications: 'live_data_pub' },
      { ID: 'MP7ZZZ', Parameter: 'WVC', CurrentInterval: 10, Publications: [] },
      { Location: 'MP7', Parameter: 'WVC', CurrentInterval: 10, Publications: [] },
    );
    wire.ParameterTypes['9'] = { ID: 9, SortOrder: 9, Name: 'broken' };
    const cat = mapCatalog(wire);
    expect(cat.skipped).toBe(6 + 2 + 4 + 1);
    expect(cat.locations).toHaveLength(35);
    expect(cat.parameters).toHaveLength(22);
    expect(cat.sensors).toHaveLength(165);
    // The first MP7 wins over the later duplicate.
    expect(cat.locationById.get('meetnet:location:MP7')!.name.EN).toBe('Westhinder - Measuring pile');
  });

  it('tolerates missing optional fields and dangling references', () => {
    const cat = mapCatalog({
      Locations: [{ ID: 'AAA', Name: [{ Culture: 'en-GB', Message: 'A' }], PositionWKT: 'POINT EMPTY' }],
      Parameters: [{ ID: 'PPP', Name: [], Unit: '', ParameterTypeID: 7 }],
      ParameterTypes: {},
      AvailableData: [
        { ID: 'AAAPPP', Location: 'AAA', Parameter: 'PPP', CurrentInterval: 30 },
        { ID: 'BBBQQQ', Location: 'BBB', Parameter: 'QQQ', CurrentInterval: 0, Publications: ['x', 5, ''] },
      ],
    });
    expect(cat.skipped).toBe(0);
    expect(cat.locations[0]).toEqual({
      id: 'meetnet:location:AAA',
      upstream: 'meetnet',
      nativeId: 'AAA',
      name: { EN: 'A' },
      description: {},
      position: null,
      parentId: null,
    });
    expect(cat.parameters[0]!.unit).toBeNull();
    expect(cat.parameters[0]!.category).toEqual({});
    expect(cat.sensors[0]).toMatchObject({ locationId: 'meetnet:location:AAA', parameterId: 'meetnet:parameter:PPP', publications: [] });
    expect(cat.sensors[1]).toMatchObject({
      locationId: null,
      parameterId: null,
      unit: null,
      intervalMinutes: null,
      publications: ['x'],
    });
  });
});

describe('parseMeetnetTimestamp', () => {
  it('reads the API format exactly like Date.parse', () => {
    for (const s of ['2020-01-02T12:30:00+00:00', '2017-03-16T07:30:00+00:00', '2024-02-29T23:59:59+00:00', '1999-12-31T00:00:00+00:00']) {
      expect(parseMeetnetTimestamp(s)).toBe(Date.parse(s));
    }
  });

  it('computes every day of years 0000 to 2400 exactly (no Date.UTC, no 1900 mapping of years below 100)', () => {
    const expected = (y: number, mo: number, d: number) => {
      const t = new Date(0);
      t.setUTCFullYear(y, mo - 1, d);
      t.setUTCHours(13, 7, 59, 0);
      return t.getTime();
    };
    for (let y = 0; y <= 2400; y += y < 120 ? 1 : 37) {
      for (const [mo, d] of [
        [1, 1],
        [2, 28],
        [3, 1],
        [12, 31],
        ...(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? [[2, 29]] : []),
      ] as Array<[number, number]>) {
        const s = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T13:07:59+00:00`;
        expect(parseMeetnetTimestamp(s), s).toBe(expected(y, mo, d));
      }
    }
  });

  it('accepts other ISO forms, reading a zone-less one as UTC', () => {
    expect(parseMeetnetTimestamp('2021-12-14T23:00:00.000Z')).toBe(Date.UTC(2021, 11, 14, 23));
    expect(parseMeetnetTimestamp('2021-12-14T23:00:00+01:00')).toBe(Date.UTC(2021, 11, 14, 22));
    expect(parseMeetnetTimestamp('2021-12-14T23:00:00')).toBe(Date.UTC(2021, 11, 14, 23));
    expect(parseMeetnetTimestamp('2020-01-01')).toBe(Date.UTC(2020, 0, 1));
  });

  it('rejects what is not a real instant', () => {
    for (const s of [
      '',
      '1',
      'yesterday',
      '2021-02-30T00:00:00+00:00',
      '2021-13-01T00:00:00+00:00',
      '2021-01-01T24:00:00+00:00',
      '2021-01-0aT00:00:00+00:00',
      'Tue, 25 Jan 2022 16:16:14 GMT',
      1640000000000,
      null,
    ]) {
      expect(parseMeetnetTimestamp(s)).toBeNull();
    }
  });
});

describe('mapCurrentData', () => {
  it('maps the 2020 recording: 149 series, every value and timestamp exact', () => {
    const map = mapCurrentData(current2020);
    expect(current2020).toHaveLength(149);
    expect(map.size).toBe(149);
    for (const item of current2020) {
      expect(map.get(item.ID)).toEqual({ time: Date.parse(item.Timestamp), value: item.Value });
    }
    expect(map.get('A2BGH1')).toEqual({ time: Date.UTC(2020, 0, 2, 12, 30), value: 62 });
    expect(map.get('A2BGTZ')).toEqual({ time: Date.UTC(2020, 0, 2, 12, 30), value: 3.18 });
    expect(map.get('BL7WRS')).toEqual({ time: Date.UTC(2020, 0, 2, 12, 40), value: 197 });
    // The latest value however old: MP7WVC was two weeks stale, MP4TZW almost three years (§5.2).
    expect(map.get('MP7WVC')).toEqual({ time: Date.UTC(2019, 11, 16, 4, 40), value: 12.75 });
    expect(map.get('MP4TZW')!.time).toBe(Date.UTC(2017, 2, 16, 7, 30));
    expect(map.get('ZOKHLF')).toEqual({ time: Date.UTC(2020, 0, 2, 12, 30), value: 0 });
  });

  it('leaves out the series with CurrentInterval 0 because the API did', () => {
    const map = mapCurrentData(current2020);
    const cat = mapCatalog(catalogWire);
    for (const s of cat.sensors.filter((x) => x.intervalMinutes === null)) expect(map.has(s.nativeId)).toBe(false);
  });

  it('maps the 2026 recording: 176 unique series', () => {
    const map = mapCurrentData(current2026);
    expect(map.size).toBe(176);
    expect(new Set(current2026.map((i) => i.ID)).size).toBe(176);
    for (const item of current2026) expect(map.get(item.ID)!.time).toBe(Date.parse(item.Timestamp));
    expect(map.get('MP7WVC')).toEqual({ time: Date.UTC(2026, 7, 5, 12, 10), value: 13.8 });
    expect(map.get('A2BGH1')).toEqual({ time: Date.UTC(2026, 7, 5, 12, 0), value: 112 });
    expect(map.get('ZWNZON')).toEqual({ time: Date.UTC(2026, 7, 5, 12, 0), value: 435 });
  });

  it('keeps the later timestamp when an ID appears twice, whatever the order', () => {
    const older = { ID: 'MP3WVC', Timestamp: '2026-08-05T12:00:00+00:00', Value: 11.1 };
    const newer = { ID: 'MP3WVC', Timestamp: '2026-08-05T12:10:00+00:00', Value: 12.7 };
    expect(mapCurrentData([older, newer]).get('MP3WVC')).toEqual({ time: Date.UTC(2026, 7, 5, 12, 10), value: 12.7 });
    expect(mapCurrentData([newer, older]).get('MP3WVC')).toEqual({ time: Date.UTC(2026, 7, 5, 12, 10), value: 12.7 });
  });

  it('keeps a null value', () => {
    expect(mapCurrentData([{ ID: 'MP7WVC', Timestamp: '2020-01-02T12:30:00+00:00', Value: null }]).get('MP7WVC')).toEqual({
      time: Date.UTC(2020, 0, 2, 12, 30),
      value: null,
    });
  });

  it('skips malformed items', () => {
    const map = mapCurrentData([
      null,
      'MP7WVC',
      { ID: 7, Timestamp: '2020-01-02T12:30:00+00:00', Value: 1 },
      { ID: 'AAAAAA', Timestamp: 'garbage', Value: 1 },
      { ID: 'BBBBBB', Timestamp: '2020-01-02T12:30:00+00:00', Value: '3.2' },
      { ID: 'CCCCCC', Value: 1 },
      { ID: 'DDDDDD', Timestamp: '2020-01-02T12:30:00+00:00', Value: 4.5 },
    ]);
    expect([...map.keys()]).toEqual(['DDDDDD']);
  });

  it('rejects anything but a bare array', () => {
    expect(wireError(() => mapCurrentData({ Values: current2020 }))).toMatch(/^currentData is not an array \(got an object\)/);
    expect(wireError(() => mapCurrentData('[]'))).toMatch(/currentData is not an array \(got the string "\[\]"\)/);
    expect(wireError(() => mapCurrentData(null))).toMatch(/currentData is not an array/);
    const message = wireError(() => mapCurrentData('y'.repeat(500_000)));
    expect(message.length).toBeLessThan(200);
  });

  it('returns an empty map for an empty array', () => {
    expect(mapCurrentData([]).size).toBe(0);
  });
});

describe('mapGetData on the 2021 recording', () => {
  const map = mapGetData(getDataWire);

  it('holds the three series, re-keyed by ID', () => {
    expect(getDataWire.Values.map((s) => s.ID)).toEqual(['MP7WVC', 'MP7WRS', 'MP7WC3']); // not the request order
    expect(new Set(map.keys())).toEqual(new Set(['MP7WVC', 'MP7WRS', 'MP7WC3']));
  });

  it('reads every point exactly', () => {
    const expectedCounts: Record<string, number> = { MP7WVC: 57, MP7WRS: 57, MP7WC3: 72 };
    for (const raw of getDataWire.Values) {
      const s = map.get(raw.ID)!;
      expect(s.times).toHaveLength(raw.Values.length);
      expect(s.values).toHaveLength(raw.Values.length);
      expect(s.times.length).toBe(expectedCounts[raw.ID]);
      expect(s.times).toEqual(raw.Values.map((p) => Date.parse(p.Timestamp)));
      expect(s.values).toEqual(raw.Values.map((p) => p.Value));
      expect(s.times[0]).toBe(Date.UTC(2021, 11, 14, 23, 0));
      expect(s.times.at(-1)).toBe(Date.UTC(2021, 11, 15, 15, 40));
      expect(s.min).toBe(raw.MinValue);
      expect(s.max).toBe(raw.MaxValue);
    }
    expect(map.get('MP7WVC')).toMatchObject({ min: 6.17, max: 9.81 });
    expect(map.get('MP7WRS')).toMatchObject({ min: 216, max: 237 });
    expect(map.get('MP7WC3')).toMatchObject({ min: 7.11, max: 12.36 });
    expect(map.get('MP7WVC')!.values.slice(0, 3)).toEqual([9.09, 9.38, 9.19]);
  });

  it('keeps the gaps as gaps (no null filling)', () => {
    const t = map.get('MP7WVC')!.times;
    const steps = t.slice(1).map((x, i) => x - t[i]!);
    expect(Math.min(...steps)).toBe(600_000);
    expect(steps.filter((d) => d > 600_000)).toHaveLength(6);
  });

  it('gives the same result for a shuffled copy with duplicated timestamps', () => {
    const raw = getDataWire.Values.find((s) => s.ID === 'MP7WC3')!;
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const points = raw.Values.map((p) => ({ ...p }));
    for (let i = points.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [points[i], points[j]] = [points[j]!, points[i]!];
    }
    // Duplicates after the originals: the first value seen wins, so they change nothing.
    const dupes = raw.Values.filter((_, i) => i % 5 === 0).map((p) => ({ Timestamp: p.Timestamp, Value: 999 }));
    const shuffled = { ...getDataWire, Values: [{ ...raw, Values: [...points, ...dupes] }] };
    const s = mapGetData(shuffled).get('MP7WC3')!;
    const expected = map.get('MP7WC3')!;
    expect(s.times).toEqual(expected.times);
    expect(s.values).toEqual(expected.values);
    expect(s.min).toBe(7.11);
    expect(s.max).toBe(12.36);
  });

  it('keeps the first value seen for a timestamp', () => {
    const wire = {
      Values: [
        {
          ID: 'MP7WVC',
          Values: [
            { Timestamp: '2021-12-14T23:20:00+00:00', Value: 3 },
            { Timestamp: '2021-12-14T23:10:00+00:00', Value: 2 },
            { Timestamp: '2021-12-14T23:20:00+00:00', Value: 30 },
            { Timestamp: '2021-12-14T23:00:00+00:00', Value: 1 },
            { Timestamp: '2021-12-14T23:10:00+00:00', Value: 20 },
          ],
        },
        {
          ID: 'MP7WRS', // ascending with adjacent repeats
          Values: [
            { Timestamp: '2021-12-14T23:00:00+00:00', Value: 100 },
            { Timestamp: '2021-12-14T23:00:00+00:00', Value: 500 },
            { Timestamp: '2021-12-14T23:10:00+00:00', Value: 200 },
          ],
        },
      ],
    };
    const m = mapGetData(wire);
    expect(m.get('MP7WVC')).toEqual({
      times: [Date.UTC(2021, 11, 14, 23, 0), Date.UTC(2021, 11, 14, 23, 10), Date.UTC(2021, 11, 14, 23, 20)],
      values: [1, 2, 3],
      min: 1,
      max: 3,
    });
    expect(m.get('MP7WRS')).toEqual({
      times: [Date.UTC(2021, 11, 14, 23, 0), Date.UTC(2021, 11, 14, 23, 10)],
      values: [100, 200],
      min: 100,
      max: 200, // the dropped 500 does not count
    });
  });

  it('keeps null values and leaves them out of min/max', () => {
    const m = mapGetData({
      Values: [
        {
          ID: 'A',
          Values: [
            { Timestamp: '2021-12-14T23:00:00+00:00', Value: null },
            { Timestamp: '2021-12-14T23:10:00+00:00', Value: -4 },
            { Timestamp: '2021-12-14T23:20:00+00:00', Value: 0 },
          ],
        },
        { ID: 'B', Values: [{ Timestamp: '2021-12-14T23:00:00+00:00', Value: null }] },
      ],
    });
    expect(m.get('A')).toEqual({
      times: [Date.UTC(2021, 11, 14, 23, 0), Date.UTC(2021, 11, 14, 23, 10), Date.UTC(2021, 11, 14, 23, 20)],
      values: [null, -4, 0],
      min: -4,
      max: 0,
    });
    expect(m.get('B')).toEqual({ times: [Date.UTC(2021, 11, 14, 23, 0)], values: [null], min: null, max: null });
  });

  it('merges a series that appears twice in one response', () => {
    const m = mapGetData({
      Values: [
        { ID: 'A', Values: [{ Timestamp: '2021-12-14T23:10:00+00:00', Value: 2 }] },
        { ID: 'A', Values: [{ Timestamp: '2021-12-14T23:00:00+00:00', Value: 1 }] },
      ],
    });
    expect(m.size).toBe(1);
    expect(m.get('A')!.values).toEqual([1, 2]);
  });
});

describe('mapGetData on empty answers', () => {
  const empty = { times: [], values: [], min: null, max: null };

  it('maps Values: [] and Values: null to an empty series', () => {
    const m = mapGetData({
      StartTime: null,
      EndTime: null,
      Intervals: [10],
      Values: [
        { ID: 'MP7WVC', StartTime: null, EndTime: null, MinValue: null, MaxValue: null, Values: [] },
        { ID: 'MP7WRS', StartTime: null, EndTime: null, MinValue: null, MaxValue: null, Values: null },
      ],
    });
    expect(m.get('MP7WVC')).toEqual(empty);
    expect(m.get('MP7WRS')).toEqual(empty);
    expect(m.size).toBe(2);
  });

  it('maps a top-level Values null, missing or [] to an empty map', () => {
    expect(mapGetData({ StartTime: null, EndTime: null, Intervals: null, Values: null }).size).toBe(0);
    expect(mapGetData({ StartTime: null, EndTime: null, Intervals: null }).size).toBe(0);
    expect(mapGetData({ Values: [] }).size).toBe(0);
  });
});

describe('mapGetData on hostile input', () => {
  const series = (points: unknown): unknown => ({ Values: [{ ID: 'MP7WVC', Values: points }] });

  it('rejects a top level that is not an object, and Values that is not an array', () => {
    expect(wireError(() => mapGetData(null))).toMatch(/^getData is not an object/);
    expect(wireError(() => mapGetData([]))).toMatch(/^getData is not an object \(got an array of 0\)/);
    expect(wireError(() => mapGetData({ Values: 'MP7WVC' }))).toMatch(/getData\.Values is not an array/);
  });

  it('rejects a series without an ID or with non-array points', () => {
    expect(wireError(() => mapGetData({ Values: [null] }))).toMatch(/getData\.Values\[0\] is not an object/);
    expect(wireError(() => mapGetData({ Values: [{ Values: [] }] }))).toMatch(/getData\.Values\[0\]\.ID is not a string/);
    expect(wireError(() => mapGetData({ Values: [{ ID: 42, Values: [] }] }))).toMatch(/\.ID is not a string \(got number 42\)/);
    expect(wireError(() => mapGetData(series({ Timestamp: 'x' })))).toMatch(/series MP7WVC Values is not an array/);
  });

  it('rejects unparseable timestamps, naming the series and the point', () => {
    const msg = wireError(() =>
      mapGetData(
        series([
          { Timestamp: '2021-12-14T23:00:00+00:00', Value: 1 },
          { Timestamp: 'yesterday', Value: 2 },
        ]),
      ),
    );
    expect(msg).toMatch(/MP7WVC/);
    expect(msg).toMatch(/point 1 Timestamp is not a valid timestamp \(got the string "yesterday"\)/);
    expect(wireError(() => mapGetData(series([{ Timestamp: '2021-02-30T00:00:00+00:00', Value: 1 }])))).toMatch(/MP7WVC/);
    expect(wireError(() => mapGetData(series([{ Timestamp: 1639522800000, Value: 1 }])))).toMatch(/MP7WVC.*Timestamp/);
    expect(wireError(() => mapGetData(series([{ Value: 1 }])))).toMatch(/MP7WVC.*Timestamp.*missing/);
  });

  it('rejects values that are neither numbers nor null', () => {
    expect(wireError(() => mapGetData(series([{ Timestamp: '2021-12-14T23:00:00+00:00', Value: '9.09' }])))).toMatch(
      /MP7WVC point 0 Value is not a number or null \(got the string "9.09"\)/,
    );
    expect(wireError(() => mapGetData(series([{ Timestamp: '2021-12-14T23:00:00+00:00', Value: { v: 1 } }])))).toMatch(/Value/);
    expect(wireError(() => mapGetData(series([{ Timestamp: '2021-12-14T23:00:00+00:00', Value: true }])))).toMatch(/got boolean true/);
    expect(wireError(() => mapGetData(series([null])))).toMatch(/MP7WVC point 0 is not an object/);
  });

  it('keeps the message short for a huge string value', () => {
    const msg = wireError(() => mapGetData(series([{ Timestamp: '2021-12-14T23:00:00+00:00', Value: '9'.repeat(2_000_000) }])));
    expect(msg.length).toBeLessThan(200);
    expect(msg).toContain('2000000 chars');
    const msg2 = wireError(() => mapGetData(series([{ Timestamp: 'T'.repeat(2_000_000), Value: 1 }])));
    expect(msg2.length).toBeLessThan(200);
  });
});

describe('mapGetData on a series-year', () => {
  function yearOfPoints(start: number, n: number): RawPoint[] {
    const out: RawPoint[] = [];
    for (let i = 0; i < n; i++) {
      const iso = new Date(start + i * 600_000).toISOString();
      out.push({ Timestamp: `${iso.slice(0, 19)}+00:00`, Value: Math.round(Math.sin(i / 100) * 1000) / 100 });
    }
    return out;
  }

  it('parses a series-year of 52,560 points correctly (in order and reversed)', () => {
    const start = Date.UTC(2021, 0, 1);
    const points = yearOfPoints(start, 52_560);
    const s = mapGetData({ Values: [{ ID: 'MP7WVC', Values: points }] }).get('MP7WVC')!;
    expect(s.times).toHaveLength(52_560);
    expect(s.times[0]).toBe(start);
    expect(s.times[52_559]).toBe(start + 52_559 * 600_000);
    expect(s.min).toBe(-10);
    expect(s.max).toBe(10);

    const reversed = [...points].reverse();
    const r = mapGetData({ Values: [{ ID: 'MP7WVC', Values: reversed }] }).get('MP7WVC')!;
    expect(r.times).toEqual(s.times);
    expect(r.values).toEqual(s.values);
  });
});

describe('mergeSeries', () => {
  const H = 3_600_000;
  const chunk = (times: number[], values: (number | null)[]): SeriesData => ({ times, values });

  it('drops the boundary point shared by consecutive chunks, keeping the first', () => {
    const merged = mergeSeries([chunk([0, H, 2 * H], [1, 2, 3]), chunk([2 * H, 3 * H], [33, 4]), chunk([3 * H, 4 * H], [44, 5])]);
    expect(merged).toEqual({ times: [0, H, 2 * H, 3 * H, 4 * H], values: [1, 2, 3, 4, 5] });
  });

  it('joins chunks without a shared boundary as they are', () => {
    expect(mergeSeries([chunk([0, H], [1, null]), chunk([2 * H], [3])])).toEqual({ times: [0, H, 2 * H], values: [1, null, 3] });
  });

  it('handles empty chunks and no chunks', () => {
    expect(mergeSeries([])).toEqual({ times: [], values: [] });
    expect(mergeSeries([chunk([], []), chunk([H], [1]), chunk([], []), chunk([H, 2 * H], [9, 2])])).toEqual({
      times: [H, 2 * H],
      values: [1, 2],
    });
  });

  it('sorts overlapping or out-of-order chunks into an ascending, unique series', () => {
    const merged = mergeSeries([chunk([2 * H, 3 * H], [3, 4]), chunk([0, H, 2 * H], [1, 2, 30])]);
    expect(merged).toEqual({ times: [0, H, 2 * H, 3 * H], values: [1, 2, 3, 4] });
  });

  it('does not modify its input', () => {
    const a = chunk([0, H], [1, 2]);
    const b = chunk([H, 2 * H], [2, 3]);
    mergeSeries([a, b]);
    expect(a).toEqual({ times: [0, H], values: [1, 2] });
    expect(b).toEqual({ times: [H, 2 * H], values: [2, 3] });
  });

  it('joins two real getData chunks split at a shared instant', () => {
    const full = mapGetData(getDataWire).get('MP7WC3')!;
    const cut = 30;
    const first = chunk(full.times.slice(0, cut + 1), full.values.slice(0, cut + 1));
    const second = chunk(full.times.slice(cut), full.values.slice(cut));
    expect(first.times.at(-1)).toBe(second.times[0]);
    const merged = mergeSeries([first, second]);
    expect(merged.times).toEqual(full.times);
    expect(merged.values).toEqual(full.values);
  });
});

describe('formatRequestTime', () => {
  it('writes ISO 8601 with Z', () => {
    expect(formatRequestTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatRequestTime(Date.UTC(2021, 11, 14, 23))).toBe('2021-12-14T23:00:00.000Z');
    expect(parseMeetnetTimestamp(formatRequestTime(1639522800123))).toBe(1639522800123);
  });
});

describe('Language values used by the mapping', () => {
  it('are the domain enum values', () => {
    const text = localized([{ Culture: 'en-GB', Message: 'x' }]);
    expect(text[Language.EN]).toBe('x');
  });
});
