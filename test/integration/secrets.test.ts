// No password or token of the service accounts in a response, whatever an upstream echoes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

// Characters that URL and form encoding change: the echo below is form-encoded.
const PASSWORD = 'p@ss word+&/é-secret';
let sim: MeetnetSimulator;
let app: TestApp;

beforeAll(async () => {
  sim = createMeetnetSimulator({ username: 'svc@example.org', password: PASSWORD });
  const url = await sim.listen();
  app = await startTestApp({ MEETNET_BASE_URL: url, MEETNET_USERNAME: 'svc@example.org', MEETNET_PASSWORD: PASSWORD });
});
afterAll(async () => {
  await app.stop();
  await sim.close();
});

describe('secrets in what an upstream echoes', () => {
  it.each([
    ['as sent (form-encoded)', new URLSearchParams({ grant_type: 'password', username: 'svc@example.org', password: PASSWORD }).toString()],
    ['decoded', `password=${PASSWORD}`],
    ['URL-encoded', `password=${encodeURIComponent(PASSWORD)}`],
  ])('a login refusal that quotes the password %s: the error says the login was refused, never the password', async (_how, echo) => {
    sim.addFault({ route: 'token', times: 1, status: 400, body: JSON.stringify({ Message: `cannot process ${echo}` }) });
    const res = await gql(app.url, '{ sensor(id: "meetnet:sensor:MP7WVC") { name } }');
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'meetnet' });
    expect(res.errors![0]!.message).toContain('[REDACTED]');
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), new URLSearchParams({ p: PASSWORD }).toString().slice(2)]) {
      expect(res.raw).not.toContain(form);
      expect(app.logLines.join('\n')).not.toContain(form);
    }
  });
});
