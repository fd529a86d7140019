// `npm start` with no configuration (NODE_ENV=production, as it runs it): the bundle starts, loads the three simulators from their own
// chunks, answers a query over them, and stops cleanly on SIGTERM.
import { afterAll, describe, expect, it } from 'vitest';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { buildBundle, cleanEnv, startChildGateway } from '../helpers/child-gateway.js';
import { gql } from '../helpers/graphql.js';

let remove: (() => Promise<void>) | undefined;

describe('the bundle with no configuration', () => {
  afterAll(() => remove?.());

  it('runs on its built-in simulators and stops with exit code 0 on SIGTERM', async () => {
    const bundle = await buildBundle('start-test');
    remove = bundle.remove;
    const gw = await startChildGateway(bundle.main, { ...cleanEnv(), LOG_LEVEL: 'warn', NODE_ENV: 'production' });
    const banner = gw.output();
    const url = gw.url;
    const exited = gw.exited;
    const child = gw.child;

    const res = await gql(
      url,
      '{ upstreams { name reachable simulated } sensor(id: "meetnet:sensor:MP7WVC") { name } }',
      {},
      { authorization: '' },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.upstreams).toEqual(upstreamModules.map((m) => ({ name: m.name.toUpperCase(), reachable: true, simulated: true })));
    expect(res.data!.sensor.name).toContain('Westhinder');
    for (const m of upstreamModules) expect(banner).toContain(m.realApiHint);
    // The zero-configuration demo says who may do what.
    expect(banner).toMatch(/Clients:\s+none configured: anyone may read, nobody may write/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
