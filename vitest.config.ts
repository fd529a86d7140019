import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// graphql 16 ships CJS (main) and ESM (module) builds. Node loads the CJS one for type-graphql and
// Apollo; make Vite load that same copy for our code, or `instanceof GraphQLScalarType` fails.
const resolve = { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] };

export default defineConfig({
  resolve,
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    pool: 'forks',
    // `npm test` runs every project; `npx vitest run --project unit` (or integration, e2e) one of them.
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          // Pure code: no server, no Redis, no network.
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          // Real HTTP to the simulators and a real Redis: give them room, not speed goals.
          include: ['test/integration/**/*.test.ts'],
          // Apollo Gateway (the federation tests) otherwise probes cloud metadata addresses and sends
          // metrics to apollographql.com: nothing may leave loopback.
          env: { APOLLO_TELEMETRY_DISABLED: '1' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        resolve,
        test: {
          name: 'e2e',
          // A real browser (Debian's chromium, driven by playwright-core) on pages served over loopback.
          include: ['test/e2e/**/*.test.ts'],
          env: { APOLLO_TELEMETRY_DISABLED: '1' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
