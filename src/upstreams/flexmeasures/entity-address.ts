// USEF / FlexMeasures entity addresses (contract: CONTRACT.md §2.7). Pure functions.

/** Authority written into addresses the gateway makes up for v1_1 (the server never checks it, §2.7). */
export const V1_AUTHORITY = 'ea1.2021-01.io.flexmeasures.company';

export interface EntityAddress {
  /** The naming authority: `<YYYY-MM>.<reversed domain>`, e.g. `2021-01.io.flexmeasures.company` (never checked against the host). */
  authority: string;
  /** The scheme written in the address; null when none is written (fm0 without its optional prefix). */
  scheme: 'fm0' | 'fm1' | null;
  /** Connections: the sensor id (the trailing integer). */
  sensorId: number | null;
  /** fm0 connections `<owner>:<asset>`: the owner id (ignored by FlexMeasures). */
  ownerId: number | null;
  kind: 'connection' | 'market' | 'weather';
  market?: string;
  weatherType?: string;
  latitude?: number;
  longitude?: number;
}

const DATE = /^([0-9]{4})-(0[1-9]|1[012])$/;
const FM1 = /^fm1\.(\d+)$/;
const CONNECTION = /^(?:(\d+):)?(\d+)$/;
const MARKET = /^[A-Za-z]\w*$/;
const WEATHER = /^([\w\s]+):(-?\d+(?:\.\d+)?):(-?\d+(?:\.\d+)?)$/;

/** Kind guessed from the shape, for FlexMeasures' "Could not parse <kind> <ea>." message. */
function guessedKind(local: string): 'connection' | 'market' | 'weather_sensor' {
  const parts = local.split(':').length;
  if (parts === 3) return 'weather_sensor';
  if (parts === 1 && !/^\d/.test(local)) return 'market';
  return 'connection';
}

/**
 * Parses an EA1 address. Connections in every style resolve to the sensor id: `…:fm1.4`, `…:3:4`,
 * `…:fm0.3:4` and `…:4` all give sensor 4 (v1_1 ignores the scheme and the owner, §2.7). Also reads
 * markets (`…:epex_da`) and weather sensors (`…:wind speed:33.4843866:126`). Throws an Error with
 * FlexMeasures' own messages otherwise.
 */
export function parseEntityAddress(ea: string): EntityAddress {
  if (typeof ea !== 'string' || !ea.startsWith('ea1')) {
    throw new Error(`A valid type 1 USEF entity address starts with 'ea1', please review ${String(ea)}`);
  }
  if (ea.charAt(3) !== '.' || !DATE.test(ea.slice(4, 11))) {
    throw new Error("After 'ea1.', a date specification of the format ([0-9]{4})-(0[1-9]|1[012]) is expected.");
  }
  const colon = ea.indexOf(':', 11);
  const authority = colon < 0 ? ea.slice(4) : ea.slice(4, colon);
  const local = colon < 0 ? '' : ea.slice(colon + 1);
  // The authority is `<date>.<domain>`: something must follow the date.
  if (colon < 0 || local === '' || authority.length < 9 || authority.charAt(7) !== '.') {
    throw new Error(`Could not parse ${guessedKind(local)} ${ea}.`);
  }

  if (local.startsWith('fm1')) {
    const m = FM1.exec(local);
    if (!m) {
      throw new Error(`A valid type 1 FlexMeasures entity address starts with 'ea1.${authority}:fm1.', please review ${ea}`);
    }
    return { authority, scheme: 'fm1', sensorId: Number(m[1]), ownerId: null, kind: 'connection' };
  }

  const scheme = local.startsWith('fm0.') ? 'fm0' : null;
  const rest = scheme ? local.slice(4) : local;

  const conn = CONNECTION.exec(rest);
  if (conn) {
    return {
      authority,
      scheme,
      sensorId: Number(conn[2]),
      ownerId: conn[1] === undefined ? null : Number(conn[1]),
      kind: 'connection',
    };
  }
  if (MARKET.test(rest)) {
    return { authority, scheme, sensorId: null, ownerId: null, kind: 'market', market: rest };
  }
  const w = WEATHER.exec(rest);
  if (w) {
    return {
      authority,
      scheme,
      sensorId: null,
      ownerId: null,
      kind: 'weather',
      weatherType: w[1]!,
      latitude: Number(w[2]),
      longitude: Number(w[3]),
    };
  }
  throw new Error(`Could not parse ${guessedKind(rest)} ${ea}.`);
}

/** `ea1.<authority>:fm1.<sensorId>`; the authority may be given with or without its `ea1.` prefix. */
export function fm1Address(authority: string, sensorId: number): string {
  if (!Number.isInteger(sensorId) || sensorId < 0) throw new Error(`Not a sensor id: ${sensorId}`);
  const a = authority.startsWith('ea1.') ? authority.slice(4) : authority;
  return `ea1.${a}:fm1.${sensorId}`;
}
