// v3_0 sensor data: GET and POST /sensors/<id>/data, their validation, resampling and unit conversion.
import type { SimRequest } from '../../../simulators/index.js';
import { formatDurationFM } from '../../../shared/durations.js';
import { PROCESSED, savedAnswer, unprocessable } from './http.js';
import type { SimSensor } from './portfolio.js';
import type { FmState } from './state.js';
import { MAX_EVENTS } from './store.js';
import { duration, isoInOffset, MINUTE, parseAware, pyTimedelta } from './time.js';
import { round6, unitFactor } from './units.js';

const REPLACEMENT_V3 =
  'Some of the data represents a replacement: existing values would be changed for the same sensor, source, event timestamp and belief time. This is reserved for customized servers. If you are hosting FlexMeasures, you can enable replacements by setting FLEXMEASURES_ALLOW_DATA_OVERWRITE=True in the configuration settings. Alternatively, submit the data with a different prior, or check whether the same file was already uploaded with different values.';

export function getSensorData(state: FmState, req: SimRequest, s: SimSensor): { status: number; body: unknown } {
  // Query string and/or JSON body, the JSON winning; `_` in keys becomes `-` (§4.4).
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query)) params[k.replace(/_/g, '-')] = Array.isArray(v) ? v[0] : v;
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) if (k !== 'id') params[k.replace(/_/g, '-')] = v;
  }
  const errors: Record<string, string[]> = {};
  const known = new Set(['start', 'duration', 'unit', 'resolution', 'horizon', 'prior', 'source', 'source-account', 'source-type', 'type']);
  for (const k of Object.keys(params)) if (!known.has(k)) errors[k] = ['Unknown field.'];
  const start = parseAware(params.start, true);
  if (params.start === undefined) errors.start = ['Missing data for required field.'];
  else if (start === 'naive') errors.start = ['Not a valid aware datetime.'];
  else if (start === null) errors.start = ['Not a valid datetime.'];
  const anchor = typeof start === 'number' ? start : undefined;
  const dur = duration(params.duration, anchor);
  if (params.duration === undefined) errors.duration = ['Missing data for required field.'];
  else if (dur === null || dur < 0) errors.duration = ['Unable to parse duration string.'];
  else if (dur % MINUTE !== 0) errors.duration = ['FlexMeasures only support multiples of 1 minute.'];
  if (typeof params.unit !== 'string') errors.unit = ['Missing data for required field.'];
  let resolution = s.resolutionMs;
  if (params.resolution !== undefined) {
    const r = duration(params.resolution);
    if (r === null || r <= 0) errors.resolution = ['Unable to parse duration string.'];
    else resolution = r;
  }
  let horizon: number | null = null;
  if (params.horizon !== undefined) {
    horizon = duration(params.horizon);
    if (horizon === null) errors.horizon = ['Unable to parse duration string.'];
  }
  const type = params.type;
  const types = ['GetSensorDataRequest', 'GetMeterDataRequest', 'GetPrognosisRequest', 'GetPriceDataRequest'];
  if (type !== undefined && !types.includes(String(type))) errors.type = [`Must be one of: ${types.join(', ')}.`];
  if (Object.keys(errors).length) return unprocessable('combined_sensor_data_description', errors);

  const factor = unitFactor(s.unit, params.unit as string);
  if (factor === null) {
    return unprocessable('combined_sensor_data_description', {
      _schema: [`Required unit for this sensor is ${s.unit}, got incompatible unit: ${String(params.unit)}`],
    });
  }
  const t0 = start as number;
  const end = t0 + (dur as number);
  const step = s.resolutionMs;
  // Every interval that starts in [start, start + duration).
  const n = Math.ceil((dur as number) / resolution);
  if (n * Math.max(1, resolution / step) > MAX_EVENTS) {
    return unprocessable('combined_sensor_data_description', { duration: ['Too many values requested.'] });
  }
  // GetMeterDataRequest → horizons ≤ 0; GetPrognosisRequest → ≥ the given horizon (§4.4).
  const minH = type === 'GetPrognosisRequest' ? (horizon ?? 1) : horizon;
  const maxH = type === 'GetMeterDataRequest' ? 0 : null;
  const eventAt = (t: number) => state.store.valueAt(s, t, req.at, minH, maxH);
  // Events exist only on the sensor's grid, and the answer's slots run from `start`: a start off the
  // grid matches no event and every value is null, at any resolution (real server, conformance suite).
  const onGrid = t0 % step === 0;
  const values: Array<number | null> = new Array(n);
  for (let i = 0; i < n; i++) {
    const slot = t0 + i * resolution;
    if (!onGrid) values[i] = null;
    else if (resolution < step) {
      // Upsampling reindexes the events onto the slots and fills forward at most ceil(step / resolution) − 1
      // slots: PT5M of a 15-minute sensor repeats each event 3 times, PT10M gives [e0, e0, null, e30, e30, null]
      // (pandas' ffill limit, real server 1.0.1).
      // Only the last event at or before the slot can be the one: it counts if it sits on a slot of
      // this window and lies at most `limit` slots back (computed, not walked: resolutions can be tiny).
      const limit = Math.ceil(step / resolution) - 1;
      const event = Math.floor(slot / step) * step;
      const onSlot = event >= t0 && (event - t0) % resolution === 0 && slot - event <= limit * resolution;
      const v = onSlot ? eventAt(event) : null;
      values[i] = v === null ? null : round6(v * factor);
    } else if (slot + resolution > end && resolution !== step) {
      // A resampled slot the window cuts short is null (PT100M at PT1H: [mean, null], real server).
      values[i] = null;
    } else {
      // Downsampling averages the events starting in the slot (§4.4: [91.3, 91.7] → 91.5), at any
      // width, a day's divisor or not (PT20M of 15 minutes: the events at :00 and :15, real server).
      let sum = 0;
      let count = 0;
      for (let e = Math.ceil(slot / step) * step; e < slot + resolution; e += step) {
        const v = eventAt(e);
        if (v !== null) {
          sum += v;
          count++;
        }
      }
      // The mean as pandas computes it, unrounded (the gateway's own MEAN buckets must match it).
      values[i] = count === 0 ? null : factor === 1 ? sum / count : round6((sum / count) * factor);
    }
  }
  return {
    status: 200,
    body: {
      values,
      start: isoInOffset(t0, params.start, 'isoformat'),
      duration: formatDurationFM(dur as number),
      unit: params.unit,
      resolution: formatDurationFM(resolution),
      ...PROCESSED,
    },
  };
}

export function postSensorData(state: FmState, req: SimRequest, s: SimSensor): { status: number; body: unknown } {
  const loc = 'combined_sensor_data_description';
  if (Array.isArray(req.body)) return unprocessable('json', { _schema: ['Invalid input type.'] });
  // A body that is not a JSON object (none, unparsable) is read as {} (real server 1.0.1, conformance suite).
  const body = (req.bodyKind === 'json' && req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const known = new Set(['values', 'start', 'duration', 'unit', 'horizon', 'prior', 'type', 'id']);
  for (const k of Object.keys(body)) if (!known.has(k)) errors[k] = ['Unknown field.'];
  const start = parseAware(body.start, true);
  if (body.start === undefined) errors.start = ['Missing data for required field.'];
  else if (start === 'naive') errors.start = ['Not a valid aware datetime.'];
  else if (start === null) errors.start = ['Not a valid datetime.'];
  const dur = duration(body.duration, typeof start === 'number' ? start : undefined);
  if (body.duration === undefined) errors.duration = ['Missing data for required field.'];
  else if (dur === null || dur < 0) errors.duration = ['Unable to parse duration string.'];
  else if (dur % MINUTE !== 0) errors.duration = ['FlexMeasures only support multiples of 1 minute.'];
  // A single number is accepted as a list of one (§4.5).
  const rawValues = typeof body.values === 'number' ? [body.values] : body.values;
  // The server checks `values` only once the description (start, duration, unit) is whole.
  const described = !errors.start && !errors.duration && typeof body.unit === 'string';
  if (!Array.isArray(rawValues)) {
    if (described) errors.values = ['Missing data for required field.'];
  } else if (rawValues.length === 0) errors.values = ['Shorter than minimum length 1.'];
  else if (rawValues.some((v) => v !== null && (typeof v !== 'number' || !Number.isFinite(v)))) errors.values = ['Not a valid number.'];
  if (typeof body.unit !== 'string') errors.unit = ['Missing data for required field.'];
  let horizon: number | null = null;
  if (body.horizon !== undefined) {
    horizon = duration(body.horizon);
    if (horizon === null) errors.horizon = ['Unable to parse duration string.'];
  }
  const types = ['PostSensorDataRequest', 'PostMeterDataRequest', 'PostPrognosisRequest', 'PostPriceDataRequest', 'PostWeatherDataRequest'];
  if (body.type !== undefined && !types.includes(String(body.type))) errors.type = [`Must be one of: ${types.join(', ')}.`];
  if (Object.keys(errors).length) return unprocessable(loc, errors);

  const values = rawValues as Array<number | null>;
  const factor = unitFactor(body.unit as string, s.unit);
  if (factor === null) {
    return unprocessable(loc, {
      _schema: [`Required unit for this sensor is ${s.unit}, got incompatible unit: ${String(body.unit)}`],
    });
  }
  const prior = body.prior !== undefined ? parseAware(body.prior, true) : null;
  // Without prior or horizon the belief time is the server's now (§4.5).
  const end = (start as number) + (dur as number);
  const beliefHorizon = typeof prior === 'number' ? end - prior : (horizon ?? end - req.at);
  if (body.type === 'PostMeterDataRequest' && beliefHorizon > 0)
    return unprocessable(loc, { _schema: ['Meter data must lie in the past.'] });
  if (body.type === 'PostPrognosisRequest' && beliefHorizon < 0)
    return unprocessable(loc, { _schema: ['Prognoses must lie in the future.'] });

  // Resolution: inferred = duration / count; up- or downsampled to the sensor's (§4.5).
  const inferred = (dur as number) / values.length;
  const required = s.resolutionMs;
  if (!Number.isInteger(inferred) || (inferred % required !== 0 && required % inferred !== 0)) {
    return unprocessable(loc, {
      _schema: [
        `Resolution of ${pyTimedelta(inferred)} is incompatible with the sensor's required resolution of ${pyTimedelta(required)}.`,
      ],
    });
  }
  if (inferred >= required && values.length * (inferred / required) > MAX_EVENTS) {
    return unprocessable(loc, {
      _schema: [`Upsampling ${values.length} values to ${pyTimedelta(required)} gives more than ${MAX_EVENTS} events.`],
    });
  }
  let events: Array<number | null>;
  if (inferred >= required) {
    const k = inferred / required;
    events = values.flatMap((v) => new Array<number | null>(k).fill(v));
  } else {
    const k = required / inferred;
    events = [];
    for (let i = 0; i < values.length; i += k) {
      const chunk = values.slice(i, i + k).filter((v): v is number => v !== null);
      events.push(chunk.length ? chunk.reduce((a, b) => a + b, 0) / chunk.length : null);
    }
  }
  // `start` is floored to the sensor resolution (§4.5).
  const floored = Math.floor((start as number) / required) * required;
  const items = events.flatMap((v, i) =>
    v === null ? [] : [{ sensor: s, t: floored + i * required, horizonMs: beliefHorizon, value: round6(v * factor) }],
  );
  return savedAnswer(state.store.save(items), REPLACEMENT_V3);
}
