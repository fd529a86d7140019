// `npm run build`: bundles src/main.ts into dist/ with esbuild. Code splitting puts what is only
// reached through a dynamic import (each upstream's simulator) into chunks of its own, loaded only
// when no base URL is set: dist/main.js and the chunks it imports statically hold no simulator code
// (test/bundle.test.ts checks it on this same configuration).
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

/** The esbuild options of the production bundle. */
export const bundleOptions: BuildOptions = {
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Packages stay in node_modules: the image installs the production dependencies.
  packages: 'external',
  splitting: true,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await build(bundleOptions);
}
