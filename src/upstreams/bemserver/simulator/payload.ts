// Posted timeseries data (§7.7, §7.9): the JSON and CSV payloads read as pandas reads them, with their checks and messages.
import { parseCsv } from './csv.js';
import { parseDataTimestamp } from './datetimes.js';
import { pyFloatOf } from './validation.js';

export interface Payload {
  columns: string[];
  times: number[];
  /** values[column][row]; NaN = no value. */
  values: number[][];
}

/** Timestamps the way to_utc_index checks them: any unparseable first, then any naive (§7.9). */
function parseTimes(raw: string[]): number[] | { error: string } {
  const parsed = raw.map(parseDataTimestamp);
  if (parsed.includes('invalid')) return { error: 'Invalid timestamp' };
  if (parsed.includes('naive')) return { error: 'Invalid or TZ-naive timestamp' };
  return parsed as number[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** pandas.read_json(orient="columns") of `{id: {timestamp: value}}` and the checks after it. */
export function parseJsonPayload(text: string): Payload | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'Wrong JSON file' };
  }
  if (!isPlainObject(doc)) return { error: 'Wrong JSON file' };
  const columns = Object.keys(doc);
  if (!columns.every((c) => isPlainObject(doc[c]))) return { error: 'Wrong JSON file' };
  if (columns.includes('')) return { error: 'Wrong timeseries ID' };
  const index = new Map<string, number>();
  for (const c of columns) for (const k of Object.keys(doc[c] as object)) if (!index.has(k)) index.set(k, index.size);
  const times = parseTimes([...index.keys()]);
  if ('error' in times) return times;
  const values: number[][] = [];
  for (const c of columns) {
    const column = new Array<number>(index.size).fill(Number.NaN);
    for (const [k, raw] of Object.entries(doc[c] as Record<string, unknown>)) {
      let v: number | null;
      if (raw === null) v = Number.NaN;
      else if (typeof raw === 'number') v = raw;
      else if (typeof raw === 'boolean') v = raw ? 1 : 0;
      else if (typeof raw === 'string') v = pyFloatOf(raw);
      else v = null;
      if (v === null) return { error: 'Invalid values' };
      column[index.get(k)!] = v;
    }
    values.push(column);
  }
  return { columns, times, values };
}

/** pandas' default NA strings (read_csv): such cells are skipped like empty ones (§7.7). */
const NA_VALUES = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/** The CSV import: header checks with Python's csv, then pandas.read_csv(index_col=0) (§7.7, §7.9). */
export function parseCsvPayload(text: string): Payload | { error: string } {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header || header.length === 0) return { error: 'Missing headers' };
  if (header.includes('')) return { error: 'Empty timeseries name or trailing comma' };
  if (header[0] !== 'Datetime') return { error: 'Invalid file' };
  const body = rows.slice(1).filter((r) => r.length > 0 && !(r.length === 1 && r[0]!.trim() === ''));
  if (body.some((r) => r.length > header.length)) return { error: 'Bad CSV file' };
  // pandas renames repeated column labels: `1`, `1.1`, `1.2`.
  const seen = new Map<string, number>();
  const columns = header.slice(1).map((h) => {
    const n = seen.get(h) ?? 0;
    seen.set(h, n + 1);
    return n === 0 ? h : `${h}.${n}`;
  });
  const times = parseTimes(body.map((r) => r[0]!));
  if ('error' in times) return times;
  const values: number[][] = columns.map(() => []);
  for (const r of body) {
    for (let c = 0; c < columns.length; c++) {
      const cell = r[c + 1] ?? '';
      if (NA_VALUES.has(cell)) {
        values[c]!.push(Number.NaN);
        continue;
      }
      const v = pyFloatOf(cell);
      if (v === null) return { error: 'Invalid values' };
      values[c]!.push(v);
    }
  }
  return { columns, times, values };
}
