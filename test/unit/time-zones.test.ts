// Grids from local midnight (src/shared/time-zones.ts): where an upstream's events sit.
import { describe, expect, it } from 'vitest';
import { ceilToZoneGrid, floorToZoneGrid, zoneOffsetMs } from '../../src/shared/time-zones.js';

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
});
