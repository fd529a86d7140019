// v1_1 postMeterData, postPrognosis, postPriceData and postWeatherData: units, horizons, the assets
// addressed, resolutions, signs, and the beliefs stored.
import { formatDurationIsodate } from '../../../shared/durations.js';
import { parseEntityAddress } from '../entity-address.js';
import { savedAnswer } from './http.js';
import { AUTHORITY, type SimSensor } from './portfolio.js';
import type { FmState } from './state.js';
import { MAX_EVENTS, type NewBelief } from './store.js';
import { duration } from './time.js';
import { assetGroups, period, rejected, type V1Answer } from './v1-message.js';

const REPLACEMENT_V1 =
  'Some of the data represents a replacement, which is reserved for servers in play mode. Enable play mode or update the prior in your request.';

export function v1Post(state: FmState, route: string, msg: Record<string, unknown>): V1Answer {
  // Units first (§3.2 step 4).
  const unit = msg.unit;
  if (route === 'postMeterData' || route === 'postPrognosis') {
    if (unit !== 'MW') return rejected('INVALID_UNIT', 'Data for power should be given in MW.');
  } else if (route === 'postPriceData') {
    if (unit !== 'EUR/MWh' && unit !== 'KRW/kWh') return rejected('INVALID_UNIT', 'Data for price should be given in EUR/MWh or KRW/kWh.');
  } else if (typeof unit !== 'string' || unit === '') {
    return rejected('INVALID_UNIT', 'Data should be given a unit.');
  }
  const singular = route === 'postPriceData' ? 'market' : route === 'postWeatherData' ? 'sensor' : 'connection';
  const groups = assetGroups(msg, singular);
  if (!groups) return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
  for (const g of groups) {
    if (!Array.isArray(g.values) || g.values.length === 0) return rejected('PTUS_INCOMPLETE', 'Missing values.');
    if (g.values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      return rejected('PTUS_INCOMPLETE', 'Missing values. Request includes empty or ill-formatted value(s).');
    }
  }
  // Horizon (§3.7, §3.8, §3.12): `R/…` is rolling, a plain one is anchored to the period end.
  let horizon = 0;
  let rolling = true;
  if (msg.horizon !== undefined) {
    const text = String(msg.horizon);
    const h = duration(text);
    if (h === null) return rejected('INVALID_HORIZON', 'The horizon field in your request could not be parsed.');
    horizon = h;
    rolling = text.trim().toUpperCase().startsWith('R');
    if (route === 'postMeterData' && h > 0) {
      return rejected(
        'INVALID_HORIZON',
        'The horizon field in your request could not be parsed. Meter data must have a zero or negative horizon to indicate observations after the fact.',
      );
    }
  } else if (route === 'postPrognosis') {
    return rejected(
      'INVALID_HORIZON',
      "The horizon field in your request could not be parsed. Please specify the horizon field using an ISO 8601 duration (such as 'PT24H').",
    );
  }
  const p = period(msg);
  if ('status' in p) return rejected(p.status, p.message);

  // The assets (§3.9, §3.10); unknown addresses fail in the SensorField lookup: 422, raised (§3.11).
  const targets: SimSensor[][] = [];
  for (const g of groups) {
    const list: SimSensor[] = [];
    for (const ea of g.ids) {
      let parsed;
      try {
        parsed = parseEntityAddress(ea);
      } catch (err) {
        return { status: 422, raised: true, body: { message: [(err as Error).message], result: 'Rejected', status: 'INVALID_DOMAIN' } };
      }
      let s: SimSensor | undefined;
      if (singular === 'connection' && parsed.kind === 'connection') s = state.sensorById.get(parsed.sensorId ?? -1);
      if (singular === 'market' && parsed.kind === 'market') {
        // No sensor of that name at all fails the earlier resolution check (422 INVALID_DOMAIN, below);
        // a sensor that is not a market is UNRECOGNIZED_MARKET (§3.9).
        const named = state.sensors.filter((x) => x.name === parsed.market);
        const markets = named.filter((x) => x.kind === 'price');
        if (named.length > 0 && markets.length === 0)
          return rejected('UNRECOGNIZED_MARKET', `The requested market named ${parsed.market} is not known.`);
        s = markets[0];
      }
      if (singular === 'sensor' && parsed.kind === 'weather') {
        const type = parsed.weatherType!;
        const allowed: Record<string, string[]> = { temperature: ['°C', '0C'], irradiance: ['kW/m²', 'kW/m2'], 'wind speed': ['m/s'] };
        if (!allowed[type]) {
          return { status: 500, raised: true, body: { message: `Unknown weather sensor type ${type}`, status: 500 } };
        }
        if (!allowed[type]!.includes(unit as string))
          return rejected('INVALID_UNIT', `Data for ${type} should be given in ${allowed[type]![0]}.`);
        const ofType = state.sensors.filter((x) => x.weatherType === type);
        s = ofType.find((x) => {
          const a = state.assetById.get(x.assetId)!;
          return a.latitude === parsed.latitude && a.longitude === parsed.longitude;
        });
        if (!s) {
          const near = ofType.map((x) => state.assetById.get(x.assetId)!)[0];
          return rejected(
            'UNRECOGNIZED_SENSOR',
            near
              ? `No sensor is known at this location. The nearest sensor is at latitude ${near.latitude} and longitude ${near.longitude}`
              : "No sensor is known at this location. In fact, we can't find any sensors.",
          );
        }
      }
      if (!s || (singular === 'connection' && s.unit !== 'MW')) {
        return {
          status: 422,
          raised: true,
          body: { message: [`${singular} with entity address ${ea} doesn't exist.`], result: 'Rejected', status: 'INVALID_DOMAIN' },
        };
      }
      list.push(s);
    }
    targets.push(list);
  }
  const all = targets.flat();
  // All sensors must share a resolution (§3.7).
  const other = all.find((s) => s.resolutionMs !== all[0]!.resolutionMs);
  if (other) {
    return rejected(
      'INVALID_RESOLUTION',
      `Requested assets do not have matching resolutions. Cannot send data for both ${all[0]!.name} and ${other.name}.`,
    );
  }
  const required = all[0]!.resolutionMs;
  // Inferred from the FIRST group; a whole multiple is upsampled, anything else refused (§3.12).
  const inferred = p.duration / (groups[0]!.values as number[]).length;
  if (!Number.isInteger(inferred) || inferred % required !== 0) {
    return rejected('INVALID_RESOLUTION', `Only the following resolutions in the data are supported: ${formatDurationIsodate(required)}`);
  }
  if (route === 'postPriceData') {
    const s = all[0]!;
    if (unit !== s.unit) return rejected('INVALID_UNIT', `Data for ${s.name.replace(/_/g, ' ')} prices should be given in ${s.unit}.`);
  }
  if (route === 'postPrognosis' && state.bugs) {
    // post_prognosis_response() is called without `rolling` in v0.4–v0.13 (§3.8).
    return {
      status: 500,
      raised: true,
      body: { message: "post_prognosis_response() missing 1 required positional argument: 'rolling'", status: 500 },
    };
  }
  if ((p.duration / required) * all.length > MAX_EVENTS) {
    return rejected(
      'INVALID_PERIOD',
      "A time period in your request doesn't seem right. (The simulator stores at most 1000000 events per request.)",
    );
  }
  const items: NewBelief[] = [];
  const end = p.start + p.duration;
  for (let gi = 0; gi < groups.length; gi++) {
    const values = groups[gi]!.values as number[];
    const k = Math.max(1, Math.round(inferred / required));
    for (const s of targets[gi]!) {
      for (let i = 0; i < values.length; i++) {
        let v = values[i]!;
        if (s.kind === 'ev' || s.kind === 'solar') {
          // USEF sign in, database sign stored; pure consumers/producers are checked (§3.7).
          const ea = `${AUTHORITY}:fm1.${s.id}`;
          if (s.strictly === 'non-positive' && v < 0) {
            return rejected(
              'POWER_VALUE_TOO_SMALL',
              `One or more power values are too small. Connection ${ea} is registered as a pure consumer and can only receive non-negative values.`,
            );
          }
          if (s.strictly === 'non-negative' && v > 0) {
            return rejected(
              'POWER_VALUE_TOO_BIG',
              `One or more power values are too big. Connection ${ea} is registered as a pure producer and can only receive non-positive values.`,
            );
          }
          v = -v || 0;
        }
        for (let r = 0; r < k; r++) {
          const t = p.start + (i * k + r) * required;
          // Plain horizons are anchored to the end of the whole period (§3.12).
          const h = rolling ? horizon : horizon - (end - (t + required));
          items.push({ sensor: s, t, horizonMs: h, value: v });
        }
      }
    }
  }
  return savedAnswer(state.store.save(items), REPLACEMENT_V1);
}
