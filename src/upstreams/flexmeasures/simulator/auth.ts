// Auth: the service account, tokens from POST /api/requestAuthToken, their check on protected routes,
// and the 401 body.
import { randomBytes } from 'node:crypto';
import type { SimRequest, SimResult } from '../../../simulators/index.js';
import { FM_401_MESSAGE } from '../wire.js';

interface Token {
  expires: number;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

export class Auth {
  readonly tokens = new Map<string, Token>();
  readonly issued: string[] = [];

  /** `head`: answer as a current server (webargs validation, escaped echo) rather than v0.12 (§2.4). */
  constructor(
    readonly email: string,
    readonly password: string,
    private readonly lifetimeMs: number,
    private readonly head: boolean,
  ) {}

  login(req: SimRequest): SimResult {
    const fail = (status: number, text: string): SimResult => ({ authorized: false, status, body: { errors: [text], status } });
    const json =
      req.bodyKind === 'json' && req.body !== null && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : null;
    // A current server reads any body that is not a JSON object (none, a form, text) as {} and lets
    // webargs name the missing fields (real server 1.0.1, conformance suite).
    // JSON that does not parse is Werkzeug's own 400 there (real server 1.0.1).
    if (this.head && req.bodyKind === 'json' && req.bodyError !== null) {
      return {
        authorized: false,
        status: 400,
        body: { message: 'The browser (or proxy) sent a request that this server could not understand.', status: 400 },
      };
    }
    const body = this.head ? (json ?? {}) : json;
    if (!body) return fail(400, 'Content-type of request must be application/json');
    const email = body.email;
    const password = body.password;
    if (this.head && (typeof email !== 'string' || typeof password !== 'string')) {
      // HEAD validates with webargs first (§2.4).
      const wrong: Record<string, string[]> = {};
      const check = (field: string, v: unknown) => {
        if (typeof v !== 'string') {
          wrong[field] = [
            v === undefined ? 'Missing data for required field.' : v === null ? 'Field may not be null.' : 'Not a valid string.',
          ];
        }
      };
      check('email', email);
      check('password', password);
      return { authorized: false, status: 422, body: { message: { json: wrong }, result: 'Rejected', status: 'UNPROCESSABLE_ENTITY' } };
    }
    if (typeof email !== 'string' || email === '') return fail(400, "Please provide the 'email' parameter.");
    if (email.toLowerCase() !== this.email.toLowerCase()) {
      // HEAD escapes the e-mail it echoes (§2.4).
      const shown = this.head ? escapeHtml(email.slice(0, 200)) : email.slice(0, 200);
      return fail(404, `User with email '${shown}' does not exist`);
    }
    // v0.12 answers a missing password with HTTP 200 and an `errors` body (§2.4).
    if (typeof password !== 'string' || password === '') return fail(200, "Please provide the 'password' parameter.");
    if (password !== this.password) return fail(401, 'User password does not match.');
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { expires: req.at + this.lifetimeMs });
    this.issued.push(token);
    if (this.issued.length > 10_000) this.issued.shift();
    if (this.tokens.size > 10_000) for (const [t, v] of this.tokens) if (v.expires <= req.at) this.tokens.delete(t);
    return { authorized: true, status: 200, body: { auth_token: token, user_id: 1, status: 200 } };
  }

  /** `Authorization: <token>`, no Bearer prefix (§2.1). */
  authorized(req: SimRequest): boolean {
    const raw = req.headers.authorization;
    if (typeof raw !== 'string' || raw === '') return false;
    const t = this.tokens.get(raw);
    return t !== undefined && req.at < t.expires;
  }
}

export function unauthorized(route: string, type?: string): SimResult {
  return {
    route,
    authorized: false,
    status: 401,
    body: { message: FM_401_MESSAGE, status: 'UNAUTHORIZED', ...(type ? { type } : {}) },
  };
}
