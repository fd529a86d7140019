// `npm run api-key -- --name NAME --scopes read,write [--upstreams meetnet,bemserver] [--file api-keys.json]`:
// prints a new API key (shown once: only its hash is kept) and the entry for the API_KEYS_FILE list;
// with --file, adds the entry to that file (made when missing; it holds hashes only, so a container
// user may read it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newApiKey, SCOPES, type ApiKeyEntry, type Scope } from '../src/access/api-keys.js';
import { upstreamModules } from '../src/upstreams/modules.js';

const usage = `usage: npm run api-key -- --name NAME --scopes ${SCOPES.join(',')} [--upstreams ${upstreamModules.map((m) => m.name).join(',')}] [--file api-keys.json]\n`;
function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    scopes: { type: 'string', default: 'read' },
    upstreams: { type: 'string' },
    file: { type: 'string' },
  },
});
const name = values.name?.trim();
if (!name) fail('--name is required: who holds the key (it is named in the logs, never the key)');
const scopes = (values.scopes ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (scopes.length === 0 || !scopes.every((s) => SCOPES.includes(s as Scope))) fail(`--scopes must be a list of ${SCOPES.join(', ')}`);
const upstreams = values.upstreams
  ?.split(',')
  .map((u) => u.trim())
  .filter(Boolean);
const known = upstreamModules.map((m) => m.name);
if (upstreams?.some((u) => !known.includes(u))) fail(`--upstreams must be a list of ${known.join(', ')}`);

const { key, entry } = newApiKey(name, scopes as Scope[], upstreams);
let where = 'Add this entry to the list in the API_KEYS_FILE';
if (values.file) {
  const list = existsSync(values.file) ? (JSON.parse(readFileSync(values.file, 'utf8')) as ApiKeyEntry[]) : [];
  if (!Array.isArray(list)) fail(`${values.file} does not hold a list of keys`);
  if (list.some((e) => e.name === name)) fail(`${values.file} already has a key named "${name}"`);
  writeFileSync(values.file, `${JSON.stringify([...list, entry], null, 2)}\n`);
  where = `Added to ${values.file} (restart the gateway to use it)`;
}
process.stdout.write(
  `API key for ${entry.name} (shown once; give it to the client, keep only the entry below):\n\n  ${key}\n\n${where}:\n\n  ${JSON.stringify(entry)}\n`,
);
