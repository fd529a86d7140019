// Readiness (`GET /readyz`): whether the gateway can serve, and what it would serve with. Redis
// (tokens shared between replicas: without it they stay in memory, so the gateway still serves)
// and each upstream: reachable now (its status probe, at most one every few seconds whatever the
// number of probes), its circuit breaker, its last success and failure. 503, naming what fails,
// when no upstream can answer or the gateway is stopping; 200 "degraded" when some part is down.
import type { UpstreamPolicy } from './upstreams/policy.js';
import type { UpstreamRegistry } from './upstreams/registry.js';
import { ErrorCode, GatewayError } from './shared/errors.js';
import { unreachableStatus, type UpstreamStatus } from './upstreams/upstream.js';

export interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  /** What is down, in words: empty when ready. */
  failing: string[];
  redis: 'up' | 'down' | 'not configured';
  upstreams: Record<
    string,
    {
      reachable: boolean;
      breaker: string;
      latencyMs: number | null;
      lastSuccess: string | null;
      lastFailure: string | null;
      message: string | null;
    }
  >;
}

/** How long one round of upstream probes answers every readiness check. */
const PROBE_TTL_MS = 5000;
/** The longest a probe is waited for: a hanging upstream is reported unreachable. */
const PROBE_TIMEOUT_MS = 3000;

export function readinessCheck(deps: {
  registry: UpstreamRegistry;
  policies: ReadonlyMap<string, UpstreamPolicy>;
  /** Pings Redis (its command timeout applies); null when there is none. */
  pingRedis: (() => Promise<unknown>) | null;
}): () => Promise<Readiness> {
  let probed: { at: number; statuses: Promise<UpstreamStatus[]> } | null = null;
  const probe = (): Promise<UpstreamStatus[]> => {
    const now = Date.now();
    if (!probed || now - probed.at > PROBE_TTL_MS) {
      probed = {
        at: now,
        statuses: Promise.all(
          deps.registry.all().map((u) =>
            Promise.race([
              u.status(),
              new Promise<UpstreamStatus>((resolve) =>
                setTimeout(() => {
                  const message = `${u.label} did not answer its status probe within ${PROBE_TIMEOUT_MS} ms`;
                  resolve(unreachableStatus(u, new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, message, { upstream: u.name })));
                }, PROBE_TIMEOUT_MS).unref(),
              ),
            ]),
          ),
        ),
      };
    }
    return probed.statuses;
  };

  return async () => {
    const [statuses, redis] = await Promise.all([
      probe(),
      deps.pingRedis
        ? deps.pingRedis().then(
            () => 'up' as const,
            () => 'down' as const,
          )
        : ('not configured' as const),
    ]);
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const upstreams: Readiness['upstreams'] = {};
    const failing: string[] = [];
    for (const s of statuses) {
      const policy = deps.policies.get(s.name);
      const breaker = policy?.state ?? 'closed';
      upstreams[s.name] = {
        reachable: s.reachable,
        breaker,
        latencyMs: s.latencyMs,
        lastSuccess: iso(policy?.history.lastSuccess ?? null),
        lastFailure: iso(policy?.history.lastFailure ?? null),
        message: s.message,
      };
      if (!s.reachable) failing.push(`${s.name}: ${s.message ?? 'unreachable'}`);
      else if (breaker === 'open') failing.push(`${s.name}: circuit breaker open`);
    }
    if (redis === 'down') failing.push('redis: not answering (tokens are kept in this process meanwhile)');
    const serving = statuses.some((s) => s.reachable && upstreams[s.name]!.breaker !== 'open');
    return { status: !serving ? 'unavailable' : failing.length > 0 ? 'degraded' : 'ready', failing, redis, upstreams };
  };
}
