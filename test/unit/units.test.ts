// Unit conversion on request (src/series/units.ts): values computed by hand, refusals that name both
// units and say why, and every unit spelling the three upstreams use, read from their simulators'
// catalogues and the recorded fixtures, either converting correctly or refused clearly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, unitDependencies } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { unitConverter } from '../../src/series/units.js';
import { buildPortfolio as bemServerPortfolio } from '../../src/upstreams/bemserver/simulator/data.js';
import { buildPortfolio as flexMeasuresPortfolio } from '../../src/upstreams/flexmeasures/simulator/portfolio.js';
import { loadDefaultCatalog } from '../../src/upstreams/meetnet/simulator/catalog.js';

/** `value` in `from`, converted to `to`; a refusal fails the test with its message. */
function convert(value: number, from: string | null, to: string): number {
  const conversion = unitConverter(from, to);
  if ('refused' in conversion) throw new Error(conversion.refused);
  return conversion.convert(value);
}

function refusal(from: string | null, to: string): string {
  const conversion = unitConverter(from, to);
  if (!('refused' in conversion)) throw new Error(`${from} → ${to} converted, a refusal was expected`);
  return conversion.refused;
}

/**
 * Hand-computed [value, unit, "=" or "≈", result, unit]. "=": answered exactly as written (decimal in,
 * decimal out); "≈": where binary floating point cannot be exact (offsets, π, 1/1852), to 10 decimals.
 */
const HAND_COMPUTED: ReadonlyArray<readonly [number, string, '=' | '≈', number, string]> = [
  [250, 'cm', '=', 2.5, 'm'],
  [2.5, 'm', '=', 250, 'cm'],
  [12, 'mm', '=', 1.2, 'cm'], // divided by 10, not multiplied by 0.1 (1.2000000000000002)
  [1500, 'm', '=', 1.5, 'km'],
  [0.25, 'km', '=', 250_000, 'mm'],
  [1500, 'kW', '=', 1.5, 'MW'],
  [1.5, 'MW', '=', 1500, 'kW'],
  [2.5, 'kW', '=', 2500, 'W'],
  [1, 'GW', '=', 1000, 'MW'],
  [1500, 'kWh', '=', 1.5, 'MWh'],
  [1500, 'Wh', '=', 1.5, 'kWh'],
  [0.002, 'MWh', '=', 2000, 'Wh'],
  [80, 'EUR/MWh', '=', 0.08, 'EUR/kWh'],
  [0.25, 'EUR/kWh', '=', 250, 'EUR/MWh'],
  [260, 'EUR/MW', '=', 0.26, 'EUR/kW'], // FlexMeasures' capacity prices
  [1013.25, 'hPa', '=', 101_325, 'Pa'],
  [1013, 'mbar', '=', 1013, 'hPa'],
  [85, '%', '=', 0.85, 'fraction'],
  [400, 'ppm', '=', 0.04, '%'],
  [10, 'm/s', '=', 36, 'km/h'],
  [36, 'km/h', '=', 10, 'm/s'],
  [1, 'knot', '=', 1.852, 'km/h'],
  [20, '°C', '≈', 293.15, 'K'],
  [20, '°C', '≈', 68, '°F'],
  [68, '°F', '≈', 20, '°C'],
  [293.15, 'K', '≈', 20, '°C'],
  [293.15, 'K', '≈', 68, '°F'],
  [-40, '°C', '≈', -40, '°F'], // where the two scales meet
  [0, 'K', '≈', -273.15, '°C'],
  [212, '°F', '≈', 373.15, 'K'],
  [20, 'degC', '≈', 68, 'degF'], // pint's spelling (BEMServer) reads as the symbol does
  [10, 'm/s', '≈', 36_000 / 1852, 'kn'], // 36 km/h over 1.852 km/h per knot
  [10, 'm/s', '≈', 36_000 / 1852, 'kt'], // a knot, not mathjs's kilotonne
  [180, 'deg', '≈', Math.PI, 'rad'],
  [90, '°', '≈', Math.PI / 2, 'rad'],
  [Math.PI, 'rad', '≈', 180, 'deg'],
];

describe('unit conversion, hand-computed', () => {
  it.each(HAND_COMPUTED)('%s %s %s %s %s', (value, from, exactness, result, to) => {
    if (exactness === '=') expect(convert(value, from, to)).toBe(result);
    else expect(convert(value, from, to)).toBeCloseTo(result, 10);
  });

  it('10 m/s = 19.4384 kn', () => {
    expect(convert(10, 'm/s', 'kn')).toBeCloseTo(19.4384, 4);
  });

  it('the same spelling is the identity, known unit or not, and answers in the spelling asked for', () => {
    for (const unit of ['°C', 'widgets', 'm³/h']) {
      const conversion = unitConverter(unit, unit);
      expect(conversion).toMatchObject({ unit });
      expect(convert(21.37, unit, unit)).toBe(21.37);
    }
    expect(unitConverter('m/s', ' km / h ')).toMatchObject({ unit: 'km/h' });
    expect(convert(21.5, '°C', 'degC')).toBe(21.5);
    expect(unitConverter('°C', 'degC')).toMatchObject({ unit: 'degC' });
  });

  it("gives mathjs's own value-by-value answers (one multiply or divide and add in place of a parse per value)", () => {
    const mathjs = create({ unitDependencies: unitDependencies! });
    const pairs = [
      ['degC', 'degF'],
      ['degF', 'K'],
      ['K', 'degC'],
      ['m/s', 'km/h'],
      ['km/h', 'm/s'],
      ['kWh', 'MWh'],
      ['hPa', 'Pa'],
      ['mm', 'km'],
      ['deg', 'rad'],
    ] as const;
    const values = [-273.15, -40, -17.5, 0, 0.1, 1, 21.37, 99.999, 1013.25, 52_030, 1e9];
    for (const [from, to] of pairs) {
      for (const value of values) {
        const expected = mathjs.unit(value, from).toNumber(to);
        expect(Math.abs(convert(value, from, to) - expected)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('builds a conversion once per (from, to) pair and reuses it', () => {
    expect(unitConverter('kW', 'MW')).toBe(unitConverter('kW', 'MW'));
    const { convert: toMW } = unitConverter('kW', 'MW') as { convert: (v: number) => number };
    const series = Float64Array.from({ length: 52_560 }, (_, i) => i);
    const converted = series.map(toMW);
    expect(converted[52_559]).toBeCloseTo(52.559, 12);
  });
});

describe('unit conversion, refused', () => {
  it('names both units and their quantities when they measure different things', () => {
    expect(refusal('cm', 'kW')).toBe('cannot convert "cm" (length) to "kW" (power)');
    expect(refusal('EUR/MWh', 'MW')).toBe('cannot convert "EUR/MWh" (EUR per energy) to "MW" (power)');
    expect(refusal('kWh', 'MW')).toBe('cannot convert "kWh" (energy) to "MW" (power)');
    expect(refusal('m³', 'm³/h')).toBe('cannot convert "m³" (volume) to "m³/h" (volume flow)');
    expect(refusal('deg', '%')).toBe('cannot convert "deg" (angle) to "%" (ratio)');
  });

  it('converts no currencies: each is a dimension of its own', () => {
    expect(refusal('EUR/MWh', 'USD/MWh')).toBe(
      'cannot convert "EUR/MWh" (EUR per energy) to "USD/MWh" (USD per energy): the gateway converts no currencies',
    );
    expect(refusal('EUR/kWh', 'KRW/kWh')).toContain('the gateway converts no currencies');
  });

  it('refuses units it does not know, naming which one', () => {
    expect(refusal('MW', 'widgets')).toBe('cannot convert "MW" to "widgets": the unit "widgets" is not one the gateway knows');
    expect(refusal('widgets', 'MW')).toBe('cannot convert "widgets" to "MW": the unit "widgets" is not one the gateway knows');
    // A quantity is not a unit, and a long string is cut in the message.
    expect(refusal('MW', '5 MW')).toContain('the unit "5 MW" is not one the gateway knows');
    expect(refusal('MW', 'W'.repeat(500))).toBe(
      `cannot convert "MW" to "${'W'.repeat(40)}…": the unit "${'W'.repeat(40)}…" is not one the gateway knows`,
    );
  });

  it('says so when the sensor has no unit, or none was asked for', () => {
    expect(refusal(null, 'MW')).toBe('cannot convert to "MW": the sensor has no unit');
    expect(refusal('', 'MW')).toBe('cannot convert to "MW": the sensor has no unit');
    expect(refusal('MW', '  ')).toBe('cannot convert "MW" to "": no unit was asked for');
  });
});

// ---------------------------------------------------------------------------------------------
// Every spelling the upstreams use

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Values of the unit fields (`unit`, `Unit`, `unit_symbol`) anywhere in a JSON document. */
function jsonUnits(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) jsonUnits(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (/^(unit|Unit|unit_symbol)$/.test(key) && typeof v === 'string') out.add(v);
      else jsonUnits(v, out);
    }
  }
}

/** The `Unit` column of a CSV file (BEMServer's timeseries import), if it has one. */
function csvUnits(text: string, out: Set<string>): void {
  const [header, ...rows] = text.split(/\r?\n/).filter((line) => line !== '');
  const column = header!.split(',').indexOf('Unit');
  if (column >= 0) for (const row of rows) out.add(row.split(',')[column]!);
}

function fixtureUnits(dir: string, out: Set<string>): void {
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) fixtureUnits(path, out);
    else if (name.endsWith('.json')) jsonUnits(JSON.parse(readFileSync(join(root, path), 'utf8')), out);
    else if (name.endsWith('.csv')) csvUnits(readFileSync(join(root, path), 'utf8'), out);
  }
}

function upstreamSpellings(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (source: string, units: Iterable<string | undefined>) => {
    for (const unit of units) if (unit !== undefined) found.set(unit, (found.get(unit) ?? new Set()).add(source));
  };
  add(
    'Meetnet catalogue',
    loadDefaultCatalog().Parameters.map((p) => p.Unit),
  );
  add(
    'FlexMeasures sensors',
    flexMeasuresPortfolio(4).sensors.map((s) => s.unit),
  );
  // v1_1's weather posts accept these besides °C and kW/m² (flexmeasures CONTRACT.md, valid_sensor_units).
  add('FlexMeasures v1_1 weather', ['0C', 'kW/m2']);
  const bemServer = bemServerPortfolio(Date.UTC(2025, 0, 1));
  add(
    'BEMServer timeseries',
    bemServer.timeseries.map((t) => t.unit),
  );
  add(
    'BEMServer properties',
    bemServer.properties.map((p) => p.unit_symbol),
  );
  for (const upstream of ['meetnet', 'flexmeasures', 'bemserver']) {
    const units = new Set<string>();
    fixtureUnits(`test/fixtures/${upstream}`, units);
    add(`${upstream} fixtures`, units);
  }
  return found;
}

/** Each spelling: a value in it, the unit to convert to, the value expected; null: "no unit". */
const SPELLINGS: Record<string, readonly [number, string, number] | null> = {
  '': null,
  cm: [250, 'm', 2.5],
  mm: [12, 'cm', 1.2],
  s: [90, 'min', 1.5],
  deg: [180, 'rad', Math.PI],
  'm/s': [10, 'km/h', 36],
  '°C': [20, '°F', 68],
  '0C': [100, '°F', 212],
  hPa: [1013.25, 'Pa', 101_325],
  '%': [85, 'fraction', 0.85],
  ppm: [400, '%', 0.04],
  'W/m²': [800, 'kW/m²', 0.8],
  'kW/m²': [0.9, 'W/m²', 900],
  'kW/m2': [0.9, 'W/m²', 900],
  W: [2500, 'kW', 2.5],
  kW: [1500, 'MW', 1.5],
  MW: [1.5, 'kW', 1500],
  kWh: [1500, 'MWh', 1.5],
  'EUR/MWh': [80, 'EUR/kWh', 0.08],
  'EUR/kWh': [0.25, 'EUR/MWh', 250],
  'KRW/kWh': [0.1, 'KRW/MWh', 100],
  'm³': [1, 'L', 1000],
  'm³/h': [3.6, 'L/s', 1],
};

describe('every unit spelling the upstreams use', () => {
  const found = upstreamSpellings();

  it('is read from all three upstreams, and each has its expected conversion here', () => {
    const sources = [...found.values()].flatMap((s) => [...s]);
    for (const upstream of ['Meetnet', 'FlexMeasures', 'BEMServer', 'meetnet fixtures', 'flexmeasures fixtures', 'bemserver fixtures']) {
      expect(sources.some((s) => s.startsWith(upstream))).toBe(true);
    }
    // A spelling new to the simulators or fixtures fails here until it is mapped and tested below.
    const unmapped = [...found.keys()].filter((unit) => !(unit in SPELLINGS));
    expect(unmapped).toEqual([]);
    expect(found.size).toBeGreaterThanOrEqual(20);
  });

  it.each(Object.entries(SPELLINGS))('%j converts correctly or is refused clearly', (unit, expected) => {
    if (expected === null) {
      expect(refusal(unit, 'MW')).toBe('cannot convert to "MW": the sensor has no unit');
      return;
    }
    const [value, to, result] = expected;
    expect(convert(value, unit, to)).toBeCloseTo(result, 10);
    // Back again, and a unit of another quantity is refused with both spellings in the message.
    expect(convert(result, to, unit)).toBeCloseTo(value, 10);
    const other = unit === 'm' || unit === 'cm' || unit === 'mm' ? 'kg' : 'm';
    expect(refusal(unit, other)).toContain(`cannot convert ${JSON.stringify(unit)} (`);
  });
});
