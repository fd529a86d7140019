// Rate limiting per token (or per client without one), as HEAD has it: the 429 answer and the
// x-ratelimit-* headers (§2.1, §4.10).
import type { SimRequest, SimResult } from '../../../simulators/index.js';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** The limits library's wording: `1 minute`, `5 minute`, `30 second` (as in "500 per 1 minute", §4.10). */
function windowText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour`;
  if (seconds % 60 === 0) return `${seconds / 60} minute`;
  return `${seconds} second`;
}

export class RateLimiter {
  private readonly hits = new Map<string, { windowStart: number; count: number }>();

  constructor(private rateLimit: RateLimit | null) {}

  /** Whether a limit applies at all. */
  get active(): boolean {
    return Boolean(this.rateLimit);
  }

  /** A new limit (or none); every client starts a fresh window. */
  reset(limit: RateLimit | null): void {
    this.rateLimit = limit;
    this.hits.clear();
  }

  private clientKey(req: SimRequest): string {
    const auth = req.headers.authorization;
    return auth ? `t:${auth}` : `ip:${req.headers['x-forwarded-for'] ?? 'local'}`;
  }

  rateLimited(req: SimRequest): SimResult | null {
    const rl = this.rateLimit;
    if (!rl || req.path.startsWith('/api/v3_0/health')) return null; // health is exempt
    const key = this.clientKey(req);
    const windowMs = rl.windowSeconds * 1000;
    let h = this.hits.get(key);
    if (!h || req.at >= h.windowStart + windowMs) {
      h = { windowStart: req.at, count: 0 };
      this.hits.set(key, h);
    }
    h.count += 1;
    if (h.count <= rl.limit) return null;
    const retryAfter = Math.max(1, Math.ceil((h.windowStart + windowMs - req.at) / 1000));
    return {
      route: 'rateLimited',
      authorized: null,
      status: 429,
      headers: { 'retry-after': String(retryAfter), ...this.rateHeaders(req) },
      body: {
        result: 'Rejected',
        status: 'TOO_MANY_REQUESTS',
        message: `You hit a rate limit. The limit you hit allows ${rl.limit} per ${windowText(rl.windowSeconds)}.`,
      },
    };
  }

  rateHeaders(req: SimRequest): Record<string, string> {
    const rl = this.rateLimit!;
    const h = this.hits.get(this.clientKey(req));
    const used = h?.count ?? 0;
    const reset = Math.ceil(((h?.windowStart ?? req.at) + rl.windowSeconds * 1000) / 1000);
    return {
      'x-ratelimit-limit': String(rl.limit),
      'x-ratelimit-remaining': String(Math.max(0, rl.limit - used)),
      'x-ratelimit-reset': String(reset),
    };
  }
}
