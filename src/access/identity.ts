// Who is calling: a client known by its API key (API_KEYS_FILE) or by a JWT verified against a
// JWKS (JWKS_URL, issuer, audience), with its scopes (`read` for queries, `write` for mutations)
// and, optionally, the upstreams it may reach; or nobody, where anonymous reads are allowed.
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { hashKey, SCOPES, type ApiKeyEntry, type Scope } from './api-keys.js';

export interface Client {
  /** The key's name or the token's subject; `anonymous` without credentials. */
  name: string;
  kind: 'api-key' | 'jwt' | 'anonymous';
  scopes: ReadonlySet<Scope>;
  /** The upstreams it may reach; null: all. */
  upstreams: ReadonlySet<string> | null;
}

/** Credentials were sent and are no good, or none were sent where they are required. */
export class Unauthenticated extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Unauthenticated';
  }
}

/** Tokens cannot be checked now: the JWKS did not answer, or answered no key set. */
export class VerifierUnavailable extends Error {
  constructor(cause: unknown) {
    super('tokens cannot be verified right now: try again shortly', { cause });
    this.name = 'VerifierUnavailable';
  }
}

/** jose's errors that are about the key set's server, not the token. */
const JWKS_FAULTS = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export interface AuthenticatorOptions {
  apiKeys: readonly ApiKeyEntry[];
  jwt: { jwksUrl: string; issuer: string; audience: string; scopesClaim: string; upstreamsClaim: string } | null;
  anonymousRead: boolean;
}

export interface Authenticator {
  /** The client of a request; throws Unauthenticated. */
  authenticate(headers: IncomingHttpHeaders): Promise<Client>;
  /** How clients are told apart, for the start banner. */
  readonly describe: string;
}

const ANONYMOUS: Client = { name: 'anonymous', kind: 'anonymous', scopes: new Set(['read']), upstreams: null };

function credentialOf(headers: IncomingHttpHeaders): string | null {
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key.trim()) return key.trim();
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth.trim()) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) throw new Unauthenticated('the Authorization header must be "Bearer <API key or token>"');
  return m[1]!;
}

function scopesFrom(value: unknown): Set<Scope> {
  const list = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  return new Set(list.filter((s): s is Scope => SCOPES.includes(s as Scope)));
}

export function createAuthenticator(o: AuthenticatorOptions): Authenticator {
  // Looked up by the key's hash: how long the lookup takes can tell an attacker about hashes of
  // keys it made up, never about a real key (SHA-256 has no useful partial preimage).
  const byHash = new Map<string, Client>(
    o.apiKeys.map((e) => [
      e.sha256,
      { name: e.name, kind: 'api-key', scopes: new Set(e.scopes), upstreams: e.upstreams ? new Set(e.upstreams) : null },
    ]),
  );
  const jwks = o.jwt ? createRemoteJWKSet(new URL(o.jwt.jwksUrl)) : null;
  const looksLikeJwt = (c: string) => c.split('.').length === 3;

  async function fromJwt(token: string): Promise<Client> {
    const jwt = o.jwt!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks!, { issuer: jwt.issuer, audience: jwt.audience }));
    } catch (err) {
      // A fetch that failed (not a JOSEError) or a key set that timed out is the JWKS's fault.
      if (!(err instanceof errors.JOSEError) || JWKS_FAULTS.has(err.code)) throw new VerifierUnavailable(err);
      // jose says why (expired, wrong audience…); the client is told only that the token is refused.
      throw new Unauthenticated('the token is not valid here (signature, issuer, audience or expiry)');
    }
    const upstreams = payload[jwt.upstreamsClaim];
    return {
      name: typeof payload.sub === 'string' ? payload.sub : 'jwt',
      kind: 'jwt',
      scopes: scopesFrom(payload[jwt.scopesClaim]),
      upstreams: Array.isArray(upstreams) ? new Set(upstreams.filter((u): u is string => typeof u === 'string')) : null,
    };
  }

  function fromKey(key: string): Client | null {
    return byHash.get(hashKey(key)) ?? null;
  }

  const ways = [o.apiKeys.length > 0 ? 'API keys' : null, o.jwt ? 'JWTs' : null].filter(Boolean).join(' and ');
  return {
    describe: ways
      ? `${ways}${o.anonymousRead ? '; anonymous reads allowed' : ''}`
      : o.anonymousRead
        ? 'none configured: anyone may read, nobody may write (set API_KEYS_FILE or JWKS_URL)'
        : 'none configured and anonymous reads off: every request is refused',
    async authenticate(headers) {
      const credential = credentialOf(headers);
      if (credential === null) {
        if (o.anonymousRead) return ANONYMOUS;
        throw new Unauthenticated('send an API key (Authorization: Bearer <key>, or x-api-key) or a token');
      }
      const byKey = fromKey(credential);
      if (byKey) return byKey;
      if (jwks && looksLikeJwt(credential)) return fromJwt(credential);
      throw new Unauthenticated('this API key or token is not known here');
    },
  };
}
