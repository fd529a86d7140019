// `npm start` with no configuration (NODE_ENV=production, as it runs it): the bundle starts, loads the three simulators from their own
// chunks, answers a query over them, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/build.js';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { gql } from '../helpers/graphql.js';

// Inside the repository, so that the bundle finds the packages in node_modules as dist/ does.
const outdir = new URL('../../node_modules/.cache/start-test/', import.meta.url).pathname;

describe('the bundle with no configuration', () => {
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it('runs on its built-in simulators and stops with exit code 0 on SIGTERM', async () => {
    await build({ ...bundleOptions, outdir, logLevel: 'silent' });
    const prefixes = ['REDIS', ...upstreamModules.map((m) => m.envPrefix)];
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !prefixes.some((p) => k.startsWith(`${p}_`))));
    const child = spawn(process.execPath, [`${outdir}main.js`], {
      env: { ...env, PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const banner: string[] = [];
    // The banner's last line points at the README: by then it has said where it listens.
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${banner.join('\n')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        banner.push(line);
        const m = /ready at (http\S+)/.exec(banner.join('\n'));
        if (m && line.includes('See README.md')) resolve(m[1]!);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    const res = await gql(
      url,
      '{ upstreams { name reachable simulated } sensor(id: "meetnet:sensor:MP7WVC") { name } }',
      {},
      { authorization: '' },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.upstreams).toEqual(upstreamModules.map((m) => ({ name: m.name.toUpperCase(), reachable: true, simulated: true })));
    expect(res.data!.sensor.name).toContain('Westhinder');
    for (const m of upstreamModules) expect(banner.join('\n')).toContain(m.realApiHint);
    // The zero-configuration demo says who may do what.
    expect(banner.join('\n')).toMatch(/Clients:\s+none configured: anyone may read, nobody may write/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
