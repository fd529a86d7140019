// v1_1 getMeterData and getPrognosis: connections resolved, beliefs filtered by horizon, values in
// the USEF sign, identical series merged.
import { formatDurationIsodate } from '../../../shared/durations.js';
import { parseEntityAddress } from '../entity-address.js';
import { PROCESSED } from './http.js';
import type { SimSensor } from './portfolio.js';
import type { FmState } from './state.js';
import { MAX_EVENTS } from './store.js';
import { duration, isoInOffset } from './time.js';
import { round6 } from './units.js';
import { assetGroups, period, rejected, type V1Answer } from './v1-message.js';

const INVALID_DOMAIN_V1 =
  "Connections, sensors and markets should be identified using the EA1 addressing scheme recommended by USEF. For example: 'ea1.2018-06.io.flexmeasures:<owner_id>:<asset_id>' 'ea1.2018-06.io.flexmeasures:temperature:<latitude>:<longitude>' 'ea1.2018-06.io.flexmeasures:<market_name>' 'ea1.2018-06.io.flexmeasures:<owner_id>:<asset_id>:<event_id>:<event_type>'";

/** Resolves connection addresses to power sensors; every style names sensor <trailing id> (§2.7). */
function connectionSensors(
  state: FmState,
  ids: string[],
): { sensors: SimSensor[] } | { error: 'domain' | 'unknown'; ea: string; message?: string } {
  const out: SimSensor[] = [];
  for (const ea of ids) {
    let parsed;
    try {
      parsed = parseEntityAddress(ea);
    } catch (err) {
      return { error: 'domain', ea, message: (err as Error).message };
    }
    const s = parsed.kind === 'connection' && parsed.sensorId !== null ? state.sensorById.get(parsed.sensorId) : undefined;
    if (!s || s.unit !== 'MW') return { error: 'unknown', ea };
    out.push(s);
  }
  return { sensors: out };
}

export function v1Get(state: FmState, route: string, msg: Record<string, unknown>, now: number): V1Answer {
  if (msg.unit !== 'MW') return rejected('INVALID_UNIT', 'Data for power should be given in MW.');
  const groups = assetGroups(msg, 'connection');
  if (!groups) return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
  const resolved = connectionSensors(
    state,
    groups.flatMap((g) => g.ids),
  );
  if ('error' in resolved) {
    // With `resolution`, a schema field looks the sensors up and raises 422 INVALID_DOMAIN (§3.11).
    if (msg.resolution !== undefined) {
      const message = resolved.error === 'domain' ? resolved.message! : `connection with entity address ${resolved.ea} doesn't exist.`;
      return { status: 422, raised: true, body: { message: [message], result: 'Rejected', status: 'INVALID_DOMAIN' } };
    }
    if (resolved.error === 'domain') return rejected('INVALID_DOMAIN', `${INVALID_DOMAIN_V1} ${resolved.message}`);
    return rejected('UNRECOGNIZED_CONNECTION_GROUP', 'One or more connections in your request were not found in your account.');
  }
  let horizon: number | null = null;
  if (msg.horizon !== undefined) {
    horizon = duration(msg.horizon);
    if (horizon === null) return rejected('INVALID_HORIZON', 'The horizon field in your request could not be parsed.');
    if (route === 'getMeterData' && horizon > 0) {
      return rejected(
        'INVALID_HORIZON',
        'The horizon field in your request could not be parsed. Meter data must have a zero or negative horizon to indicate observations after the fact.',
      );
    }
  }
  const p = period(msg);
  if ('status' in p) return rejected(p.status, p.message);
  const sensorRes = resolved.sensors[0]!.resolutionMs;
  let resolution = sensorRes;
  if (msg.resolution !== undefined) {
    const r = duration(msg.resolution);
    if (r === null)
      return rejected(
        'INVALID_RESOLUTION',
        `The resolution string cannot be parsed as ISO8601 duration: ${String(msg.resolution).slice(0, 40)}`,
      );
    if (r <= 0 || r % sensorRes !== 0) {
      return rejected(
        'INVALID_RESOLUTION',
        `Only the following resolutions in the data are supported: ${formatDurationIsodate(sensorRes)} or a multiple hereof.`,
      );
    }
    resolution = r;
  }
  // getMeterData: beliefs within (horizon, 0]; getPrognosis: at least `horizon` ahead (§3.12).
  const minH = route === 'getPrognosis' ? (horizon ?? 1) : horizon;
  const maxH = route === 'getMeterData' ? 0 : null;
  const n = Math.ceil(p.duration / resolution);
  if ((n * resolution * resolved.sensors.length) / sensorRes > MAX_EVENTS) {
    return rejected(
      'INVALID_PERIOD',
      "A time period in your request doesn't seem right. (The simulator reads at most 1000000 events per request.)",
    );
  }
  const series = new Map<string, number[]>();
  const unique = [...new Map(resolved.sensors.map((s) => [s.id, s])).values()].sort((a, b) => a.id - b.id);
  for (const s of unique) {
    const out: number[] = [];
    const per = resolution / s.resolutionMs;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let count = 0;
      for (let j = 0; j < per; j++) {
        const v = state.store.valueAt(s, p.start + i * resolution + j * s.resolutionMs, now, minH, maxH);
        if (v !== null) {
          sum += v;
          count++;
        }
      }
      // Missing events are left out, not filled (§3.5 quirk 3); the sign flips to USEF (quirk 4).
      if (count > 0) out.push(round6(-(sum / count)) || 0);
    }
    series.set(s.name, out);
  }
  // Identical value lists merge; a lone name comes under the plural key as a string (§3.5 quirk 2).
  const merged: Array<{ names: string[]; values: number[] }> = [];
  for (const [name, values] of series) {
    const same = merged.find((m) => m.values.length === values.length && m.values.every((v, i) => v === values[i]));
    if (same) same.names.push(name);
    else merged.push({ names: [name], values });
  }
  const key = (names: string[]) => ({ connections: names.length === 1 ? names[0]! : names });
  const head = { start: isoInOffset(p.start, msg.start), duration: formatDurationIsodate(p.duration), unit: 'MW', ...PROCESSED };
  if (merged.length === 1) return { status: 200, body: { ...key(merged[0]!.names), values: merged[0]!.values, ...head } };
  return { status: 200, body: { groups: merged.map((m) => ({ ...key(m.names), values: m.values })), ...head } };
}
