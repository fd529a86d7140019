// Deterministic values for the FlexMeasures simulator: the same (sensor, event start) always gives
// the same value, without state and without Math.random. Values are in the sensor's unit and in the
// DATABASE sign convention (§3.5: consumption is stored negative, production positive).

import { hash01, hash2, noise } from '../../../simulators/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TWO_PI = Math.PI * 2;

export type SimSensorKind = 'ev' | 'solar' | 'price' | 'temperature' | 'irradiance' | 'wind';

// ---------------------------------------------------------------- hashing

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

// ---------------------------------------------------------------- local time (Europe/Amsterdam)

/** Last Sunday of a month at 01:00 UTC (the EU DST switch instant). */
function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0, 1);
  const dow = new Date(lastDay).getUTCDay();
  return lastDay - dow * DAY;
}

const dstCache = new Map<number, [number, number]>();

/** UTC offset (ms) of Europe/Amsterdam at `t`: +1 h, +2 h in summer time (EU rules). */
export function amsterdamOffsetMs(t: number): number {
  const year = new Date(t).getUTCFullYear();
  let range = dstCache.get(year);
  if (!range) {
    range = [lastSundayUtc(year, 2), lastSundayUtc(year, 9)];
    dstCache.set(year, range);
  }
  return t >= range[0] && t < range[1] ? 2 * HOUR : HOUR;
}

/** Fractional local hour of day in Amsterdam. */
function localHour(t: number): number {
  const local = t + amsterdamOffsetMs(t);
  return (((local % DAY) + DAY) % DAY) / HOUR;
}

function dayOfYear(t: number): number {
  const d = new Date(t);
  return (t - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY;
}

/** Sine of the solar elevation at (lat, lon) and UTC instant t. */
function sunSine(t: number, latDeg: number, lonDeg: number): number {
  const doy = dayOfYear(t);
  const decl = ((-23.44 * Math.PI) / 180) * Math.cos((TWO_PI * (doy + 10)) / 365);
  const utcHour = (((t % DAY) + DAY) % DAY) / HOUR;
  const solarHour = utcHour + lonDeg / 15;
  const hourAngle = ((solarHour - 12) * 15 * Math.PI) / 180;
  const lat = (latDeg * Math.PI) / 180;
  return Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
}

// ---------------------------------------------------------------- per-kind values

/** Charging power of one charger in MW, NEGATIVE (consumption, database sign). 0 … -0.022. */
export function evValue(seed: number, t: number): number {
  const h = localHour(t);
  // Occupancy: low at night, a small morning bump, a big evening peak (18-21 h).
  const evening = Math.exp(-((h - 19) ** 2) / 6);
  const morning = 0.35 * Math.exp(-((h - 9) ** 2) / 4);
  const p = 0.06 + 0.7 * evening + morning;
  // Sessions last whole hours: the decision is per (charger, hour).
  const hourIndex = Math.floor(t / HOUR);
  if (hash01(seed ^ 0x5bd1e995, hourIndex) >= p) return 0;
  const level = hash01(seed ^ 0x1b873593, Math.floor(t / (4 * HOUR)));
  const kw = level < 0.3 ? 7.4 : level < 0.7 ? 11 : 22;
  // Tapering noise per 15 minutes (the battery is filling up).
  const jitter = 0.85 + 0.15 * hash01(seed ^ 0x27d4eb2d, Math.floor(t / (15 * MINUTE)));
  return -round((kw * jitter) / 1000, 6);
}

/** Solar park output in MW, positive (production), bell-shaped by day of year and hour; 0 at night. */
export function solarValue(seed: number, t: number, capacityMw: number, lat: number, lon: number): number {
  const s = sunSine(t + 7.5 * MINUTE, lat, lon);
  if (s <= 0) return 0;
  const clouds = 0.55 + 0.45 * noise(seed, t / (3 * HOUR));
  return round(capacityMw * Math.min(1, s / 0.95) ** 1.2 * clouds, 4);
}

/** Day-ahead price in EUR/MWh: night low, morning and evening peaks, a solar dip at noon (30 … 180). */
export function priceValue(seed: number, t: number): number {
  const h = localHour(t);
  const base = 55;
  const morning = 45 * Math.exp(-((h - 8) ** 2) / 3);
  const evening = 95 * Math.exp(-((h - 19) ** 2) / 4);
  const noon = -15 * Math.exp(-((h - 13.5) ** 2) / 4);
  const night = -18 * Math.exp(-((h - 3.5) ** 2) / 5);
  const dayLevel = 0.85 + 0.3 * noise(seed, t / DAY);
  const v = (base + morning + evening + noon + night) * dayLevel + 8 * (hash01(seed, Math.floor(t / HOUR)) - 0.5);
  return round(Math.min(180, Math.max(30, v)), 2);
}

/** Air temperature in °C: seasonal cycle, daily cycle (max mid-afternoon), slow weather noise. */
export function temperatureValue(seed: number, t: number): number {
  const doy = dayOfYear(t);
  const seasonal = 10.5 - 7.5 * Math.cos((TWO_PI * (doy - 15)) / 365);
  const daily = 3.5 * Math.cos((TWO_PI * (localHour(t) - 15)) / 24);
  const weather = 6 * (noise(seed, t / (2 * DAY)) - 0.5);
  return round(seasonal + daily + weather, 1);
}

/** Global horizontal irradiance in kW/m² (0 at night, up to ~0.9). */
export function irradianceValue(seed: number, t: number, lat: number, lon: number): number {
  const s = sunSine(t + 30 * MINUTE, lat, lon);
  if (s <= 0) return 0;
  const clouds = 0.45 + 0.55 * noise(seed, t / (3 * HOUR));
  return round(1.0 * s * clouds, 3);
}

/** Wind speed in m/s (0 … ~16). */
export function windValue(seed: number, t: number): number {
  const slow = noise(seed, t / (18 * HOUR));
  const fast = noise(seed ^ 0x9e3779b9, t / (2 * HOUR));
  return round(Math.max(0, 1 + 11 * slow + 4 * (fast - 0.3)), 1);
}

export interface SimSeriesSpec {
  kind: SimSensorKind;
  /** Per-sensor seed (use the sensor id). */
  seed: number;
  latitude?: number;
  longitude?: number;
  capacityMw?: number;
}

/** Value of an event starting at `t` (ms), database sign, the sensor's unit. */
export function simValue(spec: SimSeriesSpec, t: number): number {
  const seed = hash2(spec.seed, 0x2f6b);
  switch (spec.kind) {
    case 'ev':
      return evValue(seed, t);
    case 'solar':
      return solarValue(seed, t, spec.capacityMw ?? 10, spec.latitude ?? 51.5, spec.longitude ?? 3.9);
    case 'price':
      return priceValue(seed, t);
    case 'temperature':
      return temperatureValue(seed, t);
    case 'irradiance':
      return irradianceValue(seed, t, spec.latitude ?? 52.1, spec.longitude ?? 5.18);
    case 'wind':
      return windValue(seed, t);
  }
}

/**
 * A prognosis made a day ahead: the real value blurred (smoothed over neighbouring events and
 * scaled by a slowly varying error), same sign convention.
 */
export function simPrognosis(spec: SimSeriesSpec, t: number, resolutionMs: number): number {
  const step = resolutionMs > 0 ? resolutionMs : 15 * MINUTE;
  const v = (simValue(spec, t - step) + 2 * simValue(spec, t) + simValue(spec, t + step)) / 4;
  const err = 0.9 + 0.2 * noise(hash2(spec.seed, 0x7a11), t / (6 * HOUR));
  return round(v * err, 6);
}

/** Whether the generated event of `sensorId` at `t` is missing (v3 reads show it as null). */
export function isGap(sensorId: number, t: number, rate: number): boolean {
  if (!(rate > 0)) return false;
  return hash01(hash2(sensorId, 0x6a09e667), Math.floor(t / MINUTE)) < rate;
}
