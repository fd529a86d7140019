// The shared history cache's pure parts: its keys (every field of a read in them, no secret), the
// encoding of a series, and how an outage is told.
import { describe, expect, it } from 'vitest';
import { Outage } from '../../src/shared/outage.js';
import { accountDigest, historyKey } from '../../src/upstreams/history-cache.js';
import { decodeSeries, encodeSeries } from '../../src/upstreams/series-codec.js';
import type { SeriesKey, SeriesResult } from '../../src/upstreams/series.js';

const account = accountDigest('https://api.example.org', 'reader@example.org');
const key = (k: SeriesKey) => historyKey('gw:', 'bemserver', account, k);

/** A read with every field set; `timeZone` and `unit` are fields a read may carry beyond today's SeriesKey. */
const full = {
  sensor: '12',
  from: Date.UTC(2024, 0, 1),
  to: Date.UTC(2024, 1, 1),
  resolutionMs: 900_000,
  horizonMs: 3_600_000,
  kind: 'data',
  dataState: 'Clean',
  bucket: { widthValue: 1, widthUnit: 'hour', aggregation: 'mean' },
  timeZone: 'Europe/Brussels',
  unit: 'MW',
} as SeriesKey & { unit: string };

describe('history cache keys', () => {
  it('name the prefix, upstream, account digest, sensor and window, then every other field by name', () => {
    expect(key({ sensor: 'MP7WVC', from: 1_704_067_200_000, to: 1_704_153_600_000 })).toBe(
      `gw:history:bemserver:${account}:MP7WVC:1704067200000-1704153600000`,
    );
    expect(key(full)).toBe(
      `gw:history:bemserver:${account}:12:1704067200000-1706745600000` +
        ':bucket={aggregation=mean,widthUnit=hour,widthValue=1}:dataState=Clean:horizonMs=3600000:kind=data:resolutionMs=900000' +
        ':timeZone=Europe/Brussels:unit=MW',
    );
  });

  it('differ when any one field differs, the fields SeriesKey does not name yet included', () => {
    const variants: SeriesKey[] = [
      { ...full, sensor: '13' },
      { ...full, from: full.from + 1 },
      { ...full, to: full.to + 1 },
      { ...full, resolutionMs: 3_600_000 },
      { ...full, horizonMs: 0 },
      { ...full, kind: 'prognosis' },
      { ...full, dataState: 'Raw' },
      { ...full, bucket: { ...full.bucket!, widthValue: 2 } },
      { ...full, bucket: { ...full.bucket!, widthUnit: 'day' } },
      { ...full, bucket: { ...full.bucket!, aggregation: 'max' } },
      { ...full, timeZone: 'UTC' } as SeriesKey,
      { ...full, unit: 'kW' } as SeriesKey,
      // A field left out is a different read from one set.
      ...(['resolutionMs', 'horizonMs', 'kind', 'dataState', 'bucket', 'timeZone', 'unit'] as const).map((f) => ({
        ...full,
        [f]: undefined,
      })),
    ];
    const keys = [key(full), ...variants.map(key)];
    expect(new Set(keys).size).toBe(keys.length);
    // Every field of the full read was varied on its own.
    expect(new Set(Object.keys(full))).toEqual(
      new Set(
        variants.flatMap((v) =>
          Object.keys(full).filter((f) => JSON.stringify(v[f as keyof SeriesKey]) !== JSON.stringify(full[f as keyof SeriesKey])),
        ),
      ),
    );
  });

  it('are the same whatever the order of the fields, and null is the same as left out', () => {
    const reordered = Object.fromEntries(Object.entries(full).reverse()) as unknown as SeriesKey;
    expect(key(reordered)).toBe(key(full));
    const bucket = full.bucket!;
    expect(key({ ...full, bucket: { aggregation: bucket.aggregation, widthValue: bucket.widthValue, widthUnit: bucket.widthUnit } })).toBe(
      key(full),
    );
    expect(key({ sensor: 'a', from: 1, to: 2, dataState: null, bucket: null })).toBe(key({ sensor: 'a', from: 1, to: 2 }));
  });

  it('escape separators inside values, so that no two reads meet in one key', () => {
    const a = key({ sensor: 'a:b', from: 1, to: 2 });
    const b = key({ sensor: 'a', from: 1, to: 2, dataState: 'b' });
    expect(a).not.toBe(b);
    expect(a).toContain(':a%3Ab:');
    expect(key({ ...full, unit: '°C' } as SeriesKey)).toContain(':unit=°C');
    expect(key({ ...full, dataState: 'a=b;c' })).toContain(':dataState=a%3Db%3Bc');
  });

  it('tell service accounts and servers apart by a digest that holds no credentials', () => {
    const digests = [
      accountDigest('https://api.example.org', 'reader@example.org'),
      accountDigest('https://api.example.org', 'other@example.org'),
      accountDigest('https://other.example.org', 'reader@example.org'),
    ];
    expect(new Set(digests).size).toBe(3);
    for (const d of digests) expect(d).toMatch(/^[0-9a-f]{16}$/);
    expect(key(full)).not.toContain('reader@example.org');
    expect(key(full)).not.toContain('api.example.org');
  });
});

describe('the series codec', () => {
  const year = (kind: 'regular' | 'gaps' | 'irregular'): SeriesResult => {
    const times: number[] = [];
    const values: (number | null)[] = [];
    for (let i = 0; i < 52_560; i++) {
      if (kind === 'gaps' && i % 97 === 5) continue;
      times.push(Date.UTC(2024, 0, 1) + i * 600_000 + (kind === 'irregular' ? (i % 7) / 4 : 0));
      values.push(i % 101 === 0 ? null : Math.sin(i) * 1e3);
    }
    return { times, values, min: -1000, max: 1000 };
  };

  it.each(['regular', 'gaps', 'irregular'] as const)('gives back a %s year exactly, nulls included', (kind) => {
    const s = year(kind);
    expect(decodeSeries(encodeSeries(s))).toEqual(s);
  });

  it('keeps a regular grid in the values alone, whole steps in 4 bytes, and the rest in 8', () => {
    const n = 52_560;
    expect(encodeSeries(year('regular')).length).toBe(40 + 8 * n);
    const gaps = year('gaps');
    expect(encodeSeries(gaps).length).toBe(40 + 8 * gaps.times.length + 4 * (gaps.times.length - 1));
    expect(encodeSeries(year('irregular')).length).toBe(40 + 16 * n);
  });

  it('gives back empty, single-point and all-null series, and null min and max', () => {
    for (const s of [
      { times: [], values: [], min: null, max: null },
      { times: [5], values: [1.5], min: 1.5, max: 1.5 },
      { times: [1, 2, 4], values: [null, null, null], min: null, max: null },
      { times: [-86_400_000, 0, 1e12], values: [-0.5, 0, 1e300], min: -0.5, max: 1e300 },
    ]) {
      expect(decodeSeries(encodeSeries(s))).toEqual(s);
    }
  });

  it('reads bytes at any offset (Redis replies are slices of larger buffers)', () => {
    const s = year('gaps');
    const bytes = encodeSeries(s);
    const shifted = Buffer.concat([Buffer.from([0, 0, 0]), bytes]).subarray(3);
    expect(shifted.byteOffset % 8).not.toBe(0);
    expect(decodeSeries(shifted)).toEqual(s);
  });

  it('refuses what it did not write: another format, a cut value, foreign bytes', () => {
    const bytes = encodeSeries({ times: [1, 2], values: [3, 4], min: 3, max: 4 });
    expect(decodeSeries(Buffer.concat([Buffer.from([9]), bytes.subarray(1)]))).toBeNull();
    expect(decodeSeries(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeSeries(Buffer.from('{"times":[1],"values":[2]}'))).toBeNull();
    expect(decodeSeries(Buffer.alloc(0))).toBeNull();
  });
});

describe('an outage', () => {
  it('is told once when it starts and once when it ends, and tried again once per interval meanwhile', () => {
    let now = 0;
    const told: string[] = [];
    const o = new Outage({
      retryMs: 1000,
      clock: () => now,
      down: (e) => told.push(`down ${String(e)}`),
      back: (ms) => told.push(`back after ${ms}`),
    });
    expect(o.attempt()).toBe(true);
    o.failed('refused');
    o.failed('refused again');
    expect(o.isDown).toBe(true);
    expect([o.attempt(), o.attempt()]).toEqual([false, false]);
    now = 1000;
    expect([o.attempt(), o.attempt()]).toEqual([true, false]);
    o.failed('still refused');
    now = 2500;
    expect(o.attempt()).toBe(true);
    o.succeeded();
    o.succeeded();
    expect(o.attempt()).toBe(true);
    expect(told).toEqual(['down refused', 'back after 2500']);
  });
});
