// The conformance harness: each case runs against the simulator and against the real server and
// reduces both answers to an observation (status, the headers that matter, the body's shape); the
// two must be equal, unless the case is a deliberate exception, whose difference is then checked
// to still be the one written down (so a fixed difference fails until its exception is removed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export type Observation = unknown;

export interface Case<T> {
  name: string;
  run(target: T, side: Side): Promise<Observation>;
}

export type Side = 'simulator' | 'real';

export interface Exception {
  /** Why the simulator differs on purpose, or why the gateway does not depend on it. */
  reason: string;
  /** Asserts the difference as it is written down (throws when it no longer holds). */
  check(sim: Observation, real: Observation): void;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const ISO_DURATION = /^P(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/;

/**
 * A JSON value reduced to what must agree between two servers with different data: key sets, types,
 * nulls, and the format of timestamps (digits hidden, offsets kept); durations are kept as they are.
 * Objects keyed by ids or instants (BEMServer data) show one key pattern; arrays the set of their
 * elements' shapes.
 */
export function shape(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === 'string') {
    if (ISO_DATETIME.test(v)) return `datetime ${v.replace(/\d/g, 'd').replace(/([+-])dd:dd$/, (m) => offsetOf(v) ?? m)}`;
    if (ISO_DURATION.test(v)) return 'duration';
    return 'string';
  }
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return listShape(v);
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k) || ISO_DATETIME.test(k))) {
    return { [`<${String(shape(keys[0]))}>`]: listShape(Object.values(v as object)) };
  }
  return Object.fromEntries(keys.sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
}

/**
 * The elements of a list merged into one shape: objects into one object whose keys are the union
 * (the two servers hold different data, so a field null in every row of one list and set in the
 * other's matches anything), other values into the sorted set of their shapes.
 */
function listShape(list: unknown[]): unknown {
  if (list.length > 0 && list.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    const keys = [...new Set(list.flatMap((x) => Object.keys(x as object)))].sort();
    const merged = Object.fromEntries(
      keys.map((k) => {
        const values = list.map((x) => (x as Record<string, unknown>)[k]).filter((x) => x !== null && x !== undefined);
        if (values.length === 0) return [k, expect.anything()];
        const merged = mergedOf(values);
        return [k, Array.isArray(merged) && merged.length === 1 ? merged[0] : merged];
      }),
    );
    return [merged];
  }
  return mergedOf(list);
}

function mergedOf(values: unknown[]): unknown {
  if (values.length > 0 && values.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    return (listShape(values) as unknown[])[0];
  }
  const seen = new Map<string, unknown>();
  for (const x of values) {
    const s = Array.isArray(x) ? listShape(x) : shape(x);
    seen.set(JSON.stringify(s), s);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

function offsetOf(iso: string): string | null {
  const m = /([+-]\d{2}:\d{2})$/.exec(iso);
  return m ? m[1]! : null;
}

/** Where a case is an exception, the difference is checked and the reason printed at the end. */
export function conformance<T>(
  title: string,
  targets: { simulator: () => Promise<T>; real: () => Promise<T> },
  cases: Array<Case<T>>,
  exceptions: Record<string, Exception>,
): void {
  const unknown = Object.keys(exceptions).filter((name) => !cases.some((c) => c.name === name));
  if (unknown.length) throw new Error(`exceptions name no case: ${unknown.join(', ')}`);
  describe(title, () => {
    let sim: T;
    let real: T;
    const held: string[] = [];
    beforeAll(async () => {
      [sim, real] = await Promise.all([targets.simulator(), targets.real()]);
    }, 60_000);
    afterAll(() => {
      if (held.length === 0) return;
      process.stdout.write(`\n${title}: deliberate exceptions (simulator ≠ real server), each checked:\n${held.join('\n')}\n`);
    });
    for (const c of cases) {
      it(c.name, async () => {
        const a = await c.run(sim, 'simulator');
        const b = await c.run(real, 'real');
        const exception = exceptions[c.name];
        if (!exception) {
          expect(a, 'the simulator answers differently from the real server').toEqual(b);
          return;
        }
        expect(a, 'this exception no longer differs: remove it').not.toEqual(b);
        exception.check(a, b);
        held.push(`  - ${c.name}: ${exception.reason}`);
      });
    }
  });
}
