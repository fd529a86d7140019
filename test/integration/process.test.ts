// The gateway as a process, as `npm start` runs it (the bundle, NODE_ENV=production), over
// simulators in this test process (whose request logs show what reached the upstreams):
// - no request takes it over its memory ceiling (768 MB resident, documented in the README: the largest request the limits allow peaks near 490 MB): the
//   attacks of issue 12 get typed errors, and the largest requests the limits allow, alone and three
//   at once, are answered;
// - SIGTERM with requests in flight finishes them and exits 0; past SHUTDOWN_GRACE_MS the requests
//   still running answer what they have, and it still exits 0.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayEnv } from '../../scripts/bench/proc.js';
import { createBemServerSimulator, type BemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import { createFlexMeasuresSimulator, type FlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { buildBundle, cleanEnv, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { gql } from '../helpers/graphql.js';
import { until } from '../helpers/until.js';

const CEILING_MB = 768;
const NONE = { authorization: '' };
const account = { user: 'process-test@example.org', password: 'process-test-password' };
let meetnet: MeetnetSimulator;
let flexmeasures: FlexMeasuresSimulator;
let bemserver: BemServerSimulator;
let env: Record<string, string>;
let bundle: Awaited<ReturnType<typeof buildBundle>>;
let tenMinute: string[];

beforeAll(async () => {
  meetnet = createMeetnetSimulator({ username: account.user, password: account.password });
  flexmeasures = createFlexMeasuresSimulator({ email: account.user, password: account.password });
  bemserver = createBemServerSimulator({ email: account.user, password: account.password });
  const [m, f, b] = await Promise.all([meetnet.listen(), flexmeasures.listen(), bemserver.listen()]);
  // The benchmarks' environment, without their key file: this gateway is the open demo.
  const { API_KEYS_FILE: _keys, ...upstreams } = gatewayEnv(
    { urls: { meetnet: m, flexmeasures: f, bemserver: b }, account, control: '' },
    8,
  );
  env = { ...cleanEnv(), ...upstreams, LOG_LEVEL: 'info' };
  bundle = await buildBundle('process-test');
});
afterAll(async () => {
  await Promise.all([meetnet?.close(), flexmeasures?.close(), bemserver?.close()]);
  await bundle?.remove();
});

/** Peak resident memory of a process so far (VmHWM), in MB. */
const peakMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('the memory ceiling', () => {
  let gw: ChildGateway;
  beforeAll(async () => {
    gw = await startChildGateway(bundle.main, env);
    const res = await gql(gw.url, '{ sensors(upstream: MEETNET, first: 1000) { nodes { id intervalMinutes } } }', {}, NONE);
    if (!res.data) throw new Error(JSON.stringify(res));
    tenMinute = res
      .data!.sensors.nodes.filter((s: { intervalMinutes: number | null }) => s.intervalMinutes === 10)
      .map((s: { id: string }) => s.id);
  });
  afterAll(async () => {
    gw?.child.kill('SIGKILL');
    await gw?.exited;
  });

  const NOW = Date.now();
  const TEN_YEARS = `from: "${new Date(NOW - 3650 * 86_400_000).toISOString()}", to: "${new Date(NOW).toISOString()}"`;
  const series = (ids: string[], fields: string) =>
    `{ timeSeries(sensorIds: [${ids.map((id) => `"${id}"`).join(', ')}], ${TEN_YEARS}) { ${fields} } }`;

  it(`the attacks get typed errors and the largest allowed requests their answers, under ${CEILING_MB} MB`, async () => {
    let nest = 'id';
    for (let i = 0; i < 7; i++) nest = `location { sensors { ${nest} } }`;
    const attacks: Array<[string, string]> = [
      [series(Array(30).fill(tenMinute[0]), 'points { time value }'), 'MAX_QUERY_COST'],
      [series(tenMinute.slice(0, 24), 'points { time value }'), 'MAX_QUERY_COST'],
      [series(tenMinute.slice(0, 100), 'timestamps values'), 'MAX_QUERY_COST'],
      [`{ sensor(id: "${tenMinute[0]}") { ${nest} } }`, 'MAX_QUERY_DEPTH'],
      [`{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: upstreams { name }`).join(' ')} }`, 'MAX_ALIASES'],
    ];
    for (const [query, limit] of attacks) {
      const res = await gql(gw.url, query, {}, NONE);
      expect(res.status).toBe(400);
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit });
    }
    // Two sensors over ten years as points: the first series (525,601 points) is answered, the
    // second would pass MAX_RESPONSE_POINTS and is left out with its error.
    const largest = await gql(gw.url, series(tenMinute.slice(0, 2), 'points { time value }'), {}, NONE);
    expect(largest.data!.timeSeries[0].points.length).toBeGreaterThan(500_000);
    expect(largest.errors![0]!.extensions!.limit).toBe('MAX_RESPONSE_POINTS');
    // Three such requests at once, on different sensors: MAX_POINTS_IN_FLIGHT lets one in at a time.
    const three = await Promise.all(
      [2, 4, 6].map((k) => gql(gw.url, series(tenMinute.slice(k, k + 2), 'points { time value }'), {}, NONE)),
    );
    for (const r of three) expect(r.data!.timeSeries[0].points.length).toBeGreaterThan(500_000);
    // Alive, and never over the ceiling.
    expect(gw.child.exitCode).toBeNull();
    expect(
      (await gql(gw.url, '{ upstreams { reachable } }', {}, NONE)).data!.upstreams.every((u: { reachable: boolean }) => u.reachable),
    ).toBe(true);
    expect(peakMb(gw.child.pid!)).toBeLessThan(CEILING_MB);
  }, 120_000);
});

describe('shutdown', () => {
  const day = (id: string) =>
    `{ timeSeries(sensorIds: ["${id}"], from: "2026-11-18T00:00:00Z", to: "2026-11-19T00:00:00Z") { sensor { id } count } }`;

  async function inFlight(gw: ChildGateway, delayMs: number, n: number) {
    meetnet.clearLog();
    meetnet.addFault({ route: 'getData', delayMs });
    const answers = tenMinute.slice(0, n).map((id) => gql(gw.url, day(id), {}, NONE));
    // In flight: every one has reached the upstream and waits for its answer.
    await until(() => meetnet.requests('getData').length === n);
    return answers;
  }

  it('SIGTERM with 20 requests in flight: they all finish, new connections are refused, exit code 0', async () => {
    const gw = await startChildGateway(bundle.main, env);
    try {
      const answers = await inFlight(gw, 1500, 20);
      gw.child.kill('SIGTERM');
      await until(() => gw.output().includes('shutting down'));
      const port = Number(new URL(gw.url).port);
      const refused = await new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('connect', () => resolve('connected'));
        s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      const results = await Promise.all(answers);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.errors).toBeUndefined();
        expect(r.data!.timeSeries[0].count).toBeGreaterThan(100);
      }
      expect(await gw.exited).toBe(0);
    } finally {
      meetnet.clearFaults();
      gw.child.kill('SIGKILL');
    }
  }, 30_000);

  it('past SHUTDOWN_GRACE_MS, the requests still running answer what they have (SHUTTING_DOWN) and it exits 0', async () => {
    const gw = await startChildGateway(bundle.main, { ...env, SHUTDOWN_GRACE_MS: '300' });
    try {
      const answers = await inFlight(gw, 20_000, 3);
      gw.child.kill('SIGTERM');
      const results = await Promise.all(answers);
      for (const r of results) {
        expect(r.data!.timeSeries).toEqual([null]);
        expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet', reason: 'SHUTTING_DOWN' });
      }
      expect(await gw.exited).toBe(0);
      expect(gw.output()).toContain('shutdown grace period over');
    } finally {
      meetnet.clearFaults();
      gw.child.kill('SIGKILL');
    }
  }, 30_000);
});
