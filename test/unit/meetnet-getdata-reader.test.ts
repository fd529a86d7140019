// The getData text reader answers exactly what JSON.parse + mapGetData answer, or gives up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGetData } from '../../src/upstreams/meetnet/getdata-reader.js';
import { mapGetData } from '../../src/upstreams/meetnet/mapping.js';
import { iso, same } from '../helpers/getdata.js';

const recorded = readFileSync(new URL('../fixtures/meetnet/getData_2021-12-15_MP7_dewindnu.json', import.meta.url), 'utf8');

/** A deterministic pseudo-random sequence (no flaky inputs). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('readGetData', () => {
  it('reads the recorded (indented) body as mapGetData does', () => {
    same(recorded);
    same(JSON.stringify(JSON.parse(recorded)));
    expect(readGetData(recorded)!.get('MP7WVC')!.times.length).toBe(57);
  });

  it('agrees on generated bodies: shuffled and repeated instants, nulls, every number form, keys in any order, extra fields', () => {
    const numbers = [
      // eslint-disable-next-line no-loss-of-precision -- a number JSON may hold that a double cannot: both readers must round it alike
      0, -0, 1, -1, 12.5, 0.1, 0.3, 1e-7, 123456789012345, 1234567890123456789, -9.81, 2.5e10, 5e-324, 1.7976931348623157e308,
      0.000123456789012345,
    ];
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const series = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, s) => {
        const n = Math.floor(r() * 60);
        const points = Array.from({ length: n }, (_, i) => {
          const t = iso(Date.UTC(2024, 1, 28) + (r() < 0.1 ? Math.floor(r() * n) : i) * 600_000);
          const v =
            r() < 0.1
              ? null
              : r() < 0.3
                ? numbers[Math.floor(r() * numbers.length)]!
                : Math.round((r() - 0.5) * 1e6) / 10 ** Math.floor(r() * 8);
          const p: Record<string, unknown> = r() < 0.5 ? { Timestamp: t, Value: v } : { Value: v, Timestamp: t };
          if (r() < 0.1) p.Quality = { flags: ['ok', 'a "quoted" \\ note \u00e9'], n: [1, 2.5e-3, true, false, null] };
          return p;
        });
        const id = s === 2 ? 'MP7WVC' : `S${seed}X${s}`; // an ID may repeat across entries
        const body: Record<string, unknown> =
          r() < 0.5 ? { ID: id, MinValue: 1.5, MaxValue: null, Values: points } : { Values: points, StartTime: iso(0), ID: ` ${id} ` };
        if (r() < 0.1) body.Values = r() < 0.5 ? null : [];
        return body;
      });
      const wire = { StartTime: iso(0), EndTime: iso(86_400_000), Intervals: [10], Values: series, Extra: { a: [{}, [], ''] } };
      same(JSON.stringify(wire));
      same(JSON.stringify(wire, null, seed % 2 === 0 ? 2 : '\t'));
    }
  });

  it('reads other ISO forms of a timestamp as mapGetData does', () => {
    same(
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00Z","Value":1},{"Timestamp":"2021-12-14T23:10:00.000+01:00","Value":2},{"Timestamp":"2021-12-14 23:20","Value":3}]}]}',
    );
  });

  it('answers an unknown ID (Values null or empty) and a series without points as mapGetData does', () => {
    same('{"Values":null}');
    same('{"Values":[]}');
    same('{}');
    same('{"Values":[{"ID":"A","Values":null},{"ID":"B"},{"ID":"C","Values":[]}]}');
  });

  it('gives up on what it is not sure of, and on anything mapGetData or JSON.parse refuses', () => {
    const cases = [
      '',
      '[]',
      'null',
      '{"Values":[{"ID":"A","Values":[]}]} x', // trailing text
      '{"Values":[{"ID":"A","Values":[],}]}', // trailing comma
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1}', // cut short
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":01}]}]}', // not a JSON number
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1.}]}]}',
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1e400}]}]}', // Infinity
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":"1"}]}]}',
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-02-30T23:00:00+00:00","Value":1}]}]}', // no such day
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"yesterday","Value":1}]}]}',
      '{"Values":[{"ID":"A","Values":[{"Value":1}]}]}', // no timestamp
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00"}]}]}', // no value
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1,"Value":2}]}]}', // repeated key
      '{"Values":[{"ID":"A","ID":"B","Values":[]}]}',
      '{"Values":null,"Values":[]}',
      '{"Values":[{"ID":"A\\u0042","Values":[]}]}', // an escape in a string the reader keeps
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00\\u002b00:00","Value":1}]}]}',
      '{"Val\\u0075es":[]}',
      '{"Values":[{"ID":"  ","Values":[]}]}', // a blank ID
      '{"Values":[{"ID":7,"Values":[]}]}',
      '{"Values":[{"Values":[]}]}',
      '{"Values":[null]}',
      '{"Values":{"ID":"A"}}',
      '{"Values":[{"ID":"A","Values":{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1}}]}',
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1,"Note":"\\x"}]}]}', // a bad escape
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1,"Note":tru}]}]}',
      '{"X":"\\u\u0010\u0011\u0012\u0019","Values":[]}', // control characters are not hex digits (U+0010 | 32 is '0')
      '{"Values":[{"ID":"A","Q":"\\u\u0010\u0010\u0010\u0010","Values":[]}]}',
      `{"Values":[{"ID":"A","X":${'['.repeat(100)}${']'.repeat(100)},"Values":[]}]}`, // deeper than it goes
    ];
    for (const text of cases) expect(readGetData(text), text).toBeUndefined();
  });

  it('agrees with JSON.parse + mapGetData, or gives up, on every one-character edit of a body', () => {
    const body =
      '{"Values":[{"ID":"A1","Q":"x\\u00e9","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":-1.5e2},{"Value":null,"Timestamp":"2021-12-14T23:10:00Z"}]}],"N":[1,true]}';
    let answered = 0;
    let cases = 0;
    const check = (text: string) => {
      cases++;
      const fast = readGetData(text);
      if (fast === undefined) return;
      answered++;
      let expected: unknown;
      try {
        expected = mapGetData(JSON.parse(text));
      } catch (err) {
        expected = err;
      }
      expect(expected, text).toBeInstanceOf(Map);
      expect(fast, text).toEqual(expected);
    };
    for (let i = 0; i <= body.length; i++) {
      check(body.slice(0, i) + body.slice(i + 1)); // deleted
      for (let c = 0; c < 128; c++) {
        check(body.slice(0, i) + String.fromCharCode(c) + body.slice(i + 1)); // replaced
        check(body.slice(0, i) + String.fromCharCode(c) + body.slice(i)); // inserted
      }
    }
    expect(cases).toBeGreaterThan(40_000);
    expect(answered).toBeGreaterThan(1000); // the edits inside values and whitespace it still reads
  });

  it('is never fooled into a different answer by a repeated key JSON.parse would resolve (last one wins)', () => {
    const text = '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1}],"Values":[]}]}';
    expect(readGetData(text)).toBeUndefined();
    expect(mapGetData(JSON.parse(text)).get('A')!.times).toEqual([]);
  });
});
