// `npm run build`: bundles src/main.ts into dist/ with esbuild. Code splitting puts what is only
// reached through a dynamic import (each upstream's simulator) into chunks of its own, loaded only
// when no base URL is set: dist/main.js and the chunks it imports statically hold no simulator code
// (test/bundle.test.ts checks it on this same configuration).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** mathjs's ESM entry, as its package.json's "exports" names it for `import` (esbuild tree-shakes ESM only). */
function mathjsEsmEntry(): string {
  const manifest = createRequire(import.meta.url).resolve('mathjs/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: { '.': { import: string } } };
  return join(dirname(manifest), exports['.'].import);
}

/**
 * mathjs is bundled although packages stay external: its package entry loads all of mathjs (about
 * 1.3 s and 85 MB at start), while src/series/units.ts uses only its unit parser, which esbuild keeps
 * alone (about 330 kB). Its own dependencies (typed-function, decimal.js, …) stay in node_modules.
 */
const bundleMathjs: Plugin = {
  name: 'bundle-mathjs',
  setup(build) {
    build.onResolve({ filter: /^mathjs$/ }, () => ({ path: mathjsEsmEntry() }));
  },
};

/** The esbuild options of the production bundle. */
export const bundleOptions: BuildOptions = {
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Packages stay in node_modules: the image installs the production dependencies (mathjs is also
  // bundled, see bundleMathjs).
  packages: 'external',
  plugins: [bundleMathjs],
  splitting: true,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await build(bundleOptions);
}
