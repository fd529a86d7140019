// webargs/marshmallow validation and wording (§1.3, §1.4): field primitives, the 422 bodies, JSON bodies through a schema's fields.
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { BEMSERVER_TIMEZONES as TIMEZONES } from '../timezones.js';
import { unitInfo } from './data.js';
import { parseAwareField } from './datetimes.js';
import { VALUE_TYPES, type FieldDef } from './resources.js';
import { errorResult } from './responses.js';

export type Errors = Record<string, unknown>;
export const MISSING = 'Missing data for required field.';
export const NOT_INT = 'Not a valid integer.';
export const INT_RE = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?\s*$/;

/** marshmallow Integer (not strict): integral numbers and integer strings (Python int()). */
export function maInt(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : null;
  if (typeof raw === 'string' && INT_RE.test(raw)) return Number(raw.replace(/_/g, '').trim());
  return null;
}

/** marshmallow Float: numbers and numeric strings, booleans refused. */
function maFloat(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && FLOAT_RE.test(raw)) return Number(raw.replace(/_/g, '').trim());
  return null;
}

/** Python float() of a CSV/JSON value string: numbers, `inf`, `nan` (→ NaN = skipped). */
export function pyFloatOf(raw: string): number | null {
  const s = raw.trim();
  if (FLOAT_RE.test(s)) return Number(s.replace(/_/g, ''));
  const l = s.toLowerCase().replace(/^[+]/, '');
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan' || l === '-nan') return Number.NaN;
  return null;
}

export const oneOfMessage = (choices: readonly string[]): string => `Must be one of: ${choices.join(', ')}.`;
export const TIMEZONE_SET = new Set(TIMEZONES);
export const TIMEZONE_MESSAGE = oneOfMessage(TIMEZONES);

export function validationError(location: 'query' | 'json', errors: unknown): SimResult {
  return errorResult(422, { errors: { [location]: errors } });
}

/** A data_state id that does not exist: 422 with a plain string, not a list (§7.2, §7.7). */
export function unknownDataState(): SimResult {
  return validationError('query', { data_state: 'Unknown data state ID' });
}

const EMAIL_RE = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$|^[^\s@]+@localhost$/i;

/** One body field through its marshmallow field: the value or the error messages. */
function loadField(f: FieldDef, raw: unknown): { value: unknown } | { errors: string[] } {
  if (raw === null) return f.required ? { errors: ['Field may not be null.'] } : { value: null };
  switch (f.type) {
    case 'str':
    case 'email':
    case 'unit':
    case 'timezone':
    case 'valueType': {
      if (typeof raw !== 'string') return { errors: ['Not a valid string.'] };
      if (f.between && (raw.length < f.between[0] || raw.length > f.between[1])) {
        return { errors: [`Length must be between ${f.between[0]} and ${f.between[1]}.`] };
      }
      if (f.maxLength !== undefined && raw.length > f.maxLength) return { errors: [`Longer than maximum length ${f.maxLength}.`] };
      if (f.type === 'email' && !EMAIL_RE.test(raw)) return { errors: ['Not a valid email address.'] };
      if (f.type === 'unit' && unitInfo(raw) === null) return { errors: ['Undefined unit.'] };
      if (f.type === 'timezone' && !TIMEZONE_SET.has(raw)) return { errors: [TIMEZONE_MESSAGE] };
      if (f.type === 'valueType' && !(VALUE_TYPES as readonly string[]).includes(raw)) return { errors: [oneOfMessage(VALUE_TYPES)] };
      return { value: raw };
    }
    case 'int': {
      const v = typeof raw === 'boolean' ? null : maInt(raw);
      return v === null ? { errors: [NOT_INT] } : { value: v };
    }
    case 'float': {
      const v = typeof raw === 'boolean' ? null : maFloat(raw);
      if (v === null) return { errors: ['Not a valid number.'] };
      if (f.range && (v < f.range[0] || v > f.range[1])) {
        return { errors: [`Must be greater than or equal to ${f.range[0]} and less than or equal to ${f.range[1]}.`] };
      }
      return { value: v };
    }
    case 'datetime': {
      const v = parseAwareField(raw);
      return typeof v === 'number' ? { value: v } : { errors: [v.error] };
    }
  }
}

/** Does a property value string parse as the property's value_type (§6.1)? */
export function validPropertyValue(valueType: unknown, value: string): boolean {
  switch (valueType) {
    case 'integer':
      return INT_RE.test(value);
    case 'float':
      return pyFloatOf(value) !== null;
    case 'boolean':
      return value === 'true' || value === 'false';
    default:
      return true;
  }
}

/**
 * webargs' JSON location: only an `application/json` (or `+json`) body counts; another type or an
 * empty body is "missing" (so required fields are reported); a malformed one is 400.
 */
function readJson(req: SimRequest): { value: unknown } | { result: SimResult } {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = ct === 'application/json' || (ct.startsWith('application/') && ct.endsWith('+json'));
  if (!isJson || req.rawBody.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(req.rawBody) as unknown };
  } catch {
    return { result: errorResult(400, { errors: { json: ['Invalid JSON body.'] } }) };
  }
}

/** A JSON body through a schema's fields: the loaded data, or the 400/422 answer (§1.4). */
export function loadFields(req: SimRequest, fields: readonly FieldDef[]): { data: Record<string, unknown> } | { result: SimResult } {
  const read = readJson(req);
  if ('result' in read) return read;
  const body = read.value ?? {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { result: validationError('json', { _schema: ['Invalid input type.'] }) };
  const rec = body as Record<string, unknown>;
  const errs: Errors = {};
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    if (!(f.name in rec)) {
      if (f.required) errs[f.name] = [MISSING];
      else data[f.name] = f.fallback ?? null; // full replacement: missing = null or the default (§6)
      continue;
    }
    const loaded = loadField(f, rec[f.name]);
    if ('errors' in loaded) errs[f.name] = loaded.errors;
    else data[f.name] = loaded.value;
  }
  for (const k of Object.keys(rec)) if (!fields.some((f) => f.name === k)) errs[k] = ['Unknown field.'];
  if (Object.keys(errs).length > 0) return { result: validationError('json', errs) };
  return { data };
}
