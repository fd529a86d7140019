// Deterministic, physically plausible measurements for the Meetnet simulator: the same
// (parameter, location, time) always gives the same value, without any state. Units follow the
// contract §4.7 (cm, s, deg, m/s, °C, hPa, %, mm, W/m²). Every signal is a cheap closed-form
// function of time so that a year of 10-minute data is generated in milliseconds.

import { hash01, hash2, noise } from '../../../simulators/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR_DAYS = 365.2425;
const TWO_PI = Math.PI * 2;

/** Principal lunar semi-diurnal tide: 12 h 25.2 min. */
const M2_MS = 12.4206012 * HOUR;
/** Principal solar semi-diurnal tide; beating with M2 gives the 14.77-day spring/neap cycle. */
const S2_MS = 12 * HOUR;

/** The Belgian coast, for the sun. */
const LAT_RAD = (51.3 * Math.PI) / 180;
const LON_DEG = 3.0;

// ---------------------------------------------------------------- hashing and smooth noise

const stringHashes = new Map<string, number>();

/** FNV-1a 32-bit, cached (series IDs and codes repeat endlessly). */
function hashString(s: string): number {
  let h = stringHashes.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 0;
  if (stringHashes.size > 10_000) stringHashes.clear();
  stringHashes.set(s, h);
  return h;
}

/** Two octaves of noise, centred on 0, roughly in [-1, 1]. */
function wobble(seed: number, x: number): number {
  return (noise(seed, x) - 0.5) * 1.4 + (noise(seed ^ 0x5bd1e995, x * 3.1) - 0.5) * 0.6;
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
const r0 = (x: number): number => Math.round(x);
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
/** Degrees in [0, 360), integers. */
const deg = (x: number): number => {
  const d = Math.round(((x % 360) + 360) % 360);
  return d === 360 ? 0 : d;
};

// ---------------------------------------------------------------- shared regional weather

const SEED_STORM_A = hashString('storm/a');
const SEED_STORM_B = hashString('storm/b');
const SEED_STORM_C = hashString('storm/c');
const SEED_DIR = hashString('wind/direction');
const SEED_PRESSURE = hashString('pressure');
const SEED_CLOUD = hashString('cloud');
const SEED_RAIN = hashString('rain');
const SEED_TEMP = hashString('temperature');
const SEED_HUM = hashString('humidity');

/** Day of year (0 = 1 January, fractional); leap years drift at most a day, which is fine. */
function dayOfYear(t: number): number {
  const d = (t / DAY) % YEAR_DAYS;
  return d < 0 ? d + YEAR_DAYS : d;
}

/**
 * Storminess in [0, 1]: the slow synoptic signal (depressions every 3-5 days, calmer spells of a
 * week or two) that drives wind, waves, pressure and showers together. Stormier in winter.
 */
function storminess(t: number): number {
  const days = t / DAY;
  const winter = 0.5 + 0.5 * Math.cos((TWO_PI * (dayOfYear(t) - 15)) / YEAR_DAYS); // 1 mid-January
  const s = 0.5 * noise(SEED_STORM_A, days / 3.8) + 0.3 * noise(SEED_STORM_B, days / 1.4) + 0.2 * noise(SEED_STORM_C, days / 11);
  return clamp((s - 0.5) * 2.2 + 0.32 + 0.22 * winter, 0, 1);
}

function hourOfDay(t: number): number {
  const ms = t % DAY;
  return (ms < 0 ? ms + DAY : ms) / HOUR;
}

/** Sine of the sun's elevation at the Belgian coast. */
function sunSine(t: number): number {
  const decl = ((-23.44 * Math.PI) / 180) * Math.cos((TWO_PI * (dayOfYear(t) + 10)) / 365.25);
  const solarHour = hourOfDay(t) + LON_DEG / 15;
  const hourAngle = ((solarHour - 12) * 15 * Math.PI) / 180;
  return Math.sin(LAT_RAD) * Math.sin(decl) + Math.cos(LAT_RAD) * Math.cos(decl) * Math.cos(hourAngle);
}

function airTemperature(t: number, loc: number): number {
  const doy = dayOfYear(t);
  const annual = 10.5 - 7.5 * Math.cos((TWO_PI * (doy - 36)) / YEAR_DAYS); // coldest early Feb, warmest early Aug
  const dailyAmp = 1.2 + 0.8 * Math.sin((TWO_PI * (doy - 80)) / YEAR_DAYS);
  const daily = dailyAmp * Math.cos((TWO_PI * (hourOfDay(t) - 14)) / 24); // warmest mid-afternoon
  const synoptic = 2 * wobble(SEED_TEMP, t / DAY / 4);
  return annual + daily + synoptic + (loc - 0.5) * 0.6;
}

function humidity(t: number): number {
  const daily = Math.cos((TWO_PI * (hourOfDay(t) - 14)) / 24); // driest when warmest
  return clamp(83 - 7 * daily + 9 * wobble(SEED_HUM, t / DAY / 2.5) + 6 * (storminess(t) - 0.4), 60, 98);
}

// ---------------------------------------------------------------- per-parameter generators

type Generator = (t: number) => number;

function locationTraits(locationId: string) {
  const h = hashString(`loc/${locationId}`);
  return {
    /** [0, 1): fixed per location. */
    u: hash01(h, 1),
    /** Offshore exposure factor for wind and waves, 0.85-1.15. */
    exposure: 0.85 + 0.3 * hash01(h, 2),
    /** The weather reaches locations a few hours apart (0-3 h). */
    lagMs: hash01(h, 3) * 3 * HOUR,
    /** Tide phase shift, -40..+40 min (the tide runs along the coast). */
    tideShiftMs: (hash01(h, 4) - 0.5) * 80 * MINUTE,
    seed: h,
  };
}

function windSpeed(t: number, L: ReturnType<typeof locationTraits>): number {
  const tl = t - L.lagMs;
  const s = storminess(tl);
  const daily = 0.6 * Math.cos((TWO_PI * (hourOfDay(t) - 15)) / 24);
  const gusty = 0.9 * wobble(L.seed ^ 0x1234, t / HOUR / 2);
  return clamp((2.2 + 14 * s) * L.exposure + daily + gusty, 2, 18);
}

function waveHeight(t: number, L: ReturnType<typeof locationTraits>): number {
  // Waves build and decay over hours: average the storminess of the last ~6 h.
  const tl = t - L.lagMs;
  const s = (storminess(tl - 2 * HOUR) + storminess(tl - 4 * HOUR) + storminess(tl - 6 * HOUR)) / 3;
  const h = 30 + 220 * Math.pow(s, 1.4) * (0.75 + 0.25 * L.exposure) + 6 * wobble(L.seed ^ 0x77, t / HOUR);
  return clamp(h, 30, 250);
}

function tideAngle(t: number, L: ReturnType<typeof locationTraits>): number {
  return (TWO_PI * (t + L.tideShiftMs)) / M2_MS;
}

function tideLevel(t: number, L: ReturnType<typeof locationTraits>): number {
  const tt = t + L.tideShiftMs;
  const m2 = 180 * Math.cos((TWO_PI * tt) / M2_MS);
  const s2 = 36 * Math.cos((TWO_PI * tt) / S2_MS - 0.6); // beats with M2: spring/neap every 14.77 days
  const m4 = 12 * Math.cos((2 * TWO_PI * tt) / M2_MS + 1.1); // shallow-water overtide: asymmetric tide
  const surge = 35 * (storminess(t) - 0.35);
  return 250 + m2 + s2 + m4 + surge;
}

function springFactor(t: number, L: ReturnType<typeof locationTraits>): number {
  const tt = t + L.tideShiftMs;
  // 1 at spring tide, 0 at neap: the phase difference between M2 and S2.
  return 0.5 + 0.5 * Math.cos(TWO_PI * tt * (1 / S2_MS - 1 / M2_MS) - 0.6);
}

function makeGenerator(parameterCode: string, locationId: string): Generator {
  const L = locationTraits(locationId);
  const seed = hashString(`${locationId}${parameterCode}`);
  switch (parameterCode) {
    case 'WS5': // tide, cm TAW
      return (t) => r0(tideLevel(t, L));
    case 'SV3': // current speed, m/s: strongest mid-flood and mid-ebb, stronger at spring tide
      return (t) =>
        r2(clamp(Math.abs(Math.sin(tideAngle(t, L))) * (0.85 + 0.55 * springFactor(t, L)) + 0.05 * wobble(seed, t / HOUR), 0, 1.5));
    case 'SR3': // current direction, deg: flood to the north-east while the tide rises, ebb to the south-west
      return (t) => deg((Math.sin(tideAngle(t, L)) < 0 ? 65 : 245) + 12 * wobble(seed, t / HOUR));
    case 'GHA':
      return (t) => r0(waveHeight(t, L));
    case 'GH1': // 10% highest waves
      return (t) => r0(waveHeight(t, L) * 1.27);
    case 'H01': // 1% wave height
      return (t) => r0(waveHeight(t, L) * 1.67);
    case 'HLF': // swell (period > 10 s): a few cm, more after storms
      return (t) => r0(clamp(2 + 0.06 * waveHeight(t - 12 * HOUR, L) + 4 * wobble(seed, t / HOUR / 6), 0, 40));
    case 'GTZ': // average wave period, s
      return (t) => r2(clamp(3 + 4 * Math.pow((waveHeight(t, L) - 30) / 220, 0.8) + 0.2 * wobble(seed, t / HOUR), 3, 7));
    case 'WVC':
      return (t) => r2(windSpeed(t, L));
    case 'WVS': // at sensor height (above 10 m): a little stronger
      return (t) => r2(windSpeed(t, L) * 1.08);
    case 'WC3':
      return (t) => r2(windSpeed(t, L) * (1.32 + 0.06 * wobble(seed, t / HOUR)));
    case 'WC1':
      return (t) => r2(windSpeed(t, L) * (1.42 + 0.06 * wobble(seed, t / HOUR)));
    case 'WG3':
      return (t) => r2(windSpeed(t, L) * 1.08 * (1.36 + 0.06 * wobble(seed, t / HOUR)));
    case 'WRS': // wind direction: mostly south-west, veering slowly as systems pass
      return (t) => {
        const days = (t - L.lagMs) / DAY;
        return deg(225 + 140 * Math.sin((TWO_PI * days) / 6.3) + 60 * wobble(SEED_DIR, days * 1.5) + 8 * wobble(seed, t / HOUR));
      };
    case 'TLU':
      return (t) => r1(airTemperature(t, L.u));
    case 'TGR': // ground: close to the air, warmer by day, colder at night
      return (t) => r1(airTemperature(t, L.u) - 0.4 + 1.2 * Math.max(sunSine(t), -0.3));
    case 'TNB': // wet bulb: below the air temperature, by more when the air is dry
      return (t) => r1(airTemperature(t, L.u) - ((100 - humidity(t)) / 100) * 6);
    case 'TZW': // sea water: smaller annual cycle, lagging the air by a few weeks (6-19 °C)
      return (t) =>
        r1(
          12.5 -
            6.5 * Math.cos((TWO_PI * (dayOfYear(t) - 50)) / YEAR_DAYS) +
            0.15 * Math.cos((TWO_PI * (hourOfDay(t) - 16)) / 24) +
            0.3 * (L.u - 0.5),
        );
    case 'HUM':
      return (t) => r0(humidity(t));
    case 'LDR': // air pressure, hPa: low when stormy
      return (t) =>
        r1(
          clamp(
            1016 -
              34 * (storminess(t - L.lagMs) - 0.35) +
              8 * wobble(SEED_PRESSURE, t / DAY / 5) +
              0.6 * Math.cos((TWO_PI * hourOfDay(t)) / 12),
            985,
            1035,
          ),
        );
    case 'NSI': // precipitation per interval, mm: mostly dry, short showers when unsettled
      return (t) => {
        const n = noise(SEED_RAIN, t / HOUR / 1.5) * 0.7 + noise(SEED_RAIN ^ 0x9e37, t / HOUR / 0.4) * 0.3;
        const threshold = 0.8 - 0.18 * storminess(t);
        return n > threshold ? r1((n - threshold) * 8) : 0;
      };
    case 'ZON': // solar radiation, W/m²: zero at night, shaped by the sun's elevation and clouds
      return (t) => {
        const s = sunSine(t);
        if (s <= 0) return 0;
        const cloud = noise(SEED_CLOUD, t / HOUR / 3);
        return r0(1000 * Math.pow(s, 1.2) * (1 - 0.7 * cloud));
      };
    default: // an unknown parameter: smooth and bounded (0-100)
      return (t) => r2(50 + 35 * wobble(seed, t / HOUR / 6));
  }
}

const generators = new Map<string, Generator>();

/** The value function of one series; cached, so the hot loop of getData hashes nothing. */
export function meetnetSeries(parameterCode: string, locationId: string): Generator {
  const key = `${locationId}\u0000${parameterCode}`;
  let g = generators.get(key);
  if (!g) {
    g = makeGenerator(parameterCode, locationId);
    if (generators.size > 10_000) generators.clear();
    generators.set(key, g);
  }
  return g;
}

/** The measured value of a parameter at a location and instant (deterministic). */
export function meetnetValue(parameterCode: string, locationId: string, timeMs: number): number {
  return meetnetSeries(parameterCode, locationId)(timeMs);
}

// ---------------------------------------------------------------- gaps

const GAP_SLOT_MS = 10 * MINUTE;
/** Slots per cluster; each cluster holds at most one run of missing slots. */
const GAP_CLUSTER = 12;
/** Runs are 1-5 slots long (mean 3): shorter than the holes of the recorded getData, 1 to 33 slots (§6.2, §8.6). */
const GAP_MEAN_RUN = 3;

/**
 * Whether a series has no sample at an instant. Deterministic; missing samples come in runs of
 * 10-50 minutes, and the long-run fraction of missing 10-minute slots is `gapRate`.
 */
export function isGap(seriesId: string, timeMs: number, gapRate: number): boolean {
  if (!(gapRate > 0)) return false;
  if (gapRate >= 1) return true;
  const seed = hashString(seriesId);
  const slot = Math.floor(timeMs / GAP_SLOT_MS);
  const p = (gapRate * GAP_CLUSTER) / GAP_MEAN_RUN; // chance that a cluster holds a run
  if (p >= 1) return hash01(seed ^ 0x3c6ef372, slot) < gapRate; // too dense for runs: independent slots
  const cluster = Math.floor(slot / GAP_CLUSTER);
  if (hash01(seed, cluster) >= p) return false;
  const h = hash2(seed ^ 0x68e31da4, cluster);
  const run = 1 + (h % 5);
  const start = (h >>> 8) % (GAP_CLUSTER - run + 1);
  const offset = slot - cluster * GAP_CLUSTER;
  return offset >= start && offset < start + run;
}
