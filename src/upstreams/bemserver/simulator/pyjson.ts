// Python-compatible JSON text (§1.2): floats and strings as Python writes them, the json.dumps styles, repr().

/** A number Python holds as a float: always written with a decimal point or an exponent (`1.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's repr(float): `0.0`, `1.5`, `1e-05`, `1.5e+16`, `NaN`, `Infinity`. */
export function pyFloat(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-4 && abs < 1e16) return v % 1 === 0 ? `${v}.0` : String(v);
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string as Python writes it with ensure_ascii: non-ASCII as \uXXXX (`"\u00b0C"`). */
export function pyStr(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

export interface DumpStyle {
  item: string;
  key: string;
  sortKeys?: boolean;
}
/** Flask's jsonify (§1.2). */
export const COMPACT: DumpStyle = { item: ',', key: ':' };
/** Python's json.dumps defaults (data routes §7.3, X-Pagination §4). */
export const PY_DEFAULT: DumpStyle = { item: ', ', key: ': ' };
/** flask-smorest's ETag input (§5). */
export const ETAG_STYLE: DumpStyle = { item: ', ', key: ': ', sortKeys: true };

/** json.dumps of a value; Maps and plain objects keep their order, PyFloat is a float. */
export function pyDumps(value: unknown, style: DumpStyle): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isInteger(value) ? String(value) : pyFloat(value);
    case 'string':
      return pyStr(value);
    default:
      break;
  }
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (Array.isArray(value)) return `[${value.map((v) => pyDumps(v, style)).join(style.item)}]`;
  let entries: Array<[string, unknown]> =
    value instanceof Map ? [...(value as Map<string, unknown>).entries()] : Object.entries(value as object);
  if (style.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pyStr(k)}${style.key}${pyDumps(v, style)}`).join(style.item)}}`;
}

/** Python's repr() of a str, as it appears in "Unknown timeseries: ['Dummy name']" (§7.9). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
