// Validation of a FlexMeasures write before anything is sent (contract: CONTRACT.md
// §3.7–3.12, §4.5). Pure functions: what the upstream would reject is rejected here, with a message that
// says what to change.
import { formatDurationFM } from '../../shared/durations.js';

/** A write the upstream would reject. `field` names the input to change. */
export class WriteValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'WriteValidationError';
    this.field = field;
  }
}

export type FmGeneration = 'v3_0' | 'v1_1';

export interface WriteInput {
  /** The sensor's quantity (see mapping.quantityOf). */
  quantity: string;
  unit: string;
  generation: FmGeneration;
  startMs: number;
  values: Array<number | null>;
  /** Resolution of the given values, if the caller states it. */
  resolutionMs?: number | null;
  /** Period the values cover, if the caller states it. */
  durationMs?: number | null;
  /** The sensor's event resolution (0 = instantaneous). */
  sensorResolutionMs: number;
  /** The sensor's own unit, when known: v3_0 always takes it (it converts only between units, §4.5). */
  sensorUnit?: string | null;
}

export interface PreparedWrite {
  /** ISO 8601 with `Z`, e.g. `2015-01-01T00:00:00Z`. */
  start: string;
  /** FlexMeasures' own format, e.g. `PT24H`, `PT1H30M`. */
  duration: string;
  /** At the sensor's resolution (upsampled by repetition when needed). */
  values: Array<number | null>;
  unit: string;
  /** How many times each given value was repeated (1 = as given). */
  upsampledBy: number;
}

const MINUTE = 60_000;
/** Most events one write may send after upsampling: FlexMeasures refuses bodies over 3.1 MiB (§4.5). */
export const MAX_WRITE_EVENTS = 200_000;

// Accepted units per quantity (§3.2 units(...), §3.9, §3.10 valid_sensor_units; v3_0 accepts convertible units, §4.5).
const UNITS: Record<FmGeneration, Record<string, readonly string[] | null>> = {
  v1_1: {
    power: ['MW'],
    price: ['EUR/MWh', 'KRW/kWh'],
    temperature: ['°C', '0C'],
    irradiance: ['kW/m²', 'kW/m2'],
    'wind speed': ['m/s'],
  },
  v3_0: {
    power: ['MW', 'kW', 'W'],
    energy: ['MWh', 'kWh'],
    price: ['EUR/MWh', 'KRW/kWh', 'EUR/kWh'],
    temperature: ['°C', '0C'],
    irradiance: ['kW/m²', 'kW/m2'],
    'wind speed': ['m/s'],
    // Stock ↔ flow is converted by the server (the upstream's own test posts m³ to an m³/h sensor, §4.5).
    flow: ['m³/h', 'm³'],
    ratio: ['%'],
    // Unknown quantities: any unit; the server checks convertibility.
    other: null,
  },
};

function durationText(ms: number): string {
  try {
    return formatDurationFM(ms);
  } catch {
    return String(ms);
  }
}

/** `2015-01-01T00:00:00Z` (milliseconds only when there are any). */
export function formatInstantZ(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function checkUnit(quantity: string, unit: string, generation: FmGeneration, sensorUnit: string | null): void {
  if (unit.trim() === '') throw new WriteValidationError('unit', 'Data should be given a unit.');
  // v3_0 converts between convertible units, and a sensor's own unit always is one.
  if (generation === 'v3_0' && sensorUnit !== null && unit === sensorUnit) return;
  const table = UNITS[generation];
  if (!Object.hasOwn(table, quantity)) {
    const kinds = Object.keys(table).join(', ');
    throw new WriteValidationError(
      'quantity',
      `FlexMeasures ${generation} cannot receive ${quantity} data (it takes ${kinds}); use a server with API v3_0 or another sensor.`,
    );
  }
  const allowed = table[quantity];
  if (allowed && !allowed.includes(unit)) {
    throw new WriteValidationError(
      'unit',
      `Data for ${quantity} should be given in ${allowed.join(' or ')} on FlexMeasures ${generation} (got ${JSON.stringify(unit.slice(0, 40))}).`,
    );
  }
}

/**
 * Validates a write and puts it in the upstream's terms. The values' resolution comes from
 * duration / count, from the stated resolution, or else is the sensor's. Finer resolutions, and
 * ones that are not a whole multiple of the sensor's, are rejected (v1_1 never downsamples, §3.12;
 * v3_0 would, but one behaviour is kept across generations). A whole multiple is upsampled by
 * repetition, the way the upstream does it (§3.12).
 */
export function prepareWrite(input: WriteInput): PreparedWrite {
  const { quantity, unit, generation, startMs, values, sensorResolutionMs } = input;
  checkUnit(quantity, unit, generation, input.sensorUnit ?? null);

  if (!Number.isFinite(startMs)) throw new WriteValidationError('start', 'The start must be a valid instant.');
  if (!Array.isArray(values) || values.length === 0) {
    throw new WriteValidationError('values', 'Send at least one value (FlexMeasures answers PTUS_INCOMPLETE "Missing values." otherwise).');
  }
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      // v1_1: a null value is PTUS_INCOMPLETE (§3.11); v3_0 stores nothing for it.
      if (generation === 'v1_1') {
        throw new WriteValidationError(
          `values[${i}]`,
          `Value ${i} is null: FlexMeasures v1_1 rejects missing values (PTUS_INCOMPLETE); send a number or leave the interval out of the request.`,
        );
      }
      if (v === undefined) throw new WriteValidationError(`values[${i}]`, `Value ${i} is missing: send a number or null.`);
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new WriteValidationError(`values[${i}]`, `Value ${i} is not a finite number.`);
    }
  }
  if (!Number.isFinite(sensorResolutionMs) || sensorResolutionMs < 0) {
    throw new WriteValidationError('sensor', `The sensor's resolution (${sensorResolutionMs}) is not usable.`);
  }

  const resolutionGiven = input.resolutionMs !== undefined && input.resolutionMs !== null;
  const durationGiven = input.durationMs !== undefined && input.durationMs !== null;
  if (resolutionGiven && !(Number.isFinite(input.resolutionMs) && input.resolutionMs! > 0)) {
    throw new WriteValidationError('resolution', 'The resolution must be a positive duration.');
  }
  if (durationGiven && !(Number.isFinite(input.durationMs) && input.durationMs! >= 0)) {
    throw new WriteValidationError('duration', 'The duration must not be negative.');
  }

  // Instantaneous sensors (P0D): one value over a zero duration (§4.5); v1_1 cannot take them (§3.12: 500).
  if (sensorResolutionMs === 0) {
    if (generation === 'v1_1') {
      throw new WriteValidationError('sensor', 'FlexMeasures v1_1 cannot receive data for an instantaneous sensor; use API v3_0.');
    }
    if (n !== 1) {
      throw new WriteValidationError(
        'values',
        `An instantaneous sensor takes one value per request (got ${n}): send the values one by one, each with duration PT0H.`,
      );
    }
    if (durationGiven && input.durationMs !== 0) {
      throw new WriteValidationError('duration', 'An instantaneous sensor takes one value over a zero duration: send duration PT0H.');
    }
    return { start: formatInstantZ(startMs), duration: 'PT0H', values: [values[0]!], unit, upsampledBy: 1 };
  }

  let resolutionMs: number;
  let resolutionField: 'resolution' | 'duration';
  if (durationGiven) {
    const durationMs = input.durationMs!;
    if (durationMs % MINUTE !== 0) {
      throw new WriteValidationError('duration', `FlexMeasures only supports whole minutes: ${durationText(durationMs)} is not.`);
    }
    if (resolutionGiven) {
      resolutionMs = input.resolutionMs!;
      resolutionField = 'resolution';
      if (resolutionMs * n !== durationMs) {
        throw new WriteValidationError(
          'values',
          `${n} values at ${durationText(resolutionMs)} cover ${durationText(resolutionMs * n)}, not the duration ${durationText(durationMs)}: ` +
            `send ${Math.floor(durationMs / resolutionMs)} values or change the duration to ${durationText(resolutionMs * n)}.`,
        );
      }
    } else {
      // The inferred resolution is duration / number of values (§3.12, §4.5).
      resolutionMs = durationMs / n;
      resolutionField = 'duration';
      if (!Number.isInteger(resolutionMs) || resolutionMs <= 0) {
        throw new WriteValidationError(
          'duration',
          `${n} values do not divide the duration ${durationText(durationMs)} into equal steps: change the number of values or the duration.`,
        );
      }
    }
  } else if (resolutionGiven) {
    resolutionMs = input.resolutionMs!;
    resolutionField = 'resolution';
  } else {
    resolutionMs = sensorResolutionMs;
    resolutionField = 'resolution';
  }

  if (resolutionMs < sensorResolutionMs || resolutionMs % sensorResolutionMs !== 0) {
    const finer = resolutionMs < sensorResolutionMs;
    throw new WriteValidationError(
      resolutionField,
      `The values' resolution ${durationText(resolutionMs)} is ${finer ? 'finer than' : 'not a whole multiple of'} the sensor's resolution ` +
        `${durationText(sensorResolutionMs)}: send one value per ${durationText(sensorResolutionMs)} (or per a whole multiple of it)` +
        `${finer ? '; values are not downsampled' : ''}.`,
    );
  }

  const factor = resolutionMs / sensorResolutionMs;
  if (n * factor > MAX_WRITE_EVENTS) {
    throw new WriteValidationError(
      resolutionField,
      `${n} values at ${durationText(resolutionMs)} would be sent as ${n * factor} values at the sensor's ${durationText(sensorResolutionMs)}, ` +
        `more than the ${MAX_WRITE_EVENTS} one write may carry: split the write into shorter periods.`,
    );
  }
  let out: Array<number | null>;
  if (factor === 1) {
    out = values.slice();
  } else {
    // Upsampling by repetition, each value n times (§3.12).
    out = new Array<number | null>(n * factor);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      for (let r = 0; r < factor; r++) out[k++] = v;
    }
  }
  return {
    start: formatInstantZ(startMs),
    duration: formatDurationFM(resolutionMs * n),
    values: out,
    unit,
    upsampledBy: factor,
  };
}

/**
 * The `horizon` to send. Meter data: ≤ 0, default `PT0H` (§3.7); prognoses: required and > 0 (§3.8,
 * §4.5 "Prognoses must lie in the future"); prices and weather: as given, or undefined (server default).
 */
export function horizonFor(
  generation: FmGeneration,
  kind: 'meter' | 'prognosis' | 'price' | 'weather',
  horizonMs?: number | null,
): string | undefined {
  const given = horizonMs !== undefined && horizonMs !== null;
  if (given && !Number.isFinite(horizonMs)) throw new WriteValidationError('horizon', 'The horizon must be a finite duration.');
  if (given && horizonMs! % MINUTE !== 0) {
    throw new WriteValidationError('horizon', 'FlexMeasures only supports horizons in whole minutes.');
  }
  switch (kind) {
    case 'meter':
      if (!given) return 'PT0H';
      if (horizonMs! > 0) {
        throw new WriteValidationError(
          'horizon',
          `Meter data must have a zero or negative horizon (observations after the fact); got ${formatDurationFM(horizonMs!)}.`,
        );
      }
      return formatDurationFM(horizonMs!);
    case 'prognosis':
      if (!given || horizonMs! <= 0) {
        throw new WriteValidationError(
          'horizon',
          `Prognoses must lie in the future: give a positive horizon such as PT6H${given ? ` (got ${formatDurationFM(horizonMs!)})` : ''}` +
            `${generation === 'v1_1' ? ' (v1_1)' : ''}.`,
        );
      }
      return formatDurationFM(horizonMs!);
    case 'price':
    case 'weather':
      return given ? formatDurationFM(horizonMs!) : undefined;
  }
}
