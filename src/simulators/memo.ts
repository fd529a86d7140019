// Benchmarks only: 2xx answers of chosen routes given again, for a while, to identical requests.
import type { SimRequest } from './request.js';
import type { SimHandler, SimResult } from './response.js';

/** Answers kept per request (method, target, Authorization, body) for `ms` of real time. */
export class AnswerMemo {
  private readonly routes: Set<string>;
  private readonly ms: number;
  private readonly answers = new Map<string, { until: number; result: SimResult }>();

  constructor(options: { routes: string[]; ms: number }) {
    this.routes = new Set(options.routes);
    this.ms = options.ms;
  }

  /** The answer kept for an identical request, else `handler`'s (kept when it is a 2xx of one of the routes). */
  async recall(req: SimRequest, handler: SimHandler): Promise<SimResult> {
    const key = `${req.method} ${req.url} ${req.headers.authorization ?? ''} ${req.rawBody}`;
    const kept = this.answers.get(key);
    const now = Date.now();
    if (kept && kept.until > now) return kept.result;
    const result = await handler(req);
    if (result.route && this.routes.has(result.route) && result.status >= 200 && result.status < 300) {
      if (this.answers.size >= 10_000) this.answers.clear();
      const rawBody = result.rawBody ?? (result.body === undefined ? '' : JSON.stringify(result.body));
      this.answers.set(key, { until: now + this.ms, result: { ...result, body: undefined, rawBody } });
    }
    return result;
  }
}
