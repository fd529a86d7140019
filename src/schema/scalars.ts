import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// Calendar date, time (seconds and fractions optional), and a mandatory offset: an instant
// without one is ambiguous (Meetnet leaves naive times unspecified), so it is refused. Years
// outside 0000–9999 take ISO 8601's expanded form (a sign and six digits), as DateTime is written.
const ISO_WITH_OFFSET = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

const example = '2026-11-20T12:00:00Z or 2026-11-20T13:00:00+01:00';

/** Parses an ISO 8601 instant with offset to epoch ms; throws a message that says what to send. */
export function parseDateTime(value: unknown): number {
  if (typeof value !== 'string') {
    throw new GraphQLError(`DateTime must be a string such as ${example}`);
  }
  const m = ISO_WITH_OFFSET.exec(value);
  const ms = m ? Date.parse(value.replace(' ', 'T')) : NaN;
  // Date.parse rolls 2026-02-30 over to March 2: compare the calendar date it produced.
  const valid =
    m !== null &&
    Number.isFinite(ms) &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    Number(m[6] ?? 0) < 60 &&
    sameCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!valid) {
    throw new GraphQLError(`"${value.slice(0, 60)}" is not a valid DateTime: send an ISO 8601 instant with its offset, e.g. ${example}`);
  }
  return ms;
}

function sameCalendarDay(y: number, mo: number, d: number): boolean {
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** 1970 to 9999: the range toISOString writes with four digits and no sign. */
const MAX_FAST = 253_402_300_799_999;
let cachedDay = Number.NaN;
let cachedPrefix = '';

/**
 * Instants already written, in a direct-mapped table whose slot is the minute (modulo its size): a
 * dashboard's series share one time axis and refreshes repeat it, so most instants are written once
 * and then found with one compare. Consecutive instants sit in consecutive slots, so a long series
 * walks memory in order; a Map (or a hashed slot) scattered a year of points and paid a cache miss
 * on most of them. A year of 10-minute points fits whole; finer series overwrite slots as they go.
 */
const SLOT_BITS = 17; // 131,072 slots (minutes: 91 days of 1-minute data), about 8 MB
const slotKeys = new Float64Array(1 << SLOT_BITS).fill(Number.NaN);
const slotTexts: string[] = new Array<string>(1 << SLOT_BITS).fill('');

/** `toISOString()` without a Date per value, each instant written once while it stays in its slot. */
export function formatDateTime(ms: number): string {
  const slot = Math.floor(ms / 60_000) & ((1 << SLOT_BITS) - 1);
  if (slotKeys[slot] === ms) return slotTexts[slot]!;
  const text = writeDateTime(ms);
  slotKeys[slot] = ms;
  slotTexts[slot] = text;
  return text;
}

function writeDateTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_FAST) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${cachedPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rest - s * 1000]}Z`;
}

export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: `An instant, ISO 8601 with a UTC offset (${example}). Returned in UTC with millisecond precision.`,
  serialize(value) {
    if (typeof value === 'number' && Number.isFinite(value)) return formatDateTime(value);
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(`DateTime must be a string such as ${example}`, { nodes: ast });
    return parseDateTime(ast.value);
  },
});
