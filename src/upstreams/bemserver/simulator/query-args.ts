// Query-string arguments with webargs' semantics and marshmallow's messages (§1.3): scalars, lists, sort, time zones, units.
import type { ParamRecord } from '../../../simulators/index.js';
import { unitInfo } from './data.js';
import { parseAwareField } from './datetimes.js';
import { MISSING, NOT_INT, TIMEZONE_MESSAGE, TIMEZONE_SET, maInt, oneOfMessage, type Errors } from './validation.js';

/** Query-string arguments with webargs semantics: first value for scalars, repeated keys for lists. */
export class QueryArgs {
  readonly errors: Errors = {};
  constructor(private readonly q: ParamRecord) {}

  has(k: string): boolean {
    return this.q[k] !== undefined;
  }

  first(k: string): string | undefined {
    const v = this.q[k];
    return Array.isArray(v) ? v[0] : v;
  }

  all(k: string): string[] | undefined {
    const v = this.q[k];
    return v === undefined ? undefined : Array.isArray(v) ? v : [v];
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  private missing(k: string, required: boolean): boolean {
    if (this.q[k] !== undefined) return false;
    if (required) this.errors[k] = [MISSING];
    return true;
  }

  int(k: string, required = false, range?: [number, number]): number | undefined {
    if (this.missing(k, required)) return undefined;
    const v = maInt(this.first(k));
    if (v === null) {
      this.errors[k] = [NOT_INT];
      return undefined;
    }
    if (range && (v < range[0] || v > range[1])) {
      this.errors[k] = [
        range[1] === Infinity
          ? `Must be greater than or equal to ${range[0]}.`
          : `Must be greater than or equal to ${range[0]} and less than or equal to ${range[1]}.`,
      ];
      return undefined;
    }
    return v;
  }

  str(k: string, required = false): string | undefined {
    if (this.missing(k, required)) return undefined;
    return this.first(k);
  }

  aware(k: string, required = false): number | undefined {
    if (this.missing(k, required)) return undefined;
    const v = parseAwareField(this.first(k));
    if (typeof v !== 'number') {
      this.errors[k] = [v.error];
      return undefined;
    }
    return v;
  }

  /** The first value if `valid` accepts it, else the field error `message`; `fallback` when absent. */
  private checked<T extends string>(
    k: string,
    required: boolean,
    fallback: T | undefined,
    valid: (v: string) => boolean,
    message: string,
  ): T | undefined {
    if (this.missing(k, required)) return fallback;
    const v = this.first(k)!;
    if (!valid(v)) {
      this.errors[k] = [message];
      return undefined;
    }
    return v as T;
  }

  oneOf<T extends string>(k: string, choices: readonly T[], fallback?: T, required = false): T | undefined {
    return this.checked(k, required, fallback, (v) => (choices as readonly string[]).includes(v), oneOfMessage(choices));
  }

  timezone(k: string): string | undefined {
    return this.checked(k, false, 'UTC', (v) => TIMEZONE_SET.has(v), TIMEZONE_MESSAGE);
  }

  unit(k: string): string | undefined {
    return this.checked(k, false, undefined, (v) => unitInfo(v) !== null, 'Undefined unit.');
  }

  /** A repeated-key list; item errors are keyed by index (`{"0": ["Not a valid integer."]}`). */
  list<T>(k: string, required: boolean, item: (raw: string) => T | { error: string }): T[] | undefined {
    if (this.missing(k, required)) return undefined;
    const out: T[] = [];
    const errs: Errors = {};
    this.all(k)!.forEach((raw, i) => {
      const v = item(raw);
      if (v !== null && typeof v === 'object' && 'error' in (v as object)) errs[String(i)] = [(v as { error: string }).error];
      else out.push(v as T);
    });
    if (Object.keys(errs).length > 0) {
      this.errors[k] = errs;
      return undefined;
    }
    return out;
  }

  /** `sort` (webargs DelimitedList, comma-separated, §1.3). */
  sort(fields: readonly string[]): Array<{ field: string; desc: boolean }> | undefined {
    if (this.missing('sort', false)) return undefined;
    const choices = fields.flatMap((f) => [f, `+${f}`, `-${f}`]);
    const raw = this.first('sort')!;
    const items = raw === '' ? [] : raw.split(',');
    const errs: Errors = {};
    items.forEach((s, i) => {
      if (!choices.includes(s)) errs[String(i)] = [oneOfMessage(choices)];
    });
    if (Object.keys(errs).length > 0) {
      this.errors.sort = errs;
      return undefined;
    }
    return items.map((s) => ({ field: s.replace(/^[+-]/, ''), desc: s.startsWith('-') }));
  }
}
