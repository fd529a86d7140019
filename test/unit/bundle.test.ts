// The production bundle (npm run build) holds no simulator code: each simulator is a chunk of its
// own, reached only through its module's dynamic import, and loaded only when no base URL is set.
// mathjs (unit conversion) likewise waits in a chunk of its own until a client asks for a unit.
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/build.js';

const isSimulatorCode = (input: string) => /^src\/simulators\/|^src\/upstreams\/[^/]+\/simulator\//.test(input);

/** The outputs main.js loads when it starts: itself and what it imports statically, transitively. */
function loadedAtStart(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of meta.outputs[out]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen];
}

describe('the production bundle', async () => {
  const result = await build({ ...bundleOptions, write: false, metafile: true, logLevel: 'silent' });
  const meta = result.metafile!;
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === 'src/main.ts')!;

  it('loads no simulator code at start: main.js and the chunks it imports statically hold none', () => {
    const atStart = loadedAtStart(meta, entry);
    const inputs = atStart.flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    expect(inputs.length).toBeGreaterThan(20);
    expect(inputs.filter(isSimulatorCode)).toEqual([]);
    expect(inputs.some((i) => i.endsWith('.json'))).toBe(false); // the recorded catalogue is the simulator's
  });

  it('loads mathjs only when a unit is first asked for: in a chunk reached by a dynamic import', () => {
    const isMathjs = (i: string) => i.includes('node_modules/mathjs/');
    const atStart = loadedAtStart(meta, entry).flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    expect(atStart.filter(isMathjs)).toEqual([]);
    const unitChunks = Object.keys(meta.outputs).filter((o) => Object.keys(meta.outputs[o]!.inputs).includes('src/series/units.ts'));
    expect(unitChunks).toHaveLength(1);
    expect(Object.keys(meta.outputs[unitChunks[0]!]!.inputs).some(isMathjs)).toBe(true);
    expect(meta.outputs[entry]!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)).toContain(unitChunks[0]);
  });

  it('still carries every simulator, each in a chunk reached only by a dynamic import', () => {
    const simulatorChunks = Object.keys(meta.outputs).filter((o) => Object.keys(meta.outputs[o]!.inputs).some(isSimulatorCode));
    for (const name of ['meetnet', 'flexmeasures', 'bemserver']) {
      expect(
        simulatorChunks.some((o) => Object.keys(meta.outputs[o]!.inputs).some((i) => i.startsWith(`src/upstreams/${name}/simulator/`))),
      ).toBe(true);
    }
    const dynamic = meta.outputs[entry]!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    expect(dynamic).toHaveLength(4); // the three simulators and unit conversion
    const atStart = new Set(loadedAtStart(meta, entry));
    expect(simulatorChunks.filter((o) => atStart.has(o))).toEqual([]);
  });
});
