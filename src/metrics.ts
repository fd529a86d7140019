// Prometheus metrics (prom-client), on a registry of the gateway's own: GraphQL requests by
// operation and outcome, upstream calls by upstream, route and outcome, reads that shared a call in
// flight, token events, each upstream's breaker and load, and Node's own (event-loop lag, heap, GC).
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayContext } from './context.js';
import type { UpstreamObserver } from './upstreams/observer.js';
import type { UpstreamPolicy } from './upstreams/policy.js';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Operation names are the clients' to choose: past this many distinct ones, the rest count as `other`. */
const MAX_OPERATION_NAMES = 200;
const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly requestSeconds: Histogram<'operation' | 'outcome'>;
  private readonly operations = new Set<string>();
  private readonly persistedQueries: Counter<'result'>;
  readonly observer: UpstreamObserver;
  /** Each upstream's catalogue: since when it is served stale (null while fresh), its uses and loads. */
  private catalogues: () => Array<{ upstream: string; staleSince: number | null; lookups: number; loads: number }> = () => [];

  constructor(policies: ReadonlyMap<string, UpstreamPolicy>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
    this.requests = new Counter({
      name: 'gateway_graphql_requests_total',
      help: 'GraphQL requests, by operation name and outcome (ok, partial: answered with errors, refused: before running, failed)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'gateway_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL request, by operation name and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const calls = new Counter({
      name: 'gateway_upstream_calls_total',
      help: 'Upstream calls (retries included in one), by upstream, route and outcome: the HTTP status, or why there was none (TIMEOUT, CIRCUIT_OPEN, ECONNREFUSED…)',
      labelNames: ['upstream', 'route', 'outcome'],
      registers,
    });
    const callSeconds = new Histogram({
      name: 'gateway_upstream_call_duration_seconds',
      help: 'Time of one upstream call, retries and waits for a slot included, by upstream and route',
      labelNames: ['upstream', 'route'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30],
      registers,
    });
    const shared = new Counter({
      name: 'gateway_upstream_deduplicated_reads_total',
      help: 'Reads that joined an identical call already in flight instead of making their own',
      labelNames: ['upstream', 'route'],
      registers,
    });
    const tokens = new Counter({
      name: 'gateway_upstream_token_events_total',
      help: 'Service-account token events: login (tried), refresh, login-refused, login-held-back (refused at once while a refusal is remembered)',
      labelNames: ['upstream', 'event'],
      registers,
    });
    new Gauge({
      name: 'gateway_upstream_breaker_state',
      help: "Each upstream's circuit breaker: 0 closed, 1 half-open (one trial call), 2 open (calls fail at once)",
      labelNames: ['upstream'],
      registers,
      collect() {
        for (const [name, p] of policies) this.set({ upstream: name }, BREAKER_VALUE[p.state]);
      },
    });
    new Gauge({
      name: 'gateway_upstream_calls_in_flight',
      help: 'Upstream calls running, waiting for a slot (<UPSTREAM>_MAX_CONCURRENT), and attempts waiting for the rate limit (<UPSTREAM>_RATE_PER_MINUTE; counted in running too), by upstream',
      labelNames: ['upstream', 'state'],
      registers,
      collect() {
        for (const [name, p] of policies) {
          const { running, queued, rateLimited } = p.load;
          this.set({ upstream: name, state: 'running' }, running);
          this.set({ upstream: name, state: 'queued' }, queued);
          this.set({ upstream: name, state: 'rate_limited' }, rateLimited);
        }
      },
    });
    const batches = new Histogram({
      name: 'gateway_upstream_batch_size',
      help: "Keys a request's loader sent to its upstream at once, by upstream and loader (series, latest)",
      labelNames: ['upstream', 'loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    });
    const latestLookups = new Counter({
      name: 'gateway_latest_cache_lookups_total',
      help: 'Look-ups of latest values in the cache shared by requests (LATEST_TTL_MS): hit, or miss (sent on to the upstream)',
      labelNames: ['upstream', 'result'],
      registers,
    });
    // The shared caches in Redis (HISTORY_CACHE_TTL_S, PERSISTED_QUERIES): what each look-up or store came to.
    const cacheCounter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter({ name, help, labelNames, registers });
    const historyLookups = cacheCounter(
      'gateway_history_cache_lookups_total',
      'Series windows that can no longer change, looked up in the Redis cache shared by every replica (HISTORY_CACHE_TTL_S): hit, miss (read from the upstream, then stored), or error (Redis failed or is known down: read from the upstream)',
      ['upstream', 'result'],
    );
    const historyStores = cacheCounter(
      'gateway_history_cache_stores_total',
      'Upstream answers written to the shared history cache: stored, too_large (over HISTORY_CACHE_MAX_BYTES), or error; and entries forgotten because a write through the gateway changed their window',
      ['upstream', 'result'],
    );
    this.persistedQueries = cacheCounter(
      'gateway_persisted_query_lookups_total',
      'Automatic persisted queries looked up by hash in Redis: hit, miss (PERSISTED_QUERY_NOT_FOUND unless this process registered it while Redis was away), or error (Redis failed or is known down: only process memory was asked)',
      ['result'],
    );
    const catalogues = () => this.catalogues();

    new Gauge({
      name: 'gateway_upstream_catalogue_stale_seconds',
      help: "How long each upstream's catalogue has been served stale, its refresh failing (0 while fresh)",
      labelNames: ['upstream'],
      registers,
      collect() {
        for (const c of catalogues()) this.set({ upstream: c.upstream }, c.staleSince === null ? 0 : (Date.now() - c.staleSince) / 1000);
      },
    });
    // A counter fed at each scrape from the adapters' own counts: by what they grew since the last.
    const seen = new Map<string, number>();
    new Counter({
      name: 'gateway_catalogue_lookups_total',
      help: "Uses of each upstream's catalogue (locations, parameters, sensors): `hit` from the cache, `load` from the upstream",
      labelNames: ['upstream', 'result'],
      registers,
      collect() {
        for (const c of catalogues()) {
          for (const [result, total] of [
            ['hit', Math.max(0, c.lookups - c.loads)],
            ['load', c.loads],
          ] as const) {
            const key = `${c.upstream} ${result}`;
            const grew = total - (seen.get(key) ?? 0);
            if (grew > 0) this.inc({ upstream: c.upstream, result }, grew);
            seen.set(key, total);
          }
        }
      },
    });
    this.observer = {
      call(upstream, route, outcome, seconds) {
        calls.inc({ upstream, route, outcome });
        callSeconds.observe({ upstream, route }, seconds);
      },
      deduplicated: (upstream, route) => shared.inc({ upstream, route }),
      token: (upstream, event) => tokens.inc({ upstream, event }),
      batch: (upstream, loader, size) => batches.observe({ upstream, loader }, size),
      latestCache(upstream, hits, misses) {
        if (hits > 0) latestLookups.inc({ upstream, result: 'hit' }, hits);
        if (misses > 0) latestLookups.inc({ upstream, result: 'miss' }, misses);
      },
      historyLookup: (upstream, result, count) => historyLookups.inc({ upstream, result }, count),
      historyStore: (upstream, result, count) => historyStores.inc({ upstream, result }, count),
    };
  }

  /** One look-up of a persisted query in Redis. */
  persistedQueryLookup(result: 'hit' | 'miss' | 'error'): void {
    this.persistedQueries.inc({ result });
  }

  /** With Redis configured: whether it answers, read at each scrape. */
  watchRedis(up: () => boolean): void {
    new Gauge({
      name: 'gateway_redis_up',
      help: 'Whether Redis answers (1), or the token store is on process memory meanwhile (0)',
      registers: [this.registry],
      collect() {
        this.set(up() ? 1 : 0);
      },
    });
  }

  /** Live values: what this replica watches and has delivered, read at each scrape. */
  watchLive(read: () => { sensors: number; listeners: number; delivered: number }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'gateway_live_sensors',
      help: 'Sensors watched by latestValues subscriptions on this replica (each polled once per interval across replicas)',
      registers,
      collect() {
        this.set(read().sensors);
      },
    });
    new Gauge({
      name: 'gateway_live_subscribers',
      help: "Subscribers' watches of a sensor on this replica (a subscription to 3 sensors counts 3)",
      registers,
      collect() {
        this.set(read().listeners);
      },
    });
    let seen = 0;
    new Counter({
      name: 'gateway_live_values_delivered_total',
      help: 'Latest values handed to subscribers on this replica, over graphql-ws and SSE together',
      registers,
      collect() {
        const total = read().delivered;
        if (total > seen) this.inc(total - seen);
        seen = total;
      },
    });
  }

  /** Where the catalogues' staleness is read at each scrape. */
  watchCatalogues(read: () => Array<{ upstream: string; staleSince: number | null; lookups: number; loads: number }>): void {
    this.catalogues = read;
  }

  /** Answers a scrape: 401 without the token where one is set. */
  async serve(req: IncomingMessage, res: ServerResponse, token: string | null): Promise<void> {
    if (token !== null && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' })
        .end('metrics need METRICS_TOKEN\n');
      return;
    }
    const text = await this.registry.metrics();
    res.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
  }

  /** Counts every GraphQL request, from its start to its answer. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ response, operationName, operation, errors }) => {
            const status = response.http.status ?? 200;
            const body = response.body.kind === 'single' ? response.body.singleResult : null;
            const outcome =
              status >= 500 ? 'failed' : status >= 400 ? 'refused' : (errors?.length ?? body?.errors?.length ?? 0) > 0 ? 'partial' : 'ok';
            // Named only after an operation the document holds and that ran: a client's own
            // operationName on a refused request would let anyone fill the label (and crowd real
            // operations into `other`).
            const label =
              outcome === 'refused' ? 'refused' : this.operationLabel(operation ? (operationName ?? operation.name?.value ?? null) : null);
            this.requests.inc({ operation: label, outcome });
            this.requestSeconds.observe({ operation: label, outcome }, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  private operationLabel(full: string | null): string {
    if (!full) return 'anonymous';
    const name = full.slice(0, 64);
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_NAMES) return 'other';
    this.operations.add(name);
    return name;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
