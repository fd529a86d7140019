// `npm run api-key -- --name NAME --scopes read,write [--upstreams meetnet,bemserver]`: prints a new
// API key (shown once: only its hash is kept) and the line to add to the API_KEYS_FILE list.
import { parseArgs } from 'node:util';
import { newApiKey, SCOPES, type Scope } from '../src/access/api-keys.js';

const { values } = parseArgs({
  options: { name: { type: 'string' }, scopes: { type: 'string', default: 'read' }, upstreams: { type: 'string' } },
});
const scopes = (values.scopes ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (!values.name?.trim() || scopes.length === 0 || !scopes.every((s) => SCOPES.includes(s as Scope))) {
  process.stderr.write(`usage: npm run api-key -- --name NAME --scopes ${SCOPES.join(',')} [--upstreams meetnet,flexmeasures]\n`);
  process.exit(2);
}
const upstreams = values.upstreams
  ?.split(',')
  .map((u) => u.trim())
  .filter(Boolean);
const { key, entry } = newApiKey(values.name.trim(), scopes as Scope[], upstreams);
process.stdout.write(
  `API key for ${entry.name} (shown once; give it to the client, keep only the line below):\n\n  ${key}\n\n` +
    `Add this entry to the list in the API_KEYS_FILE:\n\n  ${JSON.stringify(entry)}\n`,
);
