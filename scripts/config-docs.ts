// `npm run config:docs`: writes .env.example and the configuration table of README.md from the
// settings' own declarations (src/config.ts and each upstream's module), so that the three never
// disagree. A test fails when either file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configDocs } from '../src/config.js';
import type { SettingDoc } from '../src/settings.js';
import type { UpstreamModule } from '../src/upstreams/module.js';
import { upstreamModules } from '../src/upstreams/modules.js';

export const README_START = '<!-- configuration: written by `npm run config:docs` -->';
export const README_END = '<!-- configuration end -->';

const meaning = (row: SettingDoc) =>
  row.values ? `${row.doc.replace(/\.$/, '')}; one of ${row.values.map((v) => `\`${v}\``).join(', ')}` : row.doc;

/** The README's configuration tables: one per group (the gateway, then each upstream). */
export function configTable(modules: readonly UpstreamModule[]): string {
  return configDocs(modules)
    .map(({ title, rows }) =>
      [
        `**${title}**`,
        '',
        '| variable | default | meaning |',
        '|---|---|---|',
        ...rows.map(
          (r) =>
            `| \`${r.variable}\` | ${r.shownDefault === 'unset' ? 'unset' : `\`${r.shownDefault}\``} | ${meaning(r).replaceAll('|', '\\|')} |`,
        ),
      ].join('\n'),
    )
    .join('\n\n');
}

/** Text as comment lines of at most `width` characters. */
function comment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

/** .env.example: every variable, commented out at its default (or an example where it has none). */
export function envExample(modules: readonly UpstreamModule[]): string {
  const lines = [
    '# Copy to .env (docker compose reads it) or export these before `npm start`. Every variable is',
    '# optional: an upstream without its *_BASE_URL runs on its built-in simulator. Written by',
    '# `npm run config:docs` from the settings themselves; README.md (Configuration) says the same.',
  ];
  for (const { title, rows } of configDocs(modules)) {
    lines.push('', `# ---- ${title.replaceAll('`', '')}`);
    for (const r of rows) {
      lines.push('', ...comment(meaning(r).replaceAll('`', '')));
      lines.push(`# ${r.variable}=${r.shownDefault === 'unset' ? (r.example ?? '') : r.shownDefault}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** README.md with its configuration section rewritten. */
export function readmeWithConfig(readme: string, modules: readonly UpstreamModule[]): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${README_START}" … "${README_END}" section`);
  return `${readme.slice(0, start + README_START.length)}\n\n${configTable(modules)}\n\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = new URL('..', import.meta.url);
  const readme = fileURLToPath(new URL('README.md', root));
  writeFileSync(readme, readmeWithConfig(readFileSync(readme, 'utf8'), upstreamModules));
  writeFileSync(fileURLToPath(new URL('.env.example', root)), envExample(upstreamModules));
  process.stdout.write('wrote README.md (Configuration) and .env.example\n');
}
