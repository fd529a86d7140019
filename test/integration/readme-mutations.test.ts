// The README's mutations, as written, on the simulators with a key that may write: each answers
// without errors (a new user copies them; the price write to the public market once answered
// data: null with INVALID_SENDER). The queries are checked by test/upstreams/readme-queries.test.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const mutations = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((q) => q.trimStart().startsWith('mutation'));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

it('the README has mutations to copy', () => {
  expect(mutations.length).toBeGreaterThanOrEqual(2);
});

it.each(mutations.map((m) => [/\{\s*(\w+)/.exec(m.slice(m.indexOf('{')))![1]!, m]))(
  '%s, as the README writes it, is processed',
  async (_name, mutation) => {
    const res = await gql(app.url, mutation);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    for (const result of Object.values(res.data!)) expect((result as { status: string }).status).toMatch(/^(PROCESSED|ALREADY_RECEIVED)$/);
  },
);
