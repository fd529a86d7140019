// Unit conversion on request (`series(unit:)`, `timeSeries(unit:)`, frame columns): the upstream's unit
// spelling and the client's are read by mathjs's unit parser, which checks that the two measure the
// same quantity and does the arithmetic, offsets of absolute temperatures included. This file only
// adds what the upstreams write that mathjs does not read (°C, W/m², %, knots…), currencies as base
// dimensions of their own, and a cache, so that a series is converted by one multiply (or divide) and add per value.
// No GraphQL here: a refusal is a message, which the schema layer turns into BAD_USER_INPUT.
import { LRUCache } from 'lru-cache';
import { create, createUnitDependencies, unitDependencies, type Unit } from 'mathjs';

export type UnitConversion = { convert: (value: number) => number; unit: string } | { refused: string };

// Only the unit type and createUnit, not all of mathjs (the production bundle keeps only these: scripts/build.ts).
// (mathjs types its dependency maps as a Record, which noUncheckedIndexedAccess reads as maybe undefined.)
const math = create({ unitDependencies: unitDependencies!, createUnitDependencies: createUnitDependencies! });

// Units mathjs lacks. A knot is 1852 m per hour by definition. mathjs reads "kt" as a kilotonne; on
// wind and sea sensors it means knots, so the alias takes it (exact names win over prefix + unit).
math.createUnit('knot', { definition: '1852 m/h', aliases: ['knots', 'kn', 'kt', 'kts'] });
// Ratios are dimensionless, so % ↔ fraction ↔ ppm convert (relative humidity, CO₂ concentration).
math.createUnit('fraction', { definition: '1', aliases: ['ratio'] });
math.createUnit('percent', { definition: '0.01' });
math.createUnit('ppm', { definition: '1e-6' });
math.createUnit('ppb', { definition: '1e-9' });
// Each currency is a base dimension of its own: EUR/MWh ↔ EUR/kWh converts, EUR/MWh ↔ USD/MWh is
// refused (no exchange rates here). FlexMeasures prices in EUR and KRW; the rest are common codes.
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'KRW', 'CNY', 'AUD', 'CAD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'] as const;
for (const code of CURRENCIES) math.createUnit(code);

/** Whole spellings mathjs reads under another name: FlexMeasures v1's "0C", pint's long names (BEMServer). */
const ALIASES: Readonly<Record<string, string>> = {
  '0C': 'degC',
  degree_Celsius: 'degC',
  degree_Fahrenheit: 'degF',
  degree: 'deg',
  watt_hour: 'Wh',
  kilowatt_hour: 'kWh',
  megawatt_hour: 'MWh',
  gigawatt_hour: 'GWh',
};

/** An upstream's or a client's spelling → what mathjs's parser reads. */
function mathjsSpelling(unit: string): string {
  const alias = ALIASES[unit];
  if (alias !== undefined) return alias;
  return unit
    .replace(/°([CFR])/g, 'deg$1')
    .replace(/°/g, 'deg')
    .replace(/%/g, 'percent')
    .replace(/²/g, '^2')
    .replace(/³/g, '^3')
    .replace(/\*\*/g, '^')
    .replace(/[µμ]/g, 'u');
}

/** Units longer than this are refused unread: the parser's input stays small whatever a client sends. */
const MAX_LENGTH = 40;

/** A unit mathjs knows, without a number in front ("5 m" is a quantity, not a unit); null otherwise. */
function parse(unit: string): Unit | null {
  if (unit === '' || unit.length > MAX_LENGTH) return null;
  try {
    const parsed = math.unit(mathjsSpelling(unit));
    return parsed.value === null ? parsed : null;
  } catch {
    return null; // mathjs's SyntaxError: `Unit "widgets" not found.`
  }
}

/** Named quantities for the refusal message, each by one unit of it. */
const KINDS: ReadonlyArray<readonly [string, Unit]> = (
  [
    ['length', 'm'],
    ['area', 'm^2'],
    ['volume', 'm^3'],
    ['volume flow', 'm^3/s'],
    ['mass', 'kg'],
    ['time', 's'],
    ['frequency', 'Hz'],
    ['temperature', 'K'],
    ['angle', 'rad'],
    ['speed', 'm/s'],
    ['acceleration', 'm/s^2'],
    ['power', 'W'],
    ['energy', 'J'],
    ['irradiance', 'W/m^2'],
    ['pressure', 'Pa'],
    ['force', 'N'],
    ['electric current', 'A'],
    ['voltage', 'V'],
    ['ratio', 'fraction'],
  ] as const
).map(([name, unit]) => [name, math.unit(unit)] as const);

const namedKind = (unit: Unit): string | undefined => KINDS.find(([, ref]) => unit.equalBase(ref))?.[0];

/** What a unit measures, in words ("power", "EUR per energy", "currency EUR"); undefined when it has no name here. */
function kindOf(unit: Unit): string | undefined {
  const named = namedKind(unit);
  if (named !== undefined) return named;
  for (const code of CURRENCIES) {
    const currency = math.unit(code);
    if (unit.equalBase(currency)) return `currency ${code}`;
    // A price: the currency over what it is the price of (EUR / (EUR/MWh) = MWh, an energy).
    const of = currency.divide(unit);
    const ofKind = typeof of === 'number' ? undefined : namedKind(of);
    if (ofKind !== undefined) return `${code} per ${ofKind}`;
  }
  return undefined;
}

/** "cannot convert "cm" (length) to "kW" (power)", with the reason where the kinds alone do not say it. */
function mismatch(from: string, source: Unit, to: string, target: Unit): string {
  const [a, b] = [kindOf(source), kindOf(target)];
  if (a === undefined || b === undefined) return `cannot convert ${quote(from)} to ${quote(to)}: they measure different quantities`;
  const currency = /\b[A-Z]{3}\b/;
  const why =
    currency.test(a) && currency.test(b) && a.replace(currency, '') === b.replace(currency, '')
      ? ': the gateway converts no currencies'
      : '';
  return `cannot convert ${quote(from)} (${a}) to ${quote(to)} (${b})${why}`;
}

/** A unit in a message: quoted as written, cut when long. */
const quote = (unit: string): string => JSON.stringify(unit.length > MAX_LENGTH ? `${unit.slice(0, MAX_LENGTH)}…` : unit);

/** The client's spelling as the answer shows it: trimmed, no spaces around operators ("km / h" → "km/h"). */
const display = (unit: string): string => unit.trim().replace(/\s*([/*^])\s*/g, '$1');

const identity = (value: number): number => value;

/** Offset units lose digits in at(1) − at(0) (°C → °F: 1.7999999999999972); over this span the loss is 1e9 times smaller. */
const SPAN = 1e9;

/**
 * Most units are defined by decimal factors (0.01, 1e-6, 273.15, 1.8); mathjs's chain of divisions
 * leaves binary noise on them that a client would see (400 ppm → 0.039999999999999994 %). A coefficient
 * within 1e-14 of itself from a 12-digit decimal is that decimal; others (1/3600, π/180) stay as computed.
 */
function decimal(x: number): number {
  const rounded = Number(x.toPrecision(12));
  return Math.abs(rounded - x) <= 1e-14 * Math.abs(x) ? rounded : x;
}

/** Significant digits of a number's shortest spelling: 1000 → 1, 0.001 → 1, 3.6 → 2, 1/3.6 → 16. */
const significantDigits = (x: number): number =>
  String(Math.abs(x))
    .replace(/e.*$/, '')
    .replace('.', '')
    .replace(/^0+|0+$/g, '').length;

/**
 * The map v ↦ v × scale + shift as a plain function. Multiplying by 0.1 is not dividing by 10
 * (12 × 0.1 = 1.2000000000000002, 12 / 10 = 1.2): where the inverse factor is a whole number or the
 * shorter decimal (10 for mm → cm, 1000 for kW → MW, 3.6 for km/h → m/s) the value is divided by it.
 */
function affine(scale: number, shift: number): (value: number) => number {
  if (scale === 1 && shift === 0) return identity;
  const inverse = decimal(1 / scale);
  if (!Number.isInteger(scale) && (Number.isInteger(inverse) || significantDigits(inverse) < significantDigits(scale))) {
    return shift === 0 ? (value) => value / inverse : (value) => value / inverse + shift;
  }
  return shift === 0 ? (value) => value * scale : (value) => value * scale + shift;
}

function build(from: string, to: string): UnitConversion {
  if (to === '') return { refused: `cannot convert ${quote(from)} to "": no unit was asked for` };
  if (from === '') return { refused: `cannot convert to ${quote(to)}: the sensor has no unit` };
  if (from === to) return { convert: identity, unit: to };
  const source = parse(from);
  if (!source) return { refused: `cannot convert ${quote(from)} to ${quote(to)}: the unit ${quote(from)} is not one the gateway knows` };
  const target = parse(to);
  if (!target) return { refused: `cannot convert ${quote(from)} to ${quote(to)}: the unit ${quote(to)} is not one the gateway knows` };
  if (!source.equalBase(target)) return { refused: mismatch(from, source, to, target) };
  // mathjs converts one value at a time (parse, to SI, from SI); a series needs the same affine map
  // as a plain function: read its two coefficients from mathjs once.
  const [fromSpelling, toSpelling] = [mathjsSpelling(from), mathjsSpelling(to)];
  const at = (value: number) => math.unit(value, fromSpelling).toNumber(toSpelling);
  const shift = decimal(at(0));
  const scale = decimal(shift === 0 ? at(1) : (at(SPAN) - at(0)) / SPAN);
  return { convert: affine(scale, shift), unit: to };
}

/** Built conversions by (from, to): a dashboard asks for the same few pairs all day. Bounded, as `to` is the client's. */
const cache = new LRUCache<string, UnitConversion>({ max: 1000 });

/**
 * The conversion of a series from its sensor's unit (as the upstream spells it; null or "" for none)
 * to the unit a client asked for: a function of one number, and the unit to show (the client's
 * spelling, trimmed). A refusal names both units and says why. Identical spellings are the identity,
 * known to the gateway or not.
 */
export function unitConverter(fromUnit: string | null, toUnit: string): UnitConversion {
  const key = `${fromUnit ?? ''}\u0000${toUnit}`;
  let conversion = cache.get(key);
  if (conversion === undefined) {
    conversion = build((fromUnit ?? '').trim(), display(toUnit));
    cache.set(key, conversion);
  }
  return conversion;
}
