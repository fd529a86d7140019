// BEMServer: the same contract cases against the simulator and the real server (issue 14).
import { createHmac } from 'node:crypto';
import { afterAll, expect } from 'vitest';
import { createBemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import { request, type Answer } from '../helpers/sim-http.js';
import { conformance, shape, type Case } from './conformance.js';
import { answers, realUpstreams } from './targets.js';

interface BemTarget {
  url: string;
  email: string;
  password: string;
  access: string;
  refresh: string;
  /** An access or refresh token of the service account that has expired, and the server it is for. */
  expired: (type: 'access' | 'refresh') => Promise<string>;
  expiredUrl: string;
  /** Two timeseries at 10 minutes, one at an hour (simulator: all at 10 minutes). */
  tenMin: [number, number];
  hourly: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ACCEPT_JSON = { accept: 'application/json' };

const call = (
  t: { url: string },
  path: string,
  o: { token?: string; body?: unknown; method?: string; headers?: Record<string, string> } = {},
) =>
  request(t.url, path, {
    authorization: o.token === undefined ? undefined : `Bearer ${o.token}`,
    body: o.body,
    method: o.method,
    headers: o.headers,
    jsonContentType: 'body',
  });

async function login(url: string, email: string, password: string): Promise<{ access: string; refresh: string }> {
  const r = await call({ url }, '/auth/token', { body: { email, password } });
  if (r.body?.status !== 'success') throw new Error(`login at ${url} answered ${r.status}: ${r.text}`);
  return { access: r.body.access_token, refresh: r.body.refresh_token };
}

function signJwt(claims: Record<string, unknown>, key: string): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

const sims: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function simulator(): Promise<BemTarget> {
  const sim = createBemServerSimulator({ gapRate: 0 });
  sims.push(sim);
  const url = await sim.listen(0, '127.0.0.1');
  const [a, b] = sim.timeseriesIds();
  // Its tokens are signed with a key of its own: a second simulator whose tokens live one second.
  const shortLived = createBemServerSimulator({ gapRate: 0, accessTokenLifetimeSeconds: 1, refreshTokenLifetimeSeconds: 1 });
  sims.push(shortLived);
  const shortUrl = await shortLived.listen(0, '127.0.0.1');
  const expired = async (type: 'access' | 'refresh') => {
    const pair = await login(shortUrl, shortLived.email, shortLived.password);
    // authlib: expired once exp < now in whole seconds: two seconds on.
    await new Promise((r) => setTimeout(r, 2100));
    return type === 'access' ? pair.access : pair.refresh;
  };
  return {
    url,
    email: sim.email,
    password: sim.password,
    ...(await login(url, sim.email, sim.password)),
    expired,
    expiredUrl: shortUrl,
    tenMin: [a!, b!],
    hourly: a!,
  };
}

async function real(): Promise<BemTarget> {
  const { env, dataset } = realUpstreams();
  const url = env.BEMSERVER_BASE_URL!;
  await answers(`${url}/about/`);
  const id = (name: string) => dataset.bemserver.find((s) => s.name === name)!.id;
  return {
    url,
    email: env.BEMSERVER_EMAIL!,
    password: env.BEMSERVER_PASSWORD!,
    ...(await login(url, env.BEMSERVER_EMAIL!, env.BEMSERVER_PASSWORD!)),
    // Signed as the server signs (HS256 with its key), with an `exp` a minute ago.
    expired: async (type) =>
      signJwt({ email: env.BEMSERVER_EMAIL!, exp: Math.floor(Date.now() / 1000) - 60, type }, env.BEMSERVER_TEST_SIGNING_KEY!),
    expiredUrl: url,
    tenMin: [id('Air temperature 0.01'), id('CO2 0.01')],
    hourly: id('Outdoor temperature'),
  };
}

const seen = (r: Answer, o: { exact?: boolean; headers?: string[] } = {}) => ({
  status: r.status,
  body: o.exact ? r.body : shape(r.body),
  ...(o.headers ? { headers: Object.fromEntries(o.headers.map((h) => [h, r.headers.get(h) === null ? 'absent' : 'present'])) } : {}),
});

/** Midnight UTC two days ago: both servers have data around it. */
const twoDaysAgo = () => Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

function dataQuery(ids: number[], from: number, to: number, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ start_time: iso(from), end_time: iso(to), data_state: '1', timezone: 'UTC', ...extra });
  for (const id of ids) q.append('timeseries', String(id));
  return q.toString();
}

/** The X-Pagination header's keys, in order. */
const paginationKeys = (r: Answer) => {
  const h = r.headers.get('x-pagination');
  return h === null ? null : Object.keys(JSON.parse(h) as object);
};

/** Timestamps of one series in a data answer, as offsets in minutes from `from`. */
const offsets = (r: Answer, id: number, from: number) =>
  Object.keys((r.body as Record<string, Record<string, number>>)[String(id)] ?? {}).map((k) => (Date.parse(k) - from) / MIN);

const cases: Array<Case<BemTarget>> = [
  { name: 'GET /about/', run: async (t) => seen(await call(t, '/about/')) },
  { name: 'GET /about (no slash)', run: async (t) => ({ status: (await call(t, '/about')).status }) },
  { name: 'login: a token pair', run: async (t) => seen(await call(t, '/auth/token', { body: { email: t.email, password: t.password } })) },
  {
    name: 'login: wrong password',
    run: async (t) => seen(await call(t, '/auth/token', { body: { email: t.email, password: 'wrong' } }), { exact: true }),
  },
  {
    name: 'login: unknown e-mail',
    run: async (t) => seen(await call(t, '/auth/token', { body: { email: 'nobody@example.org', password: 'x' } }), { exact: true }),
  },
  {
    name: 'login: a malformed e-mail',
    run: async (t) => seen(await call(t, '/auth/token', { body: { email: 'not-an-email', password: 'x' } }), { exact: true }),
  },
  { name: 'login: no body', run: async (t) => seen(await call(t, '/auth/token', { method: 'POST' })) },
  { name: 'refresh: a new pair', run: async (t) => seen(await call(t, '/auth/token/refresh', { method: 'POST', token: t.refresh })) },
  {
    name: 'refresh: with the access token',
    run: async (t) => seen(await call(t, '/auth/token/refresh', { method: 'POST', token: t.access }), { exact: true }),
  },
  {
    name: 'the access token claims',
    run: async (t) => {
      const claims = JSON.parse(Buffer.from(t.access.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const header = JSON.parse(Buffer.from(t.access.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      // Lifetime in minutes from now (the tokens carry no iat).
      return { header: shape(header), claims: shape(claims), lifetimeMin: Math.round(((claims.exp as number) * 1000 - Date.now()) / MIN) };
    },
  },
  {
    name: 'an expired access token: 401',
    run: async (t) => seen(await call({ url: t.expiredUrl }, '/sites/', { token: await t.expired('access') }), { exact: true }),
  },
  {
    name: 'refresh: with an expired refresh token',
    run: async (t) =>
      seen(await call({ url: t.expiredUrl }, '/auth/token/refresh', { method: 'POST', token: await t.expired('refresh') }), {
        exact: true,
      }),
  },
  { name: 'no token: 401', run: async (t) => seen(await call(t, '/sites/'), { exact: true }) },
  { name: 'a made-up token: 401', run: async (t) => seen(await call(t, '/sites/', { token: 'not.a.token' }), { exact: true }) },
  { name: 'the refresh token on a resource: 401', run: async (t) => seen(await call(t, '/sites/', { token: t.refresh }), { exact: true }) },
  ...(
    [
      'campaigns',
      'campaign_scopes',
      'sites',
      'buildings',
      'storeys',
      'spaces',
      'zones',
      'timeseries_properties',
      'timeseries_data_states',
    ] as const
  ).map((res): Case<BemTarget> => ({
    name: `list /${res}/`,
    run: async (t) => seen(await call(t, `/${res}/`, { token: t.access }), { headers: ['x-pagination', 'etag'] }),
  })),
  {
    name: 'timeseries: one page and its X-Pagination',
    run: async (t) => {
      const r = await call(t, '/timeseries/?page=1&page_size=2&sort=name', { token: t.access });
      return { ...seen(r, { headers: ['etag'] }), pagination: paginationKeys(r) };
    },
  },
  {
    name: 'timeseries: default page size',
    run: async (t) => {
      const r = await call(t, '/timeseries/', { token: t.access });
      return { count: (r.body as unknown[]).length <= 10, pagination: paginationKeys(r) };
    },
  },
  {
    name: 'timeseries: a page past the end',
    run: async (t) => {
      const r = await call(t, '/timeseries/?page=99&page_size=2&sort=name', { token: t.access });
      return { ...seen(r), pagination: paginationKeys(r) };
    },
  },
  {
    name: 'timeseries: page_size 101',
    run: async (t) => seen(await call(t, '/timeseries/?page=1&page_size=101', { token: t.access }), { exact: true }),
  },
  {
    name: 'timeseries: pages by name, none repeated or skipped',
    run: async (t) => {
      const walk = async (size: number) => {
        const rows: Array<{ id: number; name: string }> = [];
        for (let p = 1; ; p++) {
          const r = await call(t, `/timeseries/?page=${p}&page_size=${size}&sort=name`, { token: t.access });
          rows.push(...(r.body as Array<{ id: number; name: string }>));
          if (p >= (JSON.parse(r.headers.get('x-pagination')!) as { total_pages: number }).total_pages) return rows;
        }
      };
      const [big, small] = await Promise.all([walk(100), walk(7)]);
      const ids = (rows: Array<{ id: number }>) => JSON.stringify(rows.map((x) => x.id));
      return { same: ids(big) === ids(small), byCodePoint: big.every((x, i) => i === 0 || x.name >= big[i - 1]!.name) };
    },
  },
  {
    name: 'links: timeseries_by_spaces',
    run: async (t) => {
      const r = await call(t, '/timeseries_by_spaces/?page=1&page_size=5', { token: t.access });
      return { ...seen(r), pagination: paginationKeys(r) };
    },
  },
  { name: 'timeseries_property_data', run: async (t) => seen(await call(t, '/timeseries_property_data/', { token: t.access })) },
  { name: 'a site that does not exist', run: async (t) => seen(await call(t, '/sites/987654', { token: t.access }), { exact: true }) },
  {
    name: 'data: JSON for two series over six hours',
    run: async (t) => {
      const from = twoDaysAgo();
      const r = await call(t, `/timeseries_data/?${dataQuery(t.tenMin, from, from + 6 * HOUR)}`, { token: t.access, headers: ACCEPT_JSON });
      return {
        ...seen(r, { headers: ['content-type'] }),
        contentType: r.headers.get('content-type'),
        axis: offsets(r, t.tenMin[0], from).slice(0, 3),
      };
    },
  },
  {
    name: 'data: a window off the grid (xx:07 to xx:47)',
    run: async (t) => {
      const from = twoDaysAgo() + 7 * MIN;
      const r = await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], from, from + 40 * MIN)}`, {
        token: t.access,
        headers: ACCEPT_JSON,
      });
      return { status: r.status, axis: offsets(r, t.tenMin[0], from) };
    },
  },
  {
    name: 'data: the end is excluded',
    run: async (t) => {
      const from = twoDaysAgo();
      const r = await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], from, from + HOUR)}`, {
        token: t.access,
        headers: ACCEPT_JSON,
      });
      return { axis: offsets(r, t.tenMin[0], from) };
    },
  },
  {
    name: 'data: Europe/Brussels timestamps',
    run: async (t) => {
      const from = twoDaysAgo();
      const r = await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], from, from + HOUR, { timezone: 'Europe/Brussels' })}`, {
        token: t.access,
        headers: ACCEPT_JSON,
      });
      return seen(r);
    },
  },
  {
    name: 'data: CSV',
    run: async (t) => {
      const from = twoDaysAgo();
      const r = await call(t, `/timeseries_data/?${dataQuery(t.tenMin, from, from + HOUR)}`, {
        token: t.access,
        headers: { accept: 'text/csv' },
      });
      const lines = r.text.trim().split('\n');
      return {
        status: r.status,
        contentType: r.headers.get('content-type'),
        header: lines[0]!.replace(/\d+/g, 'n'),
        row: lines[1]!.replace(/[\d.]+/g, 'n'),
        rows: lines.length,
      };
    },
  },
  {
    name: 'data: no Accept header',
    run: async (t) => {
      const from = twoDaysAgo();
      const r = await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], from, from + HOUR)}`, {
        token: t.access,
        headers: { accept: '*/*' },
      });
      return { status: r.status, contentType: r.headers.get('content-type') };
    },
  },
  {
    name: 'data: a series that does not exist',
    run: async (t) =>
      seen(
        await call(t, `/timeseries_data/?${dataQuery([987654], twoDaysAgo(), twoDaysAgo() + HOUR)}`, {
          token: t.access,
          headers: ACCEPT_JSON,
        }),
        { exact: true },
      ),
  },
  {
    name: 'data: a data state that does not exist',
    run: async (t) =>
      seen(
        await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], twoDaysAgo(), twoDaysAgo() + HOUR, { data_state: '99' })}`, {
          token: t.access,
          headers: ACCEPT_JSON,
        }),
        { exact: true },
      ),
  },
  {
    name: 'data: the end before the start',
    run: async (t) =>
      seen(
        await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], twoDaysAgo() + HOUR, twoDaysAgo())}`, {
          token: t.access,
          headers: ACCEPT_JSON,
        }),
      ),
  },
  {
    name: 'data: no start_time',
    run: async (t) =>
      seen(await call(t, `/timeseries_data/?timeseries=${t.tenMin[0]}&data_state=1`, { token: t.access, headers: ACCEPT_JSON }), {
        exact: true,
      }),
  },
  {
    name: 'data: a long URL (400 ids, about 6,000 characters)',
    run: async (t) => {
      const ids = Array.from({ length: 400 }, (_, i) => 100_000 + i);
      const r = await call(t, `/timeseries_data/?${dataQuery(ids, twoDaysAgo(), twoDaysAgo() + HOUR)}`, {
        token: t.access,
        headers: ACCEPT_JSON,
      });
      return { status: r.status };
    },
  },
  {
    name: 'data: a very long URL (2,000 ids, about 30,000 characters)',
    run: async (t) => {
      const ids = Array.from({ length: 2000 }, (_, i) => 100_000 + i);
      const r = await call(t, `/timeseries_data/?${dataQuery(ids, twoDaysAgo(), twoDaysAgo() + HOUR)}`, {
        token: t.access,
        headers: ACCEPT_JSON,
      });
      return { status: r.status };
    },
  },
  ...(
    [
      ['1 hour', '1', 'hour'],
      ['1 day', '1', 'day'],
      ['7 hours (not a divisor of a day)', '7', 'hour'],
      ['1 week', '1', 'week'],
    ] as const
  ).map(([label, value, unit]): Case<BemTarget> => ({
    name: `aggregate: ${label}, mean, Europe/Brussels`,
    run: async (t) => {
      const from = twoDaysAgo() - 5 * DAY;
      const q = dataQuery([t.tenMin[0]], from, from + 7 * DAY, {
        timezone: 'Europe/Brussels',
        bucket_width_value: value,
        bucket_width_unit: unit,
        aggregation: 'avg',
      });
      const r = await call(t, `/timeseries_data/aggregate?${q}`, { token: t.access, headers: ACCEPT_JSON });
      return { ...seen(r), axis: offsets(r, t.tenMin[0], from).slice(0, 4) };
    },
  })),
  {
    name: 'aggregate: an unknown aggregation',
    run: async (t) => {
      const from = twoDaysAgo();
      const q = dataQuery([t.tenMin[0]], from, from + DAY, { bucket_width_value: '1', bucket_width_unit: 'hour', aggregation: 'median' });
      return seen(await call(t, `/timeseries_data/aggregate?${q}`, { token: t.access, headers: ACCEPT_JSON }), { exact: true });
    },
  },
  {
    name: 'stats',
    run: async (t) =>
      seen(
        await call(t, `/timeseries_data/stats?timeseries=${t.tenMin[0]}&timeseries=${t.tenMin[1]}&data_state=1&timezone=UTC`, {
          token: t.access,
        }),
      ),
  },
  {
    name: 'write: new points, then the same instants again (first write wins)',
    run: async (t) => {
      const at = Date.UTC(2019, 0, 1) + (Math.floor(Date.now() / 1000) % 100_000) * HOUR;
      const body = { [String(t.tenMin[0])]: { [iso(at).replace('.000Z', '+00:00')]: 1.5 } };
      const first = await call(t, '/timeseries_data/?data_state=1', { token: t.access, body });
      const again = await call(t, '/timeseries_data/?data_state=1', {
        token: t.access,
        body: { [String(t.tenMin[0])]: { [iso(at).replace('.000Z', '+00:00')]: 9 } },
      });
      const back = await call(t, `/timeseries_data/?${dataQuery([t.tenMin[0]], at, at + MIN)}`, { token: t.access, headers: ACCEPT_JSON });
      return {
        first: seen(first, { exact: true }),
        again: seen(again, { exact: true }),
        kept: Object.values(back.body[String(t.tenMin[0])] ?? {}),
      };
    },
  },
  {
    name: 'write: a value that is not a number',
    run: async (t) =>
      seen(
        await call(t, '/timeseries_data/?data_state=1', {
          token: t.access,
          body: { [String(t.tenMin[0])]: { '2019-01-01T00:00:00+00:00': 'abc' } },
        }),
        { exact: true },
      ),
  },
  {
    name: 'write: a naive timestamp',
    run: async (t) =>
      seen(
        await call(t, '/timeseries_data/?data_state=1', { token: t.access, body: { [String(t.tenMin[0])]: { '2019-01-01T00:00:00': 1 } } }),
      ),
  },
  {
    name: 'write: a series that does not exist',
    run: async (t) =>
      seen(await call(t, '/timeseries_data/?data_state=1', { token: t.access, body: { '987654': { '2019-01-01T00:00:00+00:00': 1 } } }), {
        exact: true,
      }),
  },
];

conformance('BEMServer', { simulator, real }, cases, {
  'timeseries: pages by name, none repeated or skipped': {
    reason:
      "`sort=name` is the database's collation: the real server's PostgreSQL here is C.UTF-8 (code points: 'Éclairage' after 'Z'); the simulator collates like en-US ('É' with 'E'). Either way the pages neither repeat nor skip, which is all the gateway relies on.",
    check: (sim, real) => {
      expect(real).toEqual({ same: true, byCodePoint: true });
      expect(sim).toEqual({ same: true, byCodePoint: false });
    },
  },
  'data: a very long URL (2,000 ids, about 30,000 characters)': {
    reason:
      "Flask's own server takes any URL length (the unknown ids then give 422); the simulator answers 431 past its maxUrlLength, as the proxy or WSGI server in front of a real deployment does (gunicorn and uWSGI stop near 4 KB). The gateway splits id lists to stay under BEMSERVER_MAX_URL_LENGTH.",
    check: (sim, real) => {
      expect(real).toEqual({ status: 422 });
      expect(sim).toEqual({ status: 431 });
    },
  },
});
