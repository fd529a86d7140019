// Shared by every upstream's mapping: the error for an upstream answer whose shape we cannot use.

/** The upstream answered with a shape we cannot use. The message names the field and shows a short preview. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

const PREVIEW_CHARS = 60;

/** A short, safe description of a value for error messages (never more than ~100 chars). */
export function previewValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const cut = value.length > PREVIEW_CHARS ? `${value.slice(0, PREVIEW_CHARS)}…` : value;
    return `the string ${JSON.stringify(cut)}${value.length > PREVIEW_CHARS ? ` (${value.length} chars)` : ''}`;
  }
  return `${typeof value} ${String(value).slice(0, PREVIEW_CHARS)}`;
}

/** Throws a WireFormatError: `<path> is not <expected> (got <preview>)`. */
export function fail(path: string, expected: string, value: unknown): never {
  throw new WireFormatError(`${path} is not ${expected} (got ${previewValue(value)})`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
