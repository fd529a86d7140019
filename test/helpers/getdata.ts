// Shared by the getData reader tests: both readings of a body must agree.
import { expect } from 'vitest';
import { readGetData } from '../../src/upstreams/meetnet/getdata-reader.js';
import { mapGetData } from '../../src/upstreams/meetnet/mapping.js';

/** A body as the HTTP client hands it to the reader: text is sent as UTF-8. */
export const bytes = (body: string | Buffer): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

/** What the usual path answers: the body decoded as UTF-8, JSON.parse, mapGetData. */
export const usual = (body: string | Buffer) => mapGetData(JSON.parse(bytes(body).toString('utf8')));

/** Both ways; the reader must have answered. */
export function same(body: string | Buffer): void {
  const fast = readGetData(bytes(body));
  expect(fast, 'the reader gave up').toBeDefined();
  const expected = usual(body);
  expect(fast).toEqual(expected);
  // toEqual treats -0 and 0 alike: compare the values bit for bit too.
  for (const [id, s] of expected) {
    expect(fast!.get(id)!.values.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(s.values.map((v) => (Object.is(v, -0) ? '-0' : v)));
  }
}

/** An instant as Meetnet writes it: `2021-12-15T00:00:00+00:00`. */
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');
