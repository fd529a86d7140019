// The GraphQL-over-HTTP audit of the graphql-http package, run against the live server:
// every MUST audit passes.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('graphql-http server audits', () => {
  // The audits are listed before the server starts; the URL is read when each one runs.
  const audits = serverAudits({ url: () => app.url });
  for (const audit of audits) {
    if (!audit.name.startsWith('MUST')) continue;
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result, `${result.status}: ${'reason' in result ? result.reason : ''}`).toMatchObject({ status: 'ok' });
    });
  }

  it('runs every MUST audit of the package (13 in graphql-http 1.x)', () => {
    expect(audits.filter((a) => a.name.startsWith('MUST')).length).toBeGreaterThanOrEqual(13);
  });
});
