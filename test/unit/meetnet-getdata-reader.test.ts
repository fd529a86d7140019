// The getData reader answers, from a body's bytes, exactly what UTF-8 decoding + JSON.parse +
// mapGetData answer, or gives up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGetData } from '../../src/upstreams/meetnet/getdata-reader.js';
import { mapGetData } from '../../src/upstreams/meetnet/mapping.js';
import { bytes, iso, same, usual } from '../helpers/getdata.js';

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
    expect(readGetData(bytes(recorded))!.get('MP7WVC')!.times.length).toBe(57);
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
    for (const text of cases) expect(readGetData(bytes(text)), text).toBeUndefined();
  });

  it('agrees with UTF-8 + JSON.parse + mapGetData, or gives up, on every one-byte edit of a body', () => {
    // Points in the API's compact form (read by its own path) on one date, then the next (the
    // date kept from one point to the next), one in another order, one in another timestamp form.
    const body = bytes(
      '{"Values":[{"ID":"A1","Q":"x\\u00e9 \u00b0C","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":-1.5e2},' +
        '{"Timestamp":"2021-12-14T23:50:00+00:00","Value":7},{"Timestamp":"2021-12-15T00:00:00+00:00","Value":null},' +
        '{"Value":2,"Timestamp":"2021-12-15T00:10:00+00:00"},{"Timestamp":"2021-12-15T00:20:00Z","Value":3}]}],"N":[1,true]}',
    );
    let answered = 0;
    let cases = 0;
    const check = (edited: Buffer) => {
      cases++;
      const fast = readGetData(edited);
      if (fast === undefined) return;
      answered++;
      let expected: unknown;
      try {
        expected = usual(edited);
      } catch (err) {
        expected = err;
      }
      const shown = edited.toString('latin1');
      expect(expected, shown).toBeInstanceOf(Map);
      expect(fast, shown).toEqual(expected);
    };
    const at = (i: number, byte: number, replace: boolean) =>
      Buffer.concat([body.subarray(0, i), Buffer.of(byte), body.subarray(replace ? i + 1 : i)]);
    for (let i = 0; i <= body.length; i++) {
      check(Buffer.concat([body.subarray(0, i), body.subarray(i + 1)])); // deleted
      for (let c = 0; c < 256; c++) {
        check(at(i, c, true)); // replaced
        check(at(i, c, false)); // inserted
      }
    }
    expect(cases).toBeGreaterThan(150_000);
    expect(answered).toBeGreaterThan(5000); // the edits inside values, skipped strings and whitespace it still reads
  });

  it('gives up on every cut-short body', () => {
    const body = bytes(recorded);
    for (let i = 0; i < body.length; i++) expect(readGetData(body.subarray(0, i)), String(i)).toBeUndefined();
    same(Buffer.concat([body, bytes(' \n\t\r ')])); // blanks after the end are fine
  });

  it('reads strings it skips whatever bytes they hold, valid UTF-8 or not, as UTF-8 decoding + JSON.parse do', () => {
    const points = '[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1}]';
    const odd = [
      [0xc3, 0xa9], // é
      [0xe2, 0x82, 0xac], // €
      [0xf0, 0x9f, 0x8c, 0x8a], // an emoji (a surrogate pair once decoded)
      [0xff], // never valid in UTF-8
      [0x80, 0xbf], // continuation bytes alone
      [0xc3], // a sequence cut short before the closing quote: the decoder must not take the quote
      [0xe2, 0x82], // the same, two bytes of three
      [0xc0, 0xa2], // an overlong quote
      [0xed, 0xa0, 0x80], // a surrogate written in UTF-8
      [0xef, 0xbb, 0xbf], // a byte order mark
    ];
    for (const seq of odd) {
      const x = Buffer.from(seq);
      same(Buffer.concat([bytes('{"Note":"'), x, bytes(`","Values":[{"ID":"A","Unit":"`), x, bytes(`\\n","Values":${points}}]}`)]));
      // ... and inside a point, in a key it skips: its value is skipped alike.
      same(
        Buffer.concat([
          bytes('{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1,"Q":"'),
          x,
          bytes('"}]}]}'),
        ]),
      );
    }
    // Random bytes of every value in a skipped string, a quote and a backslash escaped.
    const r = rng(7);
    for (let k = 0; k < 200; k++) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 12) }, () => 32 + Math.floor(r() * 224))).toString('latin1');
      const escaped = bytes(junk.replace(/[\\"]/g, '\\$&')); // as bytes: latin1 turned to UTF-8 ...
      const raw = Buffer.from(junk.replace(/[\\"]/g, '\\$&'), 'latin1'); // ... and as they were (not all valid UTF-8)
      for (const b of [escaped, raw]) same(Buffer.concat([bytes('{"X":"'), b, bytes(`","Values":[{"ID":"A","Values":${points}}]}`)]));
    }
  });

  it('gives up where a string it keeps holds a byte outside ASCII (the text would need decoding), which the usual path reads', () => {
    const cases = [
      '{"Values":[{"ID":"MP7\u00e9","Values":[]}]}', // an ID
      '{"V\u00e4lues":[],"Values":[]}', // a key of the body
      '{"Values":[{"ID":"A","N\u00f6te":1,"Values":[]}]}', // a key of a series
      '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1,"\u00c9":2}]}]}', // a key of a point
    ];
    for (const text of cases) {
      expect(readGetData(bytes(text)), text).toBeUndefined();
      expect(usual(text), text).toBeInstanceOf(Map);
    }
    expect(usual(cases[0]!).get('MP7\u00e9')!.times).toEqual([]);
    // A timestamp: no form parseMeetnetTimestamp reads has one; the usual path says what is wrong.
    const stamp = '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00\u00a0","Value":1}]}]}';
    expect(readGetData(bytes(stamp))).toBeUndefined();
    expect(() => usual(stamp)).toThrow(/Timestamp is not a valid timestamp/);
  });

  it('reads the timestamps of every day of the years around 1970, 2000, 2100 and the leap days, as parseMeetnetTimestamp does', () => {
    // One point a day at 23:50, then the next at 00:00: the date changes at every other point.
    for (const year of [1, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 9999]) {
      const points: string[] = [];
      for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        points.push(`{"Timestamp":"${day}T00:00:00+00:00","Value":1}`, `{"Timestamp":"${day}T23:50:59+00:00","Value":2}`);
      }
      const text = `{"Values":[{"ID":"A","Values":[${points.join(',')}]}]}`;
      same(text);
      expect(readGetData(bytes(text))!.get('A')!.times.length, String(year)).toBe(points.length);
    }
  });

  it('reads timestamps that change form, offset or date from one point to the next (the kept date) as mapGetData does', () => {
    const series = (...stamps: string[]) =>
      `{"Values":[{"ID":"A","Values":[${stamps.map((t, i) => `{"Timestamp":"${t}","Value":${i}}`).join(',')}]}]}`;
    // Around the end of summer time in Brussels: offsets other than +00:00 go through Date.parse.
    same(
      series(
        '2021-10-31T00:30:00+00:00',
        '2021-10-31T02:30:00+02:00',
        '2021-10-31T02:30:00+01:00',
        '2021-10-31T01:40:00+00:00',
        '2021-10-31T02:40:00Z',
        '2021-10-31T02:50:00+00:00',
      ),
    );
    same(series('2024-02-28T23:50:00+00:00', '2024-02-29T00:00:00+00:00', '2024-03-01T00:00:00+00:00', '2024-02-29T12:00:00+00:00'));
    same(series('2021-12-31T23:50:00+00:00', '2022-01-01T00:00:00+00:00', '2021-12-31T23:59:59+00:00')); // back across the kept date
    same(series('2021-12-14T23:00:00+00:00', '2021-12-14', '2021-12-14T23:10:00+00:00', '2021-12-14 23:20'));
    // Impossible dates and times, after a valid point of the same date or not.
    for (const bad of [
      '2023-02-29T00:00:00+00:00',
      '2024-02-30T00:00:00+00:00',
      '2024-13-01T00:00:00+00:00',
      '2024-00-01T00:00:00+00:00',
      '2024-02-00T00:00:00+00:00',
      '2024-02-28T24:00:00+00:00',
      '2024-02-28T23:60:00+00:00',
      '2024-02-28T23:59:60+00:00',
      '2024-02-28T2a:00:00+00:00',
      '2024-02-2aT00:00:00+00:00',
      '2024-02-28T23:00:00+00:01',
      '2024-02-28T23:00:00+00:00 ',
    ]) {
      for (const before of ['2024-02-28T12:00:00+00:00', '2023-02-28T12:00:00+00:00']) {
        const text = series(before, bad);
        let expected: unknown;
        try {
          expected = usual(text);
        } catch (err) {
          expected = err;
        }
        if (expected instanceof Map) same(text);
        else expect(readGetData(bytes(text)), text).toBeUndefined();
      }
    }
  });

  it('fills its columns alike whatever room it guessed for them, and joins the entries of one ID', () => {
    const point = (i: number, extra = '') => `{"Timestamp":"${iso(Date.UTC(2024, 0, 1) + i * 600_000)}","Value":${i % 7}${extra}}`;
    const list = (n: number, first = '') => `[${Array.from({ length: n }, (_, i) => point(i, i === 0 ? first : '')).join(',')}]`;
    for (const text of [
      `{"Values":[{"ID":"A","Values":${list(500, `,"Note":"${'x'.repeat(400)}"`)}}]}`, // a long first point: too little room
      `{"Values":[{"ID":"A","Values":${list(500, ',"Q":[1,2]')}}]}`, // a ] in the first point: too little room
      `{"Values":[{"ID":"A","Values":[${point(0)},${Array.from({ length: 300 }, (_, i) => point(i + 1, `,"N":"${'y'.repeat(50)}"`)).join(',')}]}]}`, // too much
      `{"Values":[{"ID":"A","Values":${list(40)}},{"ID":"B","Values":${list(3)}},{"ID":"A","Values":${list(90)}}]}`, // A twice
      `{"Values":[{"Values":${list(40)},"ID":"A"},{"ID":"A","Values":${list(5)}},{"Values":${list(7)},"ID":"A"}]}`, // points before the ID
      `{"Values":[{"ID":"A","Values":[${point(3)}]},{"ID":"A","Values":${list(2)}}]}`, // joined out of order
    ]) {
      same(text);
      const a = readGetData(bytes(text))!.get('A')!;
      expect(a.values.length).toBe(a.times.length);
      expect(a.times.every((t) => typeof t === 'number')).toBe(true); // no hole left
    }
  });

  it('reads a point written with blanks, in the other order or with more keys as the compact one', () => {
    const t = '"2021-12-14T23:00:00+00:00"';
    for (const p of [
      `{"Timestamp":${t},"Value": 1.5}`,
      `{"Timestamp":${t},"Value":1.5 }`,
      `{ "Timestamp":${t},"Value":1.5}`,
      `{"Timestamp" : ${t} , "Value" : null }`,
      `{"Timestamp":${t},"Value":1.5,"Quality":"ok"}`,
      `{"Q":[],"Timestamp":${t},"Value":1.5}`,
    ])
      same(`{"Values":[{"ID":"A","Values":[${p},{"Timestamp":"2021-12-14T23:10:00+00:00","Value":2}]}]}`);
    for (const p of [
      `{"Timestamp":${t},"Value":1.5,"Timestamp":${t}}`,
      `{"Timestamp":${t},"Value":1.5,"Value":2}`,
      `{"Timestamp":${t},"Value":1.5,}`,
      `{"Timestamp":${t},"Value":1.5`,
      `{"Timestamp":${t},"Value":}`,
      `{"Timestamp":${t}}`,
    ])
      expect(readGetData(bytes(`{"Values":[{"ID":"A","Values":[${p}]}]}`)), p).toBeUndefined();
  });

  it('is never fooled into a different answer by a repeated key JSON.parse would resolve (last one wins)', () => {
    const text = '{"Values":[{"ID":"A","Values":[{"Timestamp":"2021-12-14T23:00:00+00:00","Value":1}],"Values":[]}]}';
    expect(readGetData(bytes(text))).toBeUndefined();
    expect(mapGetData(JSON.parse(text)).get('A')!.times).toEqual([]);
  });
});
