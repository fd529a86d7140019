// API keys, kept as SHA-256 hashes in a JSON file (API_KEYS_FILE): a stolen file gives no key. A
// client sends its key as `Authorization: Bearer <key>` or `x-api-key: <key>`; the gateway hashes
// what it gets and looks the hash up. `npm run api-key` makes a key and the line to add.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type Scope = 'read' | 'write';
export const SCOPES: readonly Scope[] = ['read', 'write'];

export interface ApiKeyEntry {
  /** Who holds it: named in logs, never the key. */
  name: string;
  /** SHA-256 of the key, hex. */
  sha256: string;
  scopes: Scope[];
  /** The upstreams it may reach (by name); all when absent. */
  upstreams?: string[];
}

/** Keys start with a recognisable prefix, so that one pasted in the wrong place is easy to spot. */
const PREFIX = 'mgw_';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key (32 random bytes) and its file entry. */
export function newApiKey(name: string, scopes: Scope[], upstreams?: string[]): { key: string; entry: ApiKeyEntry } {
  const key = PREFIX + randomBytes(32).toString('base64url');
  return { key, entry: { name, sha256: hashKey(key), scopes, ...(upstreams?.length ? { upstreams } : {}) } };
}

/** Reads and checks the key file; every problem is listed (the file is the operator's to fix). */
export function readApiKeys(path: string, knownUpstreams: readonly string[]): { entries: ApiKeyEntry[]; problems: string[] } {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return {
      entries: [],
      problems: [`API_KEYS_FILE ${path} cannot be read as JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`],
    };
  }
  if (!Array.isArray(raw)) return { entries: [], problems: [`API_KEYS_FILE ${path} must hold a list of keys`] };
  const entries: ApiKeyEntry[] = [];
  const names = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const where = `API_KEYS_FILE entry ${i + 1}`;
    const e = item as Partial<Record<keyof ApiKeyEntry, unknown>> | null;
    if (!e || typeof e !== 'object') return void problems.push(`${where} is not an object`);
    const name = typeof e.name === 'string' && e.name.trim() ? e.name.trim() : null;
    if (!name) problems.push(`${where} has no name`);
    else if (names.has(name)) problems.push(`${where}: the name "${name}" is used twice`);
    else names.add(name);
    const sha = typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.sha256) ? e.sha256.toLowerCase() : null;
    if (!sha) problems.push(`${where} (${name ?? '?'}): sha256 must be 64 hex digits (the SHA-256 of the key, not the key)`);
    const scopes = Array.isArray(e.scopes) ? e.scopes : null;
    if (!scopes || scopes.length === 0 || !scopes.every((s): s is Scope => SCOPES.includes(s as Scope))) {
      problems.push(`${where} (${name ?? '?'}): scopes must be a non-empty list of ${SCOPES.join(', ')}`);
    }
    const upstreams = e.upstreams;
    if (
      upstreams !== undefined &&
      (!Array.isArray(upstreams) || !upstreams.every((u) => typeof u === 'string' && knownUpstreams.includes(u)))
    ) {
      problems.push(`${where} (${name ?? '?'}): upstreams must be a list of ${knownUpstreams.join(', ')}`);
    }
    if (name && sha && scopes && problems.length === 0) {
      entries.push({
        name,
        sha256: sha,
        scopes: scopes as Scope[],
        ...(upstreams !== undefined ? { upstreams: upstreams as string[] } : {}),
      });
    }
  });
  return { entries: problems.length ? [] : entries, problems };
}
