// No password or token of the service accounts in a response or a log line, whatever an upstream
// echoes back: a login's answer never reaches a client (it may quote what was sent), and every
// form a secret takes (as sent, URL- or form-encoded, JSON-escaped, ASCII-only JSON) is redacted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBemServerSimulator, type BemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import { createFlexMeasuresSimulator, type FlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';
import { createMeetnetSimulator, type MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

// Characters that URL, form and JSON encoding change: a space, +, &, /, a quote, a backslash, é.
const PASSWORD = 'p@ss "word"+&/é\\-secret';
const FORMS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  new URLSearchParams({ p: PASSWORD }).toString().slice(2),
  JSON.stringify(PASSWORD).slice(1, -1),
  JSON.stringify(PASSWORD).slice(1, -1).replace('é', '\\u00e9'),
];
let meetnet: MeetnetSimulator;
let flexmeasures: FlexMeasuresSimulator;
let bemserver: BemServerSimulator;
let app: TestApp;

beforeAll(async () => {
  meetnet = createMeetnetSimulator({ username: 'svc@example.org', password: PASSWORD });
  flexmeasures = createFlexMeasuresSimulator({ email: 'svc@example.org', password: PASSWORD });
  bemserver = createBemServerSimulator({ email: 'svc@example.org', password: PASSWORD });
  const [m, f, b] = await Promise.all([meetnet.listen(), flexmeasures.listen(), bemserver.listen()]);
  app = await startTestApp({
    MEETNET_BASE_URL: m,
    MEETNET_USERNAME: 'svc@example.org',
    MEETNET_PASSWORD: PASSWORD,
    FLEXMEASURES_BASE_URL: f,
    FLEXMEASURES_EMAIL: 'svc@example.org',
    FLEXMEASURES_PASSWORD: PASSWORD,
    BEMSERVER_BASE_URL: b,
    BEMSERVER_EMAIL: 'svc@example.org',
    BEMSERVER_PASSWORD: PASSWORD,
  });
});
// Each case refuses a login: the gateway would remember the refusal (no new login for a while), so
// it is forgotten before the next case.
beforeEach(() => Promise.all(['meetnet', 'flexmeasures', 'bemserver'].map((u) => app.store.clearRefusal(u))));
afterAll(async () => {
  await app.stop();
  await Promise.all([meetnet.close(), flexmeasures.close(), bemserver.close()]);
});

function expectNoSecret(raw: string): void {
  for (const form of FORMS) {
    expect(raw).not.toContain(form);
    expect(app.logLines.join('\n')).not.toContain(form);
  }
}

describe('secrets in what an upstream echoes', () => {
  it.each([
    ['as sent (form-encoded)', new URLSearchParams({ grant_type: 'password', username: 'svc@example.org', password: PASSWORD }).toString()],
    ['decoded', `password=${PASSWORD}`],
    ['URL-encoded', `password=${encodeURIComponent(PASSWORD)}`],
  ])(
    'a Meetnet login refusal that quotes the password %s: the client is told the login was refused and what to check, nothing the upstream said',
    async (_how, echo) => {
      meetnet.addFault({ route: 'token', times: 1, status: 400, body: JSON.stringify({ Message: `cannot process ${echo}` }) });
      const res = await gql(app.url, '{ sensor(id: "meetnet:sensor:MP7WVC") { name } }');
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'meetnet', status: 400 });
      expect(res.errors![0]!.message).toBe(
        "Meetnet refused the service account's login (HTTP 400); check MEETNET_USERNAME and MEETNET_PASSWORD",
      );
      expect(res.raw).not.toContain('cannot process');
      expectNoSecret(res.raw);
      // The operator still sees what the upstream said, with the password redacted.
      expect(app.logLines.some((l) => l.includes('cannot process') && l.includes('[REDACTED]'))).toBe(true);
    },
  );

  it('a login that fails with a 500 quoting the request: no upstream text in the error', async () => {
    meetnet.addFault({ route: 'token', times: 1, status: 500, body: JSON.stringify({ Message: `crashed on password=${PASSWORD}` }) });
    const res = await gql(app.url, '{ sensor(id: "meetnet:sensor:MP7WVC") { name } }');
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'meetnet', status: 500 });
    expect(res.raw).not.toContain('crashed');
    expectNoSecret(res.raw);
  });

  it('FlexMeasures and BEMServer logins whose refusals echo the JSON they were sent, escaped as Python writes it', async () => {
    const pythonJson = JSON.stringify({ email: 'svc@example.org', password: PASSWORD }).replace('é', '\\u00e9');
    flexmeasures.addFault({ route: 'token', times: 1, status: 401, body: JSON.stringify({ errors: [`bad login for ${pythonJson}`] }) });
    const fm = await gql(app.url, '{ sensors(upstream: FLEXMEASURES) { totalCount } }');
    expect(fm.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'flexmeasures' });
    expect(fm.raw).not.toContain('bad login');
    expectNoSecret(fm.raw);

    bemserver.addFault({
      route: 'token',
      times: 1,
      status: 422,
      body: JSON.stringify({ errors: { json: { email: [`invalid in ${pythonJson}`] } } }),
    });
    const bem = await gql(app.url, '{ sensors(upstream: BEMSERVER) { totalCount } }');
    expect(bem.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', upstream: 'bemserver' });
    expect(bem.raw).not.toContain('invalid in');
    expectNoSecret(bem.raw);
  });
});
