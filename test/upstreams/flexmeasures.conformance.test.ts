// FlexMeasures: the same contract cases against the simulator and the real server (issue 14).
import { afterAll, expect } from 'vitest';
import { createFlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';
import { request, type Answer } from '../helpers/sim-http.js';
import { conformance, shape, type Case } from './conformance.js';
import { answers, realUpstreams } from './targets.js';

interface FmTarget {
  url: string;
  email: string;
  password: string;
  token: string;
  /** Sensor ids by role: a 15-minute power sensor of the account, the public hourly price sensor. */
  power15: number;
  prices: number;
  /** A sensor of another account. */
  otherAccount: number;
  limited: () => Promise<{ url: string; email: string; password: string }>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

const call = (
  t: { url: string },
  path: string,
  o: { token?: string; body?: unknown; method?: string; headers?: Record<string, string> } = {},
) => request(t.url, path, { authorization: o.token, body: o.body, method: o.method, headers: o.headers, jsonContentType: 'always' });

async function login(url: string, email: string, password: string): Promise<string> {
  const r = await call({ url }, '/api/requestAuthToken', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login at ${url} answered ${r.status}: ${r.text}`);
  return r.body.auth_token as string;
}

const sims: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});
async function simulator(): Promise<FmTarget> {
  const sim = createFlexMeasuresSimulator({ gapRate: 0 });
  sims.push(sim);
  const url = await sim.listen(0, '127.0.0.1');
  // The simulator's portfolio by name (the other account's sensor is in no list the account sees).
  const id = (name: string) => sim.sensorId(name);
  return {
    url,
    email: sim.email,
    password: sim.password,
    token: await login(url, sim.email, sim.password),
    power15: id('CS 1'),
    prices: id('epex_da'),
    otherAccount: id('plant meter'),
    limited: async () => {
      // FlexMeasures' default limit with a plan of 30 per minute, as the real server's account 3 has.
      const limitedSim = createFlexMeasuresSimulator({ gapRate: 0, rateLimit: { limit: 30, windowSeconds: 60 } });
      sims.push(limitedSim);
      return { url: await limitedSim.listen(0, '127.0.0.1'), email: limitedSim.email, password: limitedSim.password };
    },
  };
}

async function real(): Promise<FmTarget> {
  const { env, dataset } = realUpstreams();
  const url = env.FLEXMEASURES_BASE_URL!;
  await answers(`${url}/api/`);
  const id = (name: string) => dataset.flexmeasures.find((s) => s.name === name)!.id;
  return {
    url,
    email: env.FLEXMEASURES_EMAIL!,
    password: env.FLEXMEASURES_PASSWORD!,
    token: await login(url, env.FLEXMEASURES_EMAIL!, env.FLEXMEASURES_PASSWORD!),
    power15: id('CS 1'),
    prices: id('epex_da'),
    otherAccount: id('plant meter'),
    limited: async () => ({ url, email: env.FLEXMEASURES_LIMITED_EMAIL!, password: env.FLEXMEASURES_LIMITED_PASSWORD! }),
  };
}

/** Status and body shape; `exact` keeps the body verbatim (messages the gateway shows). */
const seen = (r: Answer, o: { exact?: boolean; headers?: string[] } = {}) => ({
  status: r.status,
  body: o.exact ? r.body : shape(r.body),
  ...(o.headers ? { headers: Object.fromEntries(o.headers.map((h) => [h, r.headers.has(h) ? 'present' : 'absent'])) } : {}),
});

/** A whole hour, a day ago: both servers have data there. */
const dayAgo = (): number => Math.floor((Date.now() - 24 * HOUR) / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const data = (t: FmTarget, sensor: number, params: Record<string, string>) =>
  call(t, `/api/v3_0/sensors/${sensor}/data?${new URLSearchParams(params)}`, { token: t.token });

/** Values of a data answer as a pattern: n for a number, _ for null. */
const pattern = (r: Answer) =>
  Array.isArray(r.body?.values) ? (r.body.values as unknown[]).map((v) => (v === null ? '_' : 'n')).join('') : null;

const cases: Array<Case<FmTarget>> = [
  {
    name: 'GET /api redirects to /api/',
    run: async (t) => {
      const r = await call(t, '/api');
      return { status: r.status, location: r.headers.get('location')?.replace(t.url, '<origin>') ?? null };
    },
  },
  { name: 'GET /api/ lists the versions', run: async (t) => seen(await call(t, '/api/')) },
  {
    name: 'login: a token',
    run: async (t) => seen(await call(t, '/api/requestAuthToken', { body: { email: t.email, password: t.password } })),
  },
  {
    name: 'login: wrong password',
    run: async (t) =>
      seen(await call(t, '/api/requestAuthToken', { body: { email: t.email, password: 'wrong-password' } }), { exact: true }),
  },
  {
    name: 'login: unknown e-mail',
    run: async (t) =>
      seen(await call(t, '/api/requestAuthToken', { body: { email: 'nobody@example.org', password: 'x' } }), { exact: true }),
  },
  { name: 'login: no body', run: async (t) => seen(await call(t, '/api/requestAuthToken', { method: 'POST' })) },
  {
    name: 'login: JSON that does not parse',
    run: async (t) => seen(await call(t, '/api/requestAuthToken', { body: '{"email": "svc@exa' }), { exact: true }),
  },
  {
    name: 'login: a form body',
    run: async (t) =>
      seen(
        await call(t, '/api/requestAuthToken', {
          body: `email=${encodeURIComponent(t.email)}&password=x`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        { exact: true },
      ),
  },
  { name: 'no token: 401', run: async (t) => seen(await call(t, '/api/v3_0/sensors'), { exact: true }) },
  { name: 'a made-up token: 401', run: async (t) => seen(await call(t, '/api/v3_0/sensors', { token: 'not-a-token' }), { exact: true }) },
  { name: 'sensors: one page', run: async (t) => seen(await call(t, '/api/v3_0/sensors?page=1&per-page=2', { token: t.token })) },
  { name: 'sensors: without page, a bare list', run: async (t) => seen(await call(t, '/api/v3_0/sensors', { token: t.token })) },
  {
    // FlexMeasures 1.0.1 pages without ORDER BY: the order is the database's, the same rows either way.
    name: 'sensors: pages of any size hold the same rows, none repeated',
    run: async (t) => {
      const walk = async (perPage: number) => {
        const ids: number[] = [];
        let total = Infinity;
        for (let p = 1; ids.length < total; p++) {
          const r = await call(t, `/api/v3_0/sensors?page=${p}&per-page=${perPage}&include_public_assets=true`, { token: t.token });
          total = r.body['filtered-records'] as number;
          ids.push(...(r.body.data as Array<{ id: number }>).map((s) => s.id));
        }
        return ids;
      };
      const [big, small] = await Promise.all([walk(100), walk(7)]);
      const sorted = (ids: number[]) => JSON.stringify([...ids].sort((a, b) => a - b));
      return { sameRows: sorted(big) === sorted(small), unique: new Set(big).size === big.length && new Set(small).size === small.length };
    },
  },
  {
    name: 'sensors: a page past the end',
    run: async (t) => seen(await call(t, '/api/v3_0/sensors?page=999&per-page=10', { token: t.token })),
  },
  { name: 'sensor by id', run: async (t) => seen(await call(t, `/api/v3_0/sensors/${t.power15}`, { token: t.token })) },
  {
    name: 'sensor: an id that does not exist',
    run: async (t) => seen(await call(t, '/api/v3_0/sensors/987654', { token: t.token }), { exact: true }),
  },
  { name: 'assets with public ones', run: async (t) => seen(await call(t, '/api/v3_0/assets?include_public=true', { token: t.token })) },
  {
    name: 'data: an hour on the grid',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT1H', unit: 'MW' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: start echoes as sent, in the sensor timezone or not',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT1H', unit: 'MW' });
      return { start: r.body.start, sentAs: iso(dayAgo()) };
    },
  },
  {
    name: 'data: a window starting off the grid (12:07 on 15 minutes)',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo() + 7 * MIN), duration: 'PT1H', unit: 'MW' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: a start with seconds',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo() + 7 * MIN + 30_000), duration: 'PT1H', unit: 'MW' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: a duration not a multiple of the resolution',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT50M', unit: 'MW' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: hourly resolution of a 15-minute sensor',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT3H', unit: 'MW', resolution: 'PT1H' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: a resolution that does not divide a day (PT7H)',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo() - 21 * HOUR), duration: 'PT21H', unit: 'MW', resolution: 'PT7H' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: a resolution finer than the sensor (PT5M on 15 minutes)',
    run: async (t) => {
      const r = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT30M', unit: 'MW', resolution: 'PT5M' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: resampled values are the mean of the events starting in each slot, from the window start',
    run: async (t) => {
      const from = dayAgo() - 21 * HOUR + 15 * MIN;
      const native = (await data(t, t.power15, { start: iso(from), duration: 'PT22H', unit: 'MW' })).body.values as Array<number | null>;
      const check = async (resolution: string, widthMin: number, duration: string) => {
        const r = await data(t, t.power15, { start: iso(from), duration, unit: 'MW', resolution });
        const got = r.body.values as Array<number | null>;
        const durMin = got.length * widthMin;
        return got
          .map((v, i) => {
            const a = (i * widthMin) / 15;
            const b = ((i + 1) * widthMin) / 15;
            if (widthMin < 15) return v === null ? '_' : v === native[Math.floor(a)] ? 'covering' : `?${v}`;
            if ((i + 1) * widthMin > Number(/PT(\d+)M/.exec(duration)?.[1] ?? durMin)) return v === null ? 'cut' : `?${v}`;
            const inSlot = native.slice(Math.ceil(a), Math.ceil(b)).filter((x): x is number => x !== null);
            const mean = inSlot.reduce((x, y) => x + y, 0) / inSlot.length;
            return v !== null && Math.abs(v - mean) < 1e-6 ? 'mean' : `?${v}~${mean}`;
          })
          .join(' ');
      };
      return {
        pt7h: await check('PT7H', 420, 'PT1260M'),
        pt20m: await check('PT20M', 20, 'PT60M'),
        pt5m: await check('PT5M', 5, 'PT30M'),
        pt10m: await check('PT10M', 10, 'PT60M'),
        pt1hCut: await check('PT1H', 60, 'PT100M'),
      };
    },
  },
  {
    name: 'data: kW from a MW sensor',
    run: async (t) => {
      const mw = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT3H', unit: 'MW' });
      const kw = await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT3H', unit: 'kW' });
      const m = mw.body.values as Array<number | null>;
      const same = (kw.body.values as Array<number | null>).every((v, i) =>
        v === null ? m[i] === null : Math.abs(v - m[i]! * 1000) < 1e-6,
      );
      return { status: kw.status, unit: kw.body.unit, kWis1000MW: same };
    },
  },
  {
    name: 'data: an incompatible unit',
    run: async (t) => seen(await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT1H', unit: 'EUR/MWh' }), { exact: true }),
  },
  {
    name: 'data: an unknown parameter',
    run: async (t) =>
      seen(await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT1H', unit: 'MW', colour: 'red' }), { exact: true }),
  },
  { name: 'data: no unit', run: async (t) => seen(await data(t, t.power15, { start: iso(dayAgo()), duration: 'PT1H' })) },
  { name: 'data: no start', run: async (t) => seen(await data(t, t.power15, { duration: 'PT1H', unit: 'MW' })) },
  {
    name: 'data: a sensor that does not exist',
    run: async (t) => seen(await data(t, 987654, { start: iso(dayAgo()), duration: 'PT1H', unit: 'MW' })),
  },
  {
    name: 'data: the public price sensor, a day ahead',
    run: async (t) => {
      const r = await data(t, t.prices, { start: iso(Math.floor(Date.now() / HOUR) * HOUR + 2 * HOUR), duration: 'PT2H', unit: 'EUR/MWh' });
      return { ...seen(r), values: pattern(r) };
    },
  },
  {
    name: 'data: a long URL (8,000 characters)',
    run: async (t) => {
      const r = await call(t, `/api/v3_0/sensors/${t.power15}/data?start=${iso(dayAgo())}&duration=PT1H&unit=MW&pad=${'x'.repeat(8000)}`, {
        token: t.token,
      });
      return { status: r.status };
    },
  },
  {
    name: 'write: new values to an own sensor',
    run: async (t) => {
      // Far in the past, a new hour each run: nothing there yet on either side.
      const start = Date.UTC(2020, 0, 1) + (Math.floor(Date.now() / 1000) % 100_000) * HOUR;
      const body = { start: iso(start), duration: 'PT1H', unit: 'MW', values: [-0.01, -0.02, -0.01, -0.02] };
      const first = await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body });
      const again = await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body });
      return { first: seen(first, { exact: true }), again: seen(again, { exact: true }) };
    },
  },
  {
    name: 'write: to a public sensor (the market)',
    run: async (t) => {
      const body = { start: '2020-01-01T00:00:00Z', duration: 'PT1H', unit: 'EUR/MWh', values: [1] };
      return seen(await call(t, `/api/v3_0/sensors/${t.prices}/data`, { token: t.token, body }), { exact: true });
    },
  },
  {
    name: "write: to another account's sensor",
    run: async (t) => {
      const body = { start: '2020-01-01T00:00:00Z', duration: 'PT15M', unit: 'kW', values: [1] };
      return seen(await call(t, `/api/v3_0/sensors/${t.otherAccount}/data`, { token: t.token, body }), { exact: true });
    },
  },
  {
    name: "read: another account's sensor and its data",
    run: async (t) => ({
      sensor: seen(await call(t, `/api/v3_0/sensors/${t.otherAccount}`, { token: t.token }), { exact: true }),
      data: seen(await data(t, t.otherAccount, { start: iso(dayAgo()), duration: 'PT1H', unit: 'kW' }), { exact: true }),
      listed: (
        (await call(t, '/api/v3_0/sensors?page=1&per-page=100&include_public_assets=true', { token: t.token })).body.data as Array<{
          id: number;
        }>
      ).some((x) => x.id === t.otherAccount),
    }),
  },
  {
    name: 'sensor: an id that is not a number',
    run: async (t) => seen(await call(t, '/api/v3_0/sensors/abc', { token: t.token }), { exact: true }),
  },
  {
    name: 'write: JSON that does not parse',
    run: async (t) => seen(await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body: '{"values": [1,' })),
  },
  {
    name: 'write: no values',
    run: async (t) =>
      seen(
        await call(t, `/api/v3_0/sensors/${t.power15}/data`, {
          token: t.token,
          body: { start: '2020-01-01T00:00:00Z', duration: 'PT1H', unit: 'MW' },
        }),
        { exact: true },
      ),
  },
  {
    name: 'write: a JSON array',
    run: async (t) => seen(await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body: '[1,2]' }), { exact: true }),
  },
  {
    name: 'write: values that do not fill the duration at the resolution',
    run: async (t) => {
      const body = { start: '2020-01-01T00:00:00Z', duration: 'PT1H', unit: 'MW', values: [-0.01, -0.02, -0.03] };
      return seen(await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body }));
    },
  },
  {
    name: 'write: an incompatible unit',
    run: async (t) => {
      const body = { start: '2020-01-01T00:00:00Z', duration: 'PT1H', unit: '°C', values: [1, 2, 3, 4] };
      return seen(await call(t, `/api/v3_0/sensors/${t.power15}/data`, { token: t.token, body }));
    },
  },
  {
    name: 'rate limit: the 429 answer and its headers',
    run: async (t) => {
      const l = await t.limited();
      const token = await login(l.url, l.email, l.password);
      // The budget may be spent already (a run less than a minute ago): the first refusal is what is compared.
      let refused: Answer | null = null;
      for (let i = 0; i < 40 && !refused; i++) {
        const r = await call(l, '/api/v3_0/sensors?page=1&per-page=1', { token });
        if (r.status === 429) refused = r;
      }
      expect(refused, 'no request of 40 was refused').not.toBeNull();
      return seen(refused!, { exact: true, headers: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] });
    },
  },
  {
    name: 'rate limit: headers on an ordinary answer',
    run: async (t) =>
      seen(await call(t, '/api/v3_0/sensors?page=1&per-page=1', { token: t.token }), {
        headers: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'],
      }),
  },
  { name: 'v1_1: getService on a current server', run: async (t) => seen(await call(t, '/api/v1_1/getService')) },
];

/** A crash of the real server (HTTP 500 with Python's exception text) where the simulator answers what was meant. */
const crashes = (message: string) => (sim: unknown, real: unknown) => {
  expect(real).toEqual({ status: 500, body: { message, status: 500 } });
  expect(sim).toMatchObject({ status: 422 });
};

conformance('FlexMeasures', { simulator, real }, cases, {
  'rate limit: headers on an ordinary answer': {
    reason:
      'FlexMeasures limits every user (500 per minute by default) and says so on every answer; the simulator limits only when a test sets a limit (then it sends the same headers and 429), so that tests and benchmarks are not throttled. The gateway keeps itself under the limit (FLEXMEASURES_RATE_PER_MINUTE, 450 by default).',
    check: (sim, real) => {
      expect(real).toMatchObject({ status: 200, headers: { 'x-ratelimit-limit': 'present', 'retry-after': 'present' } });
      expect(sim).toMatchObject({ status: 200, headers: { 'x-ratelimit-limit': 'absent' } });
    },
  },
  'write: no values': {
    reason: 'FlexMeasures 1.0.1 crashes (500 "\'values\'"); the simulator answers the 422 it means. The gateway always sends values.',
    check: crashes("'values'"),
  },
  'write: a JSON array': {
    reason:
      'FlexMeasures 1.0.1 crashes (500 "cannot unpack non-iterable int object"); the simulator answers 422. The gateway always sends an object.',
    check: crashes('cannot unpack non-iterable int object'),
  },
});
