// Login and tokens of the simulated Meetnet API: the /Token route, token issue, expiry and checks, the 401 answer.
import { randomBytes } from 'node:crypto';
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { MEETNET_401_MESSAGE, MEETNET_LOGIN_FAILED_MESSAGE, type TokenResponse } from '../wire.js';
import type { MeetnetSimulatorOptions } from './index.js';

/** The token of a Bearer Authorization header: null without the header, '' when it is not a Bearer one. */
export function bearerToken(req: SimRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^bearer\s+(\S+)\s*$/i.exec(h); // `Bearer`/`bearer` both work (§8.2)
  return m ? m[1]! : '';
}

/** The 401 of `[Authorize]` on the data routes, Web API's `{"Message": …}` with a Bearer challenge. */
export function unauthorized(route: string): SimResult {
  return {
    route,
    authorized: false,
    status: 401,
    headers: { 'www-authenticate': 'Bearer' },
    body: { Message: MEETNET_401_MESSAGE },
  };
}

/** The one service account, the tokens issued to it and their expiry. */
export class MeetnetAuth {
  readonly username: string;
  readonly password: string;
  /** token → expiry on the simulator clock (ms). */
  readonly tokens = new Map<string, number>();
  /** Every token handed out, for tests that check no secret leaks. */
  readonly issued: string[] = [];
  private readonly lifetimeS: number;
  private readonly loginFailure: 'message' | 'oauth';

  constructor(o: MeetnetSimulatorOptions) {
    this.username = o.username ?? 'simulator@example.com';
    this.password = o.password ?? 'simulator';
    this.lifetimeS = o.tokenLifetimeSeconds ?? 3599;
    this.loginFailure = o.loginFailure ?? 'message';
  }

  isAuthorized(req: SimRequest): boolean {
    const token = bearerToken(req);
    if (!token) return false;
    const expires = this.tokens.get(token);
    return expires !== undefined && req.at < expires;
  }

  /** POST /Token: the OAuth password grant of ASP.NET Identity. */
  token(req: SimRequest): SimResult {
    // OWIN reads form fields only; a JSON body has no grant_type (§2, §8.1).
    const form = req.bodyKind === 'form' ? (req.body as Record<string, string | string[]>) : {};
    const one = (k: string): string | undefined => {
      const v = form[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const noCache = { 'cache-control': 'no-cache', pragma: 'no-cache', expires: '-1' };
    if (one('grant_type') !== 'password') {
      return { route: 'token', authorized: null, status: 400, headers: noCache, body: { error: 'unsupported_grant_type' } };
    }
    // ASP.NET Identity user names are case-insensitive; passwords are not.
    const userOk = (one('username') ?? '').toLowerCase() === this.username.toLowerCase();
    if (!userOk || one('password') !== this.password) {
      const body =
        this.loginFailure === 'oauth'
          ? { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }
          : { Message: MEETNET_LOGIN_FAILED_MESSAGE }; // what De-Wind-Nu tests for (§2)
      return { route: 'token', authorized: false, status: 400, headers: noCache, body };
    }
    const token = randomBytes(48).toString('base64url');
    const issued = Math.floor(req.at / 1000) * 1000;
    const expires = issued + this.lifetimeS * 1000;
    this.tokens.set(token, expires);
    this.issued.push(token);
    if (this.issued.length > 10_000) this.issued.shift();
    if (this.tokens.size > 10_000) {
      for (const [t, exp] of this.tokens) if (exp <= req.at) this.tokens.delete(t);
    }
    // Key order of the ASP.NET Identity template; RFC 1123 dates (§2).
    const body: TokenResponse = {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.lifetimeS,
      userName: this.username,
      '.issued': new Date(issued).toUTCString(),
      '.expires': new Date(expires).toUTCString(),
    };
    return { route: 'token', authorized: true, status: 200, headers: noCache, body };
  }
}
