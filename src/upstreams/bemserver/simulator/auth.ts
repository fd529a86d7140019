// Authentication (§2): HS256 JWTs (§2.3), the access/refresh pair and its lifetimes, the token and refresh routes, the 401 codes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import type { AuthErrorCode, TokenClaims } from '../wire.js';
import type { BemServerSimulatorOptions } from './index.js';
import type { FieldDef } from './resources.js';
import { errorResult, jsonResult } from './responses.js';
import { loadFields } from './validation.js';

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');
const JWT_HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function signJwt(claims: TokenClaims, secret: Buffer): string {
  const payload = `${JWT_HEADER}.${b64url(JSON.stringify(claims))}`;
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** Claims of a valid HS256 token signed with `secret`; null when undecodable or badly signed. */
function verifyJwt(token: string, secret: Buffer): { email: unknown; type: unknown; exp: unknown } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown };
    if (!header || header.alg !== 'HS256') return null; // only HS256 (§2.3)
    const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
    return { email: claims.email, type: claims.type, exp: claims.exp };
  } catch {
    return null;
  }
}

/** The body of `POST /auth/token` (§2.1). */
const LOGIN_FIELDS: FieldDef[] = [
  { name: 'email', type: 'email', required: true },
  { name: 'password', type: 'str', required: true, between: [1, 80] },
];

/** The service account, its tokens and the signing key. */
export class Auth {
  readonly email: string;
  readonly password: string;
  private secret: Buffer = randomBytes(32);
  readonly issued: string[] = [];
  private readonly accessLifetimeS: number;
  private readonly refreshLifetimeS: number;

  constructor(o: Pick<BemServerSimulatorOptions, 'email' | 'password' | 'accessTokenLifetimeSeconds' | 'refreshTokenLifetimeSeconds'>) {
    this.email = o.email ?? 'simulator@example.com';
    this.password = o.password ?? 'simulator';
    this.accessLifetimeS = o.accessTokenLifetimeSeconds ?? 900;
    this.refreshLifetimeS = o.refreshTokenLifetimeSeconds ?? 5_184_000;
  }

  /** A new signing key: every token issued so far is invalid_token from now on. */
  rotateSecret(): void {
    this.secret = randomBytes(32);
  }

  private unauthorized(code: AuthErrorCode): SimResult {
    return { ...errorResult(401, { errors: { authentication: code } }, { 'www-authenticate': 'Bearer' }), authorized: false };
  }

  /** null when the request carries a valid token of the wanted type; else the 400/401 answer (§2.4). */
  authenticate(req: SimRequest, want: 'access' | 'refresh'): SimResult | null {
    const header = req.headers.authorization;
    if (header === undefined) return this.unauthorized('missing_authentication');
    const m = /^(\S+)\s+(\S[\s\S]*)$/.exec(header.replace(/^\s+/, ''));
    if (!m) return { ...errorResult(400), authorized: false }; // no space at all (§1.4)
    if (m[1]!.toLowerCase() !== 'bearer') return this.unauthorized('invalid_scheme');
    const claims = verifyJwt(m[2]!.trim(), this.secret);
    if (!claims || typeof claims.email !== 'string' || typeof claims.type !== 'string') return this.unauthorized('invalid_token');
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== 'number') return this.unauthorized('invalid_token');
      // authlib: expired when exp < now (whole seconds, no leeway) on the SERVER's clock (§2.3).
      if (claims.exp < Math.floor(req.at / 1000)) return this.unauthorized('expired_token');
    }
    if (claims.type !== want) return this.unauthorized('invalid_token'); // wrong token type (§2.2)
    if (claims.email !== this.email) return this.unauthorized('invalid_token'); // unknown user
    return null;
  }

  private issuePair(at: number): SimResult {
    const now = Math.floor(at / 1000);
    const access = signJwt({ email: this.email, exp: now + this.accessLifetimeS, type: 'access' }, this.secret);
    const refresh = signJwt({ email: this.email, exp: now + this.refreshLifetimeS, type: 'refresh' }, this.secret);
    this.issued.push(access, refresh);
    if (this.issued.length > 10_000) this.issued.splice(0, this.issued.length - 10_000);
    return { ...jsonResult(200, { status: 'success', access_token: access, refresh_token: refresh }), authorized: true };
  }

  /** `POST /auth/token`: 200 either way, `{"status":"failure"}` for bad credentials (§2.1). */
  token(req: SimRequest): SimResult {
    const loaded = loadFields(req, LOGIN_FIELDS);
    if ('result' in loaded) return loaded.result;
    const { email, password } = loaded.data;
    if (email !== this.email || password !== this.password) return { ...jsonResult(200, { status: 'failure' }), authorized: false };
    return this.issuePair(req.at);
  }

  /** `POST /auth/token/refresh` with the refresh token: a new pair (§2.2). */
  refresh(req: SimRequest): SimResult {
    return this.authenticate(req, 'refresh') ?? this.issuePair(req.at);
  }
}
