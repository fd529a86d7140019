// Grids from local midnight (src/shared/time-zones.ts): where an upstream's events sit.
import { describe, expect, it } from 'vitest';
import { ceilToZoneGrid, floorToZoneGrid, instantOfLocal, zoneOffsetMs } from '../../src/shared/time-zones.js';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('zone grids', () => {
  it('offsets: Brussels in winter and summer, Kolkata, UTC and an unknown zone', () => {
    expect(zoneOffsetMs(at('2026-12-02T12:00:00Z'), 'Europe/Brussels')).toBe(HOUR);
    expect(zoneOffsetMs(at('2026-07-02T12:00:00Z'), 'Europe/Brussels')).toBe(2 * HOUR);
    expect(zoneOffsetMs(at('2026-12-02T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(at('2026-12-02T12:00:00.250Z'), 'UTC')).toBe(0);
    expect(zoneOffsetMs(at('2026-12-02T12:00:00Z'), 'Mars/Olympus')).toBe(0);
  });

  it('15 minutes and hours land where UTC puts them in whole-hour zones; days at local midnight', () => {
    expect(ceilToZoneGrid(at('2026-12-02T12:07:00Z'), 15 * MIN, 'Europe/Amsterdam')).toBe(at('2026-12-02T12:15:00Z'));
    expect(ceilToZoneGrid(at('2026-12-02T12:15:00Z'), 15 * MIN, 'Europe/Amsterdam')).toBe(at('2026-12-02T12:15:00Z'));
    expect(ceilToZoneGrid(at('2026-12-02T12:07:00Z'), HOUR, null)).toBe(at('2026-12-02T13:00:00Z'));
    expect(ceilToZoneGrid(at('2026-12-02T12:00:00Z'), 24 * HOUR, 'Europe/Brussels')).toBe(at('2026-12-02T23:00:00Z'));
    expect(ceilToZoneGrid(at('2026-07-02T12:00:00Z'), 24 * HOUR, 'Europe/Brussels')).toBe(at('2026-07-02T22:00:00Z'));
    expect(floorToZoneGrid(at('2026-12-02T12:00:00Z'), 24 * HOUR, 'Europe/Brussels')).toBe(at('2026-12-01T23:00:00Z'));
  });

  it('hours at :30 in Kolkata; steps that do not divide a day are left alone', () => {
    expect(ceilToZoneGrid(at('2026-12-02T10:07:00Z'), HOUR, 'Asia/Kolkata')).toBe(at('2026-12-02T10:30:00Z'));
    expect(floorToZoneGrid(at('2026-12-02T10:07:00Z'), HOUR, 'Asia/Kolkata')).toBe(at('2026-12-02T09:30:00Z'));
    expect(ceilToZoneGrid(at('2026-12-02T10:07:00Z'), 7 * 24 * HOUR, 'Europe/Brussels')).toBe(at('2026-12-02T10:07:00Z'));
    expect(ceilToZoneGrid(at('2026-12-02T10:07:00Z'), 7 * HOUR, 'UTC')).toBe(at('2026-12-02T10:07:00Z'));
  });

  it('local wall time to an instant: ordinary, in the spring gap, in the autumn fold, with a hint', () => {
    const wall = (iso: string) => at(`${iso}Z`); // a wall-clock reading, as ms since 1970-01-01 local
    expect(instantOfLocal(wall('2026-12-02T13:00:00'), 'Europe/Brussels')).toBe(at('2026-12-02T12:00:00Z'));
    expect(instantOfLocal(wall('2026-12-02T13:00:00'), 'Asia/Kolkata')).toBe(at('2026-12-02T07:30:00Z'));
    expect(instantOfLocal(wall('2026-12-02T13:00:00'), 'UTC')).toBe(at('2026-12-02T13:00:00Z'));
    // 02:30 does not exist on 29 March: moved forward by the gap (03:30 +02:00).
    expect(instantOfLocal(wall('2026-03-29T02:30:00'), 'Europe/Brussels')).toBe(at('2026-03-29T01:30:00Z'));
    // 02:30 happens twice on 25 October: the first, unless the hint names the second's offset.
    expect(instantOfLocal(wall('2026-10-25T02:30:00'), 'Europe/Brussels')).toBe(at('2026-10-25T00:30:00Z'));
    expect(instantOfLocal(wall('2026-10-25T02:30:00'), 'Europe/Brussels', HOUR)).toBe(at('2026-10-25T01:30:00Z'));
    // A hint that is wrong there is ignored.
    expect(instantOfLocal(wall('2026-12-02T13:00:00'), 'Europe/Brussels', 2 * HOUR)).toBe(at('2026-12-02T12:00:00Z'));
  });
});
