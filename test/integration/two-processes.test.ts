// Two gateway processes sharing one Redis: however many concurrent queries reach them, the
// upstream sees exactly one login.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { gql } from '../helpers/graphql.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const root = new URL('../..', import.meta.url).pathname;

interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startGateway(env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // Ready when it says so, however long that takes; a gateway that exits instead fails the start.
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready at (http:\/\/\S+\/graphql)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${out}`)));
  });
}

let sim: MeetnetSimulator;
const procs: Proc[] = [];
const password = 'two-process-password';

beforeAll(async () => {
  sim = createMeetnetSimulator({ username: 'replicas@example.org', password });
  const simUrl = await sim.listen();
  const env = {
    PORT: '0',
    LOG_LEVEL: 'info',
    REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    MEETNET_BASE_URL: simUrl,
    MEETNET_USERNAME: 'replicas@example.org',
    MEETNET_PASSWORD: password,
  };
  procs.push(...(await Promise.all([startGateway(env), startGateway(env)])));
});

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGTERM');
  await sim.close();
});

describe('two gateway processes sharing Redis', () => {
  it('log in once between them, however many concurrent queries arrive', async () => {
    sim.latencyMs = 150; // a slow login widens the window in which both replicas want a token
    sim.clearLog();
    const query = '{ sensor(id: "meetnet:sensor:MP7WVC") { id latest { value } } }';
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => gql(procs[i % 2]!.url, query, {}, { authorization: '' })));
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.sensor.id).toBe('meetnet:sensor:MP7WVC');
    }
    expect(sim.requests('token')).toHaveLength(1);
    // Both replicas used that one token.
    expect(sim.requests('catalog').length).toBe(2);
    for (const p of procs) expect(p.output()).not.toContain(password);
  });
});
