// The getData reader on the bytes the simulator sends over HTTP: it answers what JSON.parse +
// mapGetData answer, on a year of several series, sorted or shuffled with repeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGetData } from '../../src/upstreams/meetnet/getdata-reader.js';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { iso, same } from '../helpers/getdata.js';

describe("readGetData on the simulator's bodies, over HTTP", () => {
  const NOW = Date.parse('2026-11-20T12:00:00Z');
  const sims: MeetnetSimulator[] = [];
  let urls: string[] = [];
  beforeAll(async () => {
    for (const unordered of [false, true])
      sims.push(
        createMeetnetSimulator({ username: 'u@example.org', password: 'reader-test-pw', clock: () => NOW, unordered, gapRate: 0.05 }),
      );
    urls = await Promise.all(sims.map((s) => s.listen()));
  });
  afterAll(() => Promise.all(sims.map((s) => s.close())));

  it('reads a year of several series, sorted or shuffled with repeats, as mapGetData does', async () => {
    for (const url of urls) {
      const login = await fetch(`${url}/Token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: 'u@example.org', password: 'reader-test-pw' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const res = await fetch(`${url}/V2/getData`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ StartTime: iso(NOW - 365 * 86_400_000), EndTime: iso(NOW), IDs: ['MP7WVC', 'A2BGHA', 'NOSUCH'] }),
      });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      same(body);
      expect(readGetData(body)!.get('MP7WVC')!.times.length).toBeGreaterThan(40_000);
    }
  });
});
