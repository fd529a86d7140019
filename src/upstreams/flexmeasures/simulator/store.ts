// The beliefs the simulator serves: generated ones (measurements and forecasts from data.ts) and the
// ones clients wrote, which of them a read sees, and what a write may add.
import { isGap, simPrognosis, simValue } from './data.js';
import type { SimSensor } from './portfolio.js';
import { DAY, HOUR } from './time.js';

/** Generated forecasts are made this long ahead of each event. */
const FORECAST_HORIZON_MS = 36 * HOUR;
/** Day-ahead prices are published this long before each hour. */
const PRICE_HORIZON_MS = 12 * HOUR;
/** Guards of the simulator itself (it runs inside test processes): most events one request may touch. */
export const MAX_EVENTS = 1_000_000;

export interface Belief {
  horizonMs: number;
  value: number;
}

/** One belief to write: a sensor's event at `t` (ms), database sign. */
export interface NewBelief {
  sensor: SimSensor;
  t: number;
  horizonMs: number;
  value: number;
}

/** What a write did: stored, nothing new (ALREADY_RECEIVED), or refused as a replacement. */
export type SaveOutcome = 'PROCESSED' | 'ALREADY' | 'REPLACEMENT';

export class BeliefStore {
  /** Written beliefs: sensor id → event start (ms) → beliefs. */
  readonly beliefs = new Map<number, Map<number, Belief[]>>();

  constructor(private readonly gapRate: number) {}

  private stored(sensorId: number): Map<number, Belief[]> {
    let m = this.beliefs.get(sensorId);
    if (!m) {
      m = new Map();
      this.beliefs.set(sensorId, m);
    }
    return m;
  }

  /** Generated beliefs of one event, database sign: the measurement (horizon 0) and a forecast. */
  private generated(s: SimSensor, t: number, now: number): Belief[] {
    const out: Belief[] = [];
    if (s.kind === 'price') {
      // Day-ahead: today's prices are known, tomorrow's from noon local time (taken as UTC+1).
      const local = now + HOUR;
      const dayStart = Math.floor(local / DAY) * DAY;
      const published = dayStart + (local - dayStart >= 12 * HOUR ? 2 * DAY : DAY) - HOUR;
      if (t < published) out.push({ horizonMs: PRICE_HORIZON_MS, value: simValue(s.spec, t) });
      return out;
    }
    if (t + s.resolutionMs <= now && !isGap(s.id, t, this.gapRate)) out.push({ horizonMs: 0, value: simValue(s.spec, t) });
    // Forecasts exist for the past and up to two days ahead.
    if (t < now + 2 * DAY) out.push({ horizonMs: FORECAST_HORIZON_MS, value: simPrognosis(s.spec, t, s.resolutionMs) });
    return out;
  }

  /**
   * The value of one event at the sensor's resolution, or null. `minHorizon`/`maxHorizon` filter
   * beliefs (prognoses: at least H before; meter data: at most 0); the most recent one wins.
   */
  valueAt(s: SimSensor, t: number, now: number, minHorizon: number | null, maxHorizon: number | null): number | null {
    const candidates = [...this.generated(s, t, now), ...(this.beliefs.get(s.id)?.get(t) ?? [])];
    let best: Belief | null = null;
    for (const b of candidates) {
      if (minHorizon !== null && b.horizonMs < minHorizon) continue;
      if (maxHorizon !== null && b.horizonMs > maxHorizon) continue;
      // Smallest horizon = most recent belief; a stored belief beats a generated one of equal horizon.
      if (best === null || b.horizonMs <= best.horizonMs) best = b;
    }
    return best === null ? null : best.value;
  }

  /**
   * Stores beliefs. All identical to what is there → ALREADY_RECEIVED; any changed value →
   * INVALID_REPLACEMENT, nothing stored; otherwise PROCESSED (§3.7, §4.5).
   */
  save(items: NewBelief[]): SaveOutcome {
    const fresh: typeof items = [];
    for (const it of items) {
      const list = this.beliefs.get(it.sensor.id)?.get(it.t) ?? [];
      const same = list.find((b) => b.horizonMs === it.horizonMs);
      if (same) {
        if (same.value !== it.value) return 'REPLACEMENT';
        continue;
      }
      // Only changed beliefs are saved: equal to the most recent one means already received.
      const latest = list.reduce<Belief | null>((a, b) => (a === null || b.horizonMs < a.horizonMs ? b : a), null);
      if (latest && latest.value === it.value) continue;
      fresh.push(it);
    }
    if (fresh.length === 0) return 'ALREADY';
    for (const it of fresh) {
      const byTime = this.stored(it.sensor.id);
      byTime.set(it.t, [...(byTime.get(it.t) ?? []), { horizonMs: it.horizonMs, value: it.value }]);
    }
    return 'PROCESSED';
  }
}
