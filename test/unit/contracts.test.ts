// Each upstream's contract is in its folder (src/upstreams/<name>/CONTRACT.md), and every `§`
// reference of the code and the tests points at a section that exists there: inside an upstream's
// folder and its tests, a bare `§4.2` means that upstream's contract; anywhere else a reference
// names the contract (`meetnet CONTRACT.md §4.2`). The contracts' links to files resolve too.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { upstreamModules } from '../../src/upstreams/modules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'fixtures' || name === 'generated' ? [] : files(path, keep);
    return keep(path) ? [path] : [];
  });
}

/** The section numbers a contract has: `## 5. …` → 5, `### 5.2 …` → 5.2. */
function sections(contract: string): Set<string> {
  const out = new Set<string>();
  for (const m of contract.matchAll(/^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]!);
  return out;
}

/** The sections a line refers to: `§3.7`, ranges `§3.7–3.12` and `§3.7–§3.12`, lists `§1, §2`. */
function references(line: string): string[] {
  return [...line.matchAll(/§(\d+(?:\.\d+)*)(?:\s*[–-]\s*§?(\d+(?:\.\d+)*))?/g)].flatMap((m) => (m[2] ? [m[1]!, m[2]] : [m[1]!]));
}

const code = [
  ...files('src', (p) => p.endsWith('.ts')),
  ...files('test', (p) => p.endsWith('.ts')),
  ...files('scripts', (p) => p.endsWith('.ts')),
];
const names = upstreamModules.map((m) => m.name);
const contracts = new Map(names.map((n) => [n, readFileSync(join(root, 'src/upstreams', n, 'CONTRACT.md'), 'utf8')]));

/** The upstream a file's bare references mean: its folder's, or its test's name (`meetnet-mapping.test.ts`). */
function ownerOf(path: string): string | null {
  return names.find((n) => path.startsWith(`src/upstreams/${n}/`) || new RegExp(`^test/.*/${n}-[^/]+\\.test\\.ts$`).test(path)) ?? null;
}

describe('the upstream contracts', () => {
  it.each(names)('%s: every § reference of its code and tests names a section of its CONTRACT.md', (name) => {
    const known = sections(contracts.get(name)!);
    expect(known.size).toBeGreaterThan(20);
    const missing: string[] = [];
    let seen = 0;
    for (const path of code) {
      const owner = ownerOf(path);
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // Elsewhere, a reference says whose contract it is: `meetnet CONTRACT.md §4.2`.
          const named = new RegExp(`\\b${name} CONTRACT\\.md (§.*)`).exec(line);
          const refs = owner === name ? references(line) : named ? references(named[1]!) : [];
          for (const ref of refs) {
            seen++;
            if (!known.has(ref)) missing.push(`${path}:${i + 1} §${ref}`);
          }
        });
    }
    expect(seen).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('a § reference outside an upstream folder and its tests names the contract it means', () => {
    const unnamed: string[] = [];
    // This file speaks of references in general.
    for (const path of code.filter((p) => ownerOf(p) === null && !p.endsWith('contracts.test.ts'))) {
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.includes('§') && !/\b\w+ CONTRACT\.md §/.test(line)) unnamed.push(`${path}:${i + 1}`);
        });
    }
    expect(unnamed).toEqual([]);
  });

  it('no code points at a contract outside the repository (whoever clones it could not follow it)', () => {
    const outside = code.filter(
      (p) => !p.endsWith('contracts.test.ts') && readFileSync(join(root, p), 'utf8').includes('shared/upstreams'),
    );
    expect(outside).toEqual([]);
  });

  it.each(names)('%s: the links of its CONTRACT.md point at files of the repository', (name) => {
    const dir = join(root, 'src/upstreams', name);
    const text = contracts.get(name)!;
    // Inline links `[x](path)` and reference definitions `[x]: path`.
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g), ...text.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
    const links = targets.filter((t) => !/^(https?:|#)/.test(t)).map((t) => t.split('#')[0]!);
    expect(links.length).toBeGreaterThan(0);
    const broken = links.filter((l) => !existsSync(resolve(dir, decodeURIComponent(l))));
    expect(broken.map((l) => relative(root, resolve(dir, l)))).toEqual([]);
    expect(dirname(join(dir, 'CONTRACT.md'))).toBe(dir);
  });
});
