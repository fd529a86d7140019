// `npm run test:upstreams`: the conformance suite and the gateway against the real FlexMeasures and
// BEMServer that scripts/real-upstreams/start runs (issue 14). Not part of `npm test`, which needs
// no Python servers.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  { resolve: base.resolve },
  defineConfig({
    test: {
      name: 'upstreams',
      include: ['test/upstreams/**/*.test.ts'],
      reporters: ['default'],
      pool: 'forks',
      // One file at a time: the real servers are single Flask processes, and the rate-limit cases count requests.
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  }),
);
