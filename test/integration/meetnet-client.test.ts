// The Meetnet client (got, one instance) against the simulator over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../src/auth/token-store.js';
import { TokenProvider } from '../../src/auth/token-provider.js';
import { GatewayError } from '../../src/shared/errors.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { UpstreamHttp, type AuthScheme } from '../../src/upstreams/http-client.js';
import { MeetnetClient } from '../../src/upstreams/meetnet/client.js';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const secrets = new SecretRegistry();
// Kept, so that tests can read what the operator is told (an upstream's reason for refusing a login).
const logLines: string[] = [];
const logger = createLogger({ level: 'warn', secrets, write: (line) => logLines.push(line) });

let sim: MeetnetSimulator;
let http: UpstreamHttp;

function clientFor(lifetimeSeconds?: number, clock?: () => number): MeetnetClient {
  const login = new MeetnetClient(http, null);
  const tokens = new TokenProvider({
    key: 'meetnet',
    store: new MemoryTokenStore(),
    login: async () => {
      const r = await login.login('client@example.org', 'client-test-pw');
      return lifetimeSeconds ? { ...r, expiresInMs: lifetimeSeconds * 1000 } : r;
    },
    secrets,
    logger,
    clock,
  });
  const auth: AuthScheme = { getToken: () => tokens.getToken(), invalidate: (t) => tokens.invalidate(t), header: (t) => `Bearer ${t}` };
  return new MeetnetClient(http, auth);
}

beforeAll(async () => {
  sim = createMeetnetSimulator({ username: 'client@example.org', password: 'client-test-pw', clock: () => NOW, unordered: true });
  const url = await sim.listen();
  http = new UpstreamHttp({ upstream: 'meetnet', label: 'Meetnet', baseUrl: url, timeoutMs: 2000, retries: 1, logger });
});
afterAll(() => sim.close());

describe('MeetnetClient', () => {
  it('logs in with the form-encoded password grant at /Token', async () => {
    const r = await new MeetnetClient(http, null).login('client@example.org', 'client-test-pw');
    expect(r.token.length).toBeGreaterThan(10);
    expect(r.expiresInMs).toBe(3_599_000);
    const call = sim.requests('token').at(-1)!;
    expect(call.path).toBe('/Token');
    expect(call.body).toMatchObject({ grant_type: 'password', username: 'client@example.org' });
  });

  it('a refused login is UPSTREAM_AUTH_FAILED, never retried, without the password', async () => {
    sim.clearLog();
    const err = await new MeetnetClient(http, null).login('client@example.org', 'wrong-password-x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('UPSTREAM_AUTH_FAILED');
    expect((err as GatewayError).message).toBe(
      "Meetnet refused the service account's login (HTTP 400); check MEETNET_USERNAME and MEETNET_PASSWORD",
    );
    // What Meetnet said is the operator's, in the log.
    expect(logLines.at(-1)).toContain('Login failed');
    expect(sim.requests('token')).toHaveLength(1);
  });

  it('pings without a token', async () => {
    expect(await new MeetnetClient(http, null).ping()).toEqual({ Customer: null });
  });

  it('reads the catalog, currentData filtered by IDs, and getData re-keyed and sorted', async () => {
    const client = clientFor();
    const catalog = await client.catalog();
    expect(catalog.sensors).toHaveLength(165);

    const latest = await client.currentData(['MP7WVC', 'A2BGHA', 'NOPE00']);
    expect([...latest.keys()].sort()).toEqual(['A2BGHA', 'MP7WVC']);
    expect(sim.requests('currentData').at(-1)!.body).toEqual({ IDs: ['MP7WVC', 'A2BGHA', 'NOPE00'] });

    // The simulator runs with `unordered`: shuffled points with duplicates, as the real server sometimes sends.
    const data = await client.getData(['MP7WVC', 'MP7WRS'], NOW - 6 * HOUR, NOW);
    for (const id of ['MP7WVC', 'MP7WRS']) {
      const s = data.get(id)!;
      expect(s.times.length).toBeGreaterThan(30);
      for (let i = 1; i < s.times.length; i++) expect(s.times[i]!).toBeGreaterThan(s.times[i - 1]!);
      expect(s.times[0]!).toBeGreaterThanOrEqual(NOW - 6 * HOUR);
      expect(s.times.at(-1)!).toBeLessThanOrEqual(NOW);
    }
    const body = sim.requests('getData').at(-1)!.body as Record<string, unknown>;
    expect(body).toEqual({ StartTime: '2026-11-20T06:00:00.000Z', EndTime: '2026-11-20T12:00:00.000Z', IDs: ['MP7WVC', 'MP7WRS'] });
  });

  it('retries an idempotent read once on 503, then answers', async () => {
    const client = clientFor();
    await client.currentData(['MP7WVC']); // token in hand
    sim.clearLog();
    sim.addFault({ route: 'currentData', status: 503, times: 1 });
    const latest = await client.currentData(['MP7WVC']);
    expect(latest.get('MP7WVC')).toBeDefined();
    expect(sim.requests('currentData').map((r) => r.status)).toEqual([503, 200]);
  });

  it('a token past its lifetime is replaced before use: no 401 round trip', async () => {
    let now = NOW;
    const client = clientFor(2, () => now);
    await client.currentData(['MP7WVC']);
    now += 3000;
    sim.clearLog();
    await client.currentData(['MP7WVC']);
    expect(sim.requests('token')).toHaveLength(1);
    expect(sim.requests('currentData').map((r) => r.status)).toEqual([200]);
  });
});
