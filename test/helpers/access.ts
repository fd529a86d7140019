// The API keys the tests' gateways know: one per kind of client, written once per test process to
// a key file (as hashes, like any key file). Tests send them as a real client would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newApiKey } from '../../src/access/api-keys.js';

const made = {
  /** read and write, every upstream: what the gql helper sends unless told otherwise. */
  admin: newApiKey('tests-admin', ['read', 'write']),
  reader: newApiKey('tests-reader', ['read']),
  writer: newApiKey('tests-writer', ['write']),
  meetnetReader: newApiKey('tests-meetnet-reader', ['read'], ['meetnet']),
  bemserverWriter: newApiKey('tests-bemserver-writer', ['read', 'write'], ['bemserver']),
};

export const KEYS = Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.key])) as Record<keyof typeof made, string>;

export const KEYS_FILE = join(mkdtempSync(join(tmpdir(), 'gw-keys-')), 'api-keys.json');
writeFileSync(
  KEYS_FILE,
  JSON.stringify(
    Object.values(made).map((m) => m.entry),
    null,
    2,
  ),
);

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
