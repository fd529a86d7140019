// Shared by the getData reader tests: both readings of a body must agree.
import { expect } from 'vitest';
import { readGetData } from '../../src/upstreams/meetnet/getdata-reader.js';
import { mapGetData } from '../../src/upstreams/meetnet/mapping.js';

/** Both ways; the reader must have answered. */
export function same(text: string): void {
  const fast = readGetData(text);
  expect(fast, 'the reader gave up').toBeDefined();
  expect(fast).toEqual(mapGetData(JSON.parse(text)));
  // toEqual treats -0 and 0 alike: compare the values bit for bit too.
  for (const [id, s] of mapGetData(JSON.parse(text))) {
    expect(fast!.get(id)!.values.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(s.values.map((v) => (Object.is(v, -0) ? '-0' : v)));
  }
}

/** An instant as Meetnet writes it: `2021-12-15T00:00:00+00:00`. */
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
