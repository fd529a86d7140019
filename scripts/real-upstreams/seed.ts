// The data set of the real servers (issue 14), made through their own REST APIs: FlexMeasures
// assets and sensors at 5, 10, 15 minutes and hourly with four weeks of data up to now (prices a
// day further), a public market and weather station, and another account's asset; a BEMServer
// campaign with two sites, buildings, storeys, spaces, a zone and timeseries with Raw and Clean
// data over three weeks. Run by scripts/real-upstreams/start on fresh databases; prints a summary.
//
// Values are deterministic functions of time (no Math.random), so two runs give the same data.

import { writeFileSync } from 'node:fs';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`seed: ${name} is not set`);
  return v;
};

async function call(base: string, method: string, path: string, auth: string | null, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`seed: ${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** A smooth daily wave with a little deterministic wiggle, rounded to 3 decimals. */
function wave(t: number, mean: number, amplitude: number, peakHourUtc: number, seed: number): number {
  const day = Math.cos(((t / HOUR - peakHourUtc) / 24) * 2 * Math.PI);
  const wiggle = Math.sin(t / (37 * MIN) + seed) * 0.07 + Math.sin(t / (211 * MIN) + seed * 3) * 0.05;
  return Math.round((mean + amplitude * day + amplitude * wiggle) * 1000) / 1000;
}

// ---------------------------------------------------------------- FlexMeasures

interface FmSensorSpec {
  name: string;
  unit: string;
  resolutionMin: number;
  value: (t: number) => number;
  /** How far past now data reaches (prices are known a day ahead). */
  aheadMs?: number;
  /** A sensor with no data yet. */
  noData?: boolean;
}

interface FmAssetSpec {
  name: string;
  type: string;
  account: 'svc' | 'public' | 'other';
  latitude?: number;
  longitude?: number;
  parent?: string;
  sensors: FmSensorSpec[];
}

/** Sensors without data yet under one asset: enough for the sensor list to need two pages of 100. */
const FM_SUB_METERS = 100;

const ev = (seed: number) => (t: number) => Math.min(0, -Math.max(0, wave(t, 0.006, 0.012, 18, seed))); // consumption is negative
const FM_ASSETS: FmAssetSpec[] = [
  { name: 'Charging hub Zeebrugge', type: 'building', account: 'svc', latitude: 51.3298, longitude: 3.2053, sensors: [] },
  {
    name: 'Charging station 1',
    type: 'one-way_evse',
    account: 'svc',
    latitude: 51.3299,
    longitude: 3.2053,
    parent: 'Charging hub Zeebrugge',
    sensors: [{ name: 'CS 1', unit: 'MW', resolutionMin: 15, value: ev(1) }],
  },
  {
    name: 'Charging station 2',
    type: 'one-way_evse',
    account: 'svc',
    latitude: 51.33,
    longitude: 3.2053,
    parent: 'Charging hub Zeebrugge',
    sensors: [{ name: 'CS 2', unit: 'MW', resolutionMin: 5, value: ev(2) }],
  },
  {
    name: 'Office Brugge',
    type: 'building',
    account: 'svc',
    latitude: 51.2093,
    longitude: 3.2247,
    sensors: [
      { name: 'heat pump', unit: 'kW', resolutionMin: 10, value: (t) => Math.max(0, wave(t, 18, 10, 6, 3)) },
      { name: 'main meter', unit: 'kW', resolutionMin: 15, value: (t) => wave(t, 42, 20, 12, 4) },
      { name: 'indoor temperature', unit: '°C', resolutionMin: 5, value: (t) => wave(t, 20.5, 1.5, 15, 5) },
    ],
  },
  {
    name: 'Solar park Oostende',
    type: 'solar',
    account: 'svc',
    latitude: 51.2154,
    longitude: 2.9287,
    sensors: [{ name: 'Solar park Oostende', unit: 'MW', resolutionMin: 15, value: (t) => Math.max(0, wave(t, 1, 6, 12, 6)) }],
  },
  {
    name: 'Battery Zeebrugge',
    type: 'battery',
    account: 'svc',
    latitude: 51.331,
    longitude: 3.21,
    sensors: [{ name: 'battery power', unit: 'MW', resolutionMin: 60, value: (t) => wave(t, 0, 1.5, 3, 7) }],
  },
  {
    name: 'EPEX SPOT day-ahead',
    type: 'day_ahead',
    account: 'public',
    sensors: [{ name: 'epex_da', unit: 'EUR/MWh', resolutionMin: 60, value: (t) => wave(t, 85, 40, 18, 8), aheadMs: DAY }],
  },
  {
    name: 'Weather station Vlissingen',
    type: 'weather_station',
    account: 'public',
    latitude: 51.442,
    longitude: 3.596,
    sensors: [
      { name: 'temperature', unit: '°C', resolutionMin: 60, value: (t) => wave(t, 7, 3, 14, 9) },
      { name: 'wind speed', unit: 'm/s', resolutionMin: 10, value: (t) => Math.max(0, wave(t, 7, 3, 16, 10)) },
    ],
  },
  {
    name: 'Sub-meters Office Brugge',
    type: 'building',
    account: 'svc',
    latitude: 51.2093,
    longitude: 3.2248,
    sensors: Array.from({ length: FM_SUB_METERS }, (_, i) => ({
      name: `sub-meter ${String(i + 1).padStart(3, '0')}`,
      unit: 'kW',
      resolutionMin: 15,
      value: (t: number) => wave(t, 2, 1, 12, 100 + i),
      noData: true,
    })),
  },
  {
    name: 'Other Co plant',
    type: 'process',
    account: 'other',
    latitude: 51.05,
    longitude: 3.73,
    sensors: [{ name: 'plant meter', unit: 'kW', resolutionMin: 15, value: (t) => wave(t, 300, 50, 10, 11) }],
  },
];

export interface SeededSeries {
  id: number;
  name: string;
  unit: string;
  resolutionMin: number;
  parent: string;
  /** FlexMeasures: whose asset. */
  account?: 'svc' | 'public' | 'other';
  points: number;
  line: string;
}

async function seedFlexMeasures(now: number): Promise<SeededSeries[]> {
  const base = env('FLEXMEASURES_BASE_URL');
  const login = async (email: string, password: string) =>
    ((await call(base, 'POST', '/api/requestAuthToken', null, { email, password })) as { auth_token: string }).auth_token;
  const admin = await login(env('SEED_FM_ADMIN_EMAIL'), env('SEED_FM_ADMIN_PASSWORD'));
  const types = (await call(base, 'GET', '/api/v3_0/assets/types', admin)) as Array<{ id: number; name: string }>;
  const typeId = (name: string) => {
    const t = types.find((x) => x.name === name);
    if (!t) throw new Error(`seed: FlexMeasures has no asset type ${name}`);
    return t.id;
  };
  const accounts = { svc: Number(env('SEED_FM_ACCOUNT')), other: Number(env('SEED_FM_OTHER_ACCOUNT')), public: null };
  const assetIds = new Map<string, number>();
  const summary: SeededSeries[] = [];
  const start = Math.floor(now / DAY) * DAY - 28 * DAY;
  for (const a of FM_ASSETS) {
    const asset = (await call(base, 'POST', '/api/v3_0/assets', admin, {
      name: a.name,
      generic_asset_type_id: typeId(a.type),
      account_id: accounts[a.account],
      ...(a.latitude !== undefined ? { latitude: a.latitude, longitude: a.longitude } : {}),
      ...(a.parent ? { parent_asset_id: assetIds.get(a.parent) } : {}),
    })) as { id: number };
    assetIds.set(a.name, asset.id);
    for (const s of a.sensors) {
      const step = s.resolutionMin * MIN;
      const sensor = (await call(base, 'POST', '/api/v3_0/sensors', admin, {
        name: s.name,
        unit: s.unit,
        event_resolution: `PT${s.resolutionMin}M`,
        generic_asset_id: asset.id,
        timezone: 'Europe/Amsterdam',
      })) as { id: number };
      const end = Math.floor((now + (s.aheadMs ?? 0)) / step) * step;
      const values: number[] = [];
      if (!s.noData) for (let t = start; t < end; t += step) values.push(s.value(t));
      if (values.length > 0) {
        await call(base, 'POST', `/api/v3_0/sensors/${sensor.id}/data`, admin, {
          start: new Date(start).toISOString(),
          duration: `PT${(end - start) / MIN}M`,
          unit: s.unit,
          values,
        });
      }
      if (s.noData) continue;
      summary.push({
        id: sensor.id,
        name: s.name,
        unit: s.unit,
        resolutionMin: s.resolutionMin,
        parent: a.name,
        account: a.account,
        points: values.length,
        line: `FlexMeasures sensor ${sensor.id} "${s.name}" (${a.name}, ${a.account}): ${s.unit}, ${s.resolutionMin} min, ${values.length} values`,
      });
    }
  }
  summary.push({
    id: 0,
    name: 'sub-meters',
    unit: 'kW',
    resolutionMin: 15,
    parent: 'Sub-meters Office Brugge',
    points: 0,
    line: `FlexMeasures: ${FM_SUB_METERS} more sensors without data (the list needs two pages of 100)`,
  });
  return summary;
}

// ---------------------------------------------------------------- BEMServer

interface BemSeries {
  name: string;
  unit: string;
  intervalMin: number;
  link: [kind: 'sites' | 'buildings' | 'storeys' | 'spaces' | 'zones', name: string];
  value: (t: number) => number;
}

const BEM_SERIES: BemSeries[] = [
  { name: 'Outdoor temperature', unit: '°C', intervalMin: 60, link: ['sites', 'Campus Gent'], value: (t) => wave(t, 8, 4, 14, 21) },
  { name: 'Electricity meter', unit: 'kWh', intervalMin: 15, link: ['sites', 'Campus Gent'], value: (t) => wave(t, 12, 6, 12, 22) },
  {
    name: 'Heating power',
    unit: 'kW',
    intervalMin: 10,
    link: ['buildings', 'Building A'],
    value: (t) => Math.max(0, wave(t, 30, 15, 6, 23)),
  },
  { name: 'Air temperature 0.01', unit: '°C', intervalMin: 10, link: ['spaces', 'Room 0.01'], value: (t) => wave(t, 21, 1.2, 15, 24) },
  { name: 'CO2 0.01', unit: 'ppm', intervalMin: 10, link: ['spaces', 'Room 0.01'], value: (t) => Math.round(wave(t, 650, 250, 11, 25)) },
  { name: 'Air temperature 1.01', unit: '°C', intervalMin: 10, link: ['spaces', 'Room 1.01'], value: (t) => wave(t, 20, 1.5, 16, 26) },
  {
    name: 'Floor 1 lighting',
    unit: 'kW',
    intervalMin: 15,
    link: ['storeys', 'First floor'],
    value: (t) => Math.max(0, wave(t, 2, 2, 13, 27)),
  },
  {
    name: 'North facade irradiance',
    unit: 'W/m²',
    intervalMin: 15,
    link: ['zones', 'North facade'],
    value: (t) => Math.max(0, wave(t, 60, 120, 12, 28)),
  },
  { name: 'Brussel meter', unit: 'kWh', intervalMin: 60, link: ['buildings', 'Bâtiment B'], value: (t) => wave(t, 40, 15, 12, 29) },
  {
    name: 'Éclairage étage 1',
    unit: 'kW',
    intervalMin: 60,
    link: ['buildings', 'Bâtiment B'],
    value: (t) => Math.max(0, wave(t, 1, 1, 13, 30)),
  },
];

/** Points of the building management system without data yet: enough to need two pages of 100. */
const BEM_SPARE_POINTS = 110;

async function seedBemServer(now: number): Promise<SeededSeries[]> {
  const base = env('BEMSERVER_BASE_URL');
  const token = (
    (await call(base, 'POST', '/auth/token', null, { email: env('BEMSERVER_EMAIL'), password: env('BEMSERVER_PASSWORD') })) as {
      access_token: string;
    }
  ).access_token;
  const auth = `Bearer ${token}`;
  const post = async (path: string, body: unknown) => (await call(base, 'POST', path, auth, body)) as { id: number };
  const start = Math.floor(now / DAY) * DAY - 21 * DAY;
  const campaign = await post('/campaigns/', {
    name: 'Gateway demo',
    description: 'Two sites of a facilities team, three weeks of data',
    timezone: 'Europe/Brussels',
    start_time: new Date(start).toISOString(),
  });
  const scope = await post('/campaign_scopes/', {
    name: 'All data',
    description: 'Every timeseries of the campaign',
    campaign_id: campaign.id,
  });
  const ids = { sites: new Map<string, number>(), buildings: new Map(), storeys: new Map(), spaces: new Map(), zones: new Map() };
  const add = async (kind: keyof typeof ids, name: string, body: Record<string, unknown>) =>
    ids[kind].set(name, (await post(`/${kind}/`, { name, ...body })).id);
  await add('sites', 'Campus Gent', {
    campaign_id: campaign.id,
    latitude: 51.0535,
    longitude: 3.7304,
    description: 'Main campus',
    ifc_id: '2O2Fr$t4X7Zf8NOew3FLOH',
  });
  await add('sites', 'Site Brussel', { campaign_id: campaign.id, latitude: 50.8467, longitude: 4.3525, description: 'Head office' });
  await add('buildings', 'Building A', {
    site_id: ids.sites.get('Campus Gent'),
    description: 'Offices and meeting rooms',
    ifc_id: '1xS3BCk291UvhgP2a6eflL',
  });
  await add('buildings', 'Bâtiment B', { site_id: ids.sites.get('Site Brussel'), description: 'Siège' });
  await add('storeys', 'Ground floor', { building_id: ids.buildings.get('Building A') });
  await add('storeys', 'First floor', { building_id: ids.buildings.get('Building A') });
  await add('spaces', 'Room 0.01', { storey_id: ids.storeys.get('Ground floor') });
  await add('spaces', 'Room 1.01', { storey_id: ids.storeys.get('First floor') });
  await add('zones', 'North facade', { campaign_id: campaign.id, description: 'Rooms facing north' });

  const properties = (await call(base, 'GET', '/timeseries_properties/', auth)) as Array<{ id: number; name: string }>;
  const interval = properties.find((p) => p.name === 'Interval');
  const summary: SeededSeries[] = [];
  const raw: Record<string, Record<string, number>> = {};
  const clean: Record<string, Record<string, number>> = {};
  for (const s of BEM_SERIES) {
    const ts = await post('/timeseries/', {
      name: s.name,
      description: `${s.name} (${s.intervalMin} min)`,
      unit_symbol: s.unit,
      campaign_id: campaign.id,
      campaign_scope_id: scope.id,
    });
    const [kind, parent] = s.link;
    const parentKey = `${kind.slice(0, -1)}_id`; // sites → site_id, storeys → storey_id
    await post(`/timeseries_by_${kind}/`, { timeseries_id: ts.id, [parentKey]: ids[kind].get(parent) });
    if (interval)
      await post('/timeseries_property_data/', { timeseries_id: ts.id, property_id: interval.id, value: String(s.intervalMin * 60) });
    const step = s.intervalMin * MIN;
    const end = Math.floor(now / step) * step;
    const r: Record<string, number> = {};
    const c: Record<string, number> = {};
    let n = 0;
    for (let t = start; t < end; t += step, n++) {
      // Raw has a gap of two hours each week and a spike each day; Clean has neither spike nor the last day.
      if (n % (7 * 24 * 6) < 12 && s.intervalMin === 10) continue;
      const iso = new Date(t).toISOString().replace('.000Z', '+00:00');
      const v = s.value(t);
      r[iso] = n % 97 === 0 ? v * 10 : v;
      if (t < end - DAY) c[iso] = v;
    }
    raw[ts.id] = r;
    clean[ts.id] = c;
    summary.push({
      id: ts.id,
      name: s.name,
      unit: s.unit,
      resolutionMin: s.intervalMin,
      parent,
      points: Object.keys(r).length,
      line: `BEMServer timeseries ${ts.id} "${s.name}" (${parent}): ${s.unit}, ${s.intervalMin} min, Raw ${Object.keys(r).length} / Clean ${Object.keys(c).length} points`,
    });
  }
  for (let n = 1; n <= BEM_SPARE_POINTS; n++) {
    const name = `BMS point ${String(n).padStart(3, '0')}`;
    const ts = await post('/timeseries/', {
      name,
      description: 'Not wired yet',
      unit_symbol: '°C',
      campaign_id: campaign.id,
      campaign_scope_id: scope.id,
    });
    await post('/timeseries_by_spaces/', { timeseries_id: ts.id, space_id: ids.spaces.get(n % 2 ? 'Room 0.01' : 'Room 1.01') });
  }
  summary.push({
    id: 0,
    name: 'BMS points',
    unit: '°C',
    resolutionMin: 0,
    parent: 'Room 0.01 and 1.01',
    points: 0,
    line: `BEMServer: ${BEM_SPARE_POINTS} more timeseries without data (two pages of 100)`,
  });
  const states = (await call(base, 'GET', '/timeseries_data_states/', auth)) as Array<{ id: number; name: string }>;
  const stateId = (name: string) => states.find((x) => x.name === name)!.id;
  await call(base, 'POST', `/timeseries_data/?data_state=${stateId('Raw')}`, auth, raw);
  await call(base, 'POST', `/timeseries_data/?data_state=${stateId('Clean')}`, auth, clean);
  return summary;
}

const now = Date.now();
const fm = await seedFlexMeasures(now);
const bem = await seedBemServer(now);
process.stderr.write(`data set:\n${[...fm, ...bem].map((s) => `  ${s.line}`).join('\n')}\n`);
// What the tests look up by name: ids, units, resolutions and accounts.
if (process.env.SEED_OUT) {
  writeFileSync(process.env.SEED_OUT, JSON.stringify({ seededAt: new Date(now).toISOString(), flexmeasures: fm, bemserver: bem }, null, 2));
}
