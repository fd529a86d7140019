// The production build bundles mathjs's ESM entry (scripts/build.ts) so that esbuild keeps only the
// unit parser src/series/units.ts uses; the package entry, left external, would load all of mathjs.
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/build.js';

describe('mathjs in the production bundle', async () => {
  const result = await build({
    ...bundleOptions,
    entryPoints: ['src/series/units.ts'],
    splitting: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile!.outputs).filter((o) => o.entryPoint === 'src/series/units.ts');
  const mathjsInputs = Object.keys(output!.inputs).filter((i) => i.includes('node_modules/mathjs/'));

  it('is bundled from its ESM entry, not imported from node_modules', () => {
    expect(output!.imports.filter((i) => i.external).map((i) => i.path)).not.toContain('mathjs');
    expect(mathjsInputs.length).toBeGreaterThan(50);
    expect(mathjsInputs.every((i) => i.includes('node_modules/mathjs/lib/esm/'))).toBe(true);
  });

  it('keeps the unit parser and leaves most of mathjs out (its expression parser first)', () => {
    const packageFiles = readdirSync('node_modules/mathjs/lib/esm', { recursive: true }).filter((f) => String(f).endsWith('.js'));
    expect(mathjsInputs.some((i) => i.endsWith('type/unit/Unit.js'))).toBe(true);
    expect(mathjsInputs.some((i) => i.includes('/expression/'))).toBe(false);
    expect(mathjsInputs.length).toBeLessThan(packageFiles.length / 4);
  });
});
