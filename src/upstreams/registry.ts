// The upstreams this gateway serves, in the order of the module list, and what the schema asks of
// them as a whole: one by name, those that provide a capability, and the global IDs they accept.
// A request sees a view of it (request-share.ts): its client's upstreams, waited for while it lives.
import type { Abandonment } from '../shared/abandoned.js';
import type { UpstreamName } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import { parseId, type IdKind, type IdSpace, type ParsedId } from '../shared/ids.js';
import type { Capability } from './capabilities.js';
import { HistoryCache } from './history-cache.js';
import { LatestCache } from './latest-cache.js';
import type { UpstreamObserver } from './observer.js';
import type { UpstreamModule } from './module.js';
import { RequestShare } from './request-share.js';
import type { Upstream } from './upstream.js';

/** What a request may reach of the upstreams: all of them, or a client's share. */
export interface Upstreams extends IdSpace {
  /** Latest values shared across requests for LATEST_TTL_MS. */
  readonly latest: LatestCache;
  /** Final series windows shared by every replica through Redis (HISTORY_CACHE_TTL_S). */
  readonly history: HistoryCache;
  readonly names: UpstreamName[];
  all(): Upstream[];
  /** The upstreams a list query reaches: one when `upstream` is given, else all of them. */
  select(upstream: UpstreamName | null | undefined): Upstream[];
  get(upstream: UpstreamName): Upstream;
  /** The upstreams among `upstreams` that provide a capability, each with it. */
  having<T>(capability: Capability<T>, upstreams?: readonly Upstream[]): Array<{ upstream: Upstream; capability: T }>;
  /** A global ID of `kind` naming one of the upstreams, or BAD_USER_INPUT about `argument`. */
  parse(id: string, kind: IdKind, argument: string): ParsedId;
}

export class UpstreamRegistry implements Upstreams {
  private readonly upstreams = new Map<UpstreamName, Upstream>();
  private readonly examples = new Map<IdKind, string>();
  readonly latest: LatestCache;
  readonly history: HistoryCache;

  constructor(
    upstreams: readonly Upstream[],
    modules: readonly Pick<UpstreamModule, 'idExamples'>[],
    options: { latestTtlMs?: number; observer?: UpstreamObserver; history?: HistoryCache } = {},
  ) {
    for (const u of upstreams) this.upstreams.set(u.name, u);
    for (const m of modules) {
      for (const [kind, example] of Object.entries(m.idExamples ?? {}) as Array<[IdKind, string]>) {
        if (!this.examples.has(kind)) this.examples.set(kind, example);
      }
    }
    const observer = options.observer;
    this.latest = new LatestCache(
      options.latestTtlMs ?? 0,
      undefined,
      observer ? (u, hits, misses) => observer.latestCache(u, hits, misses) : undefined,
    );
    this.history = options.history ?? HistoryCache.none;
  }

  get names(): UpstreamName[] {
    return [...this.upstreams.keys()];
  }

  all(): Upstream[] {
    return [...this.upstreams.values()];
  }

  select(upstream: UpstreamName | null | undefined): Upstream[] {
    return upstream ? [this.get(upstream)] : this.all();
  }

  get(upstream: UpstreamName): Upstream {
    const found = this.upstreams.get(upstream);
    if (!found) throw badInput(`upstream ${upstream} is not served by this gateway (it serves ${this.names.join(', ')})`);
    return found;
  }

  having<T>(capability: Capability<T>, upstreams: readonly Upstream[] = this.all()): Array<{ upstream: Upstream; capability: T }> {
    return upstreams.flatMap((upstream) => {
      const c = upstream.capabilities.get(capability);
      return c === undefined ? [] : [{ upstream, capability: c }];
    });
  }

  example(kind: IdKind): string {
    return this.examples.get(kind) ?? `${this.names[0] ?? 'upstream'}:${kind}:1`;
  }

  parse(id: string, kind: IdKind, argument: string): ParsedId {
    return parseId(id, kind, argument, this);
  }

  /**
   * What one request may reach: all the upstreams, or its client's share (`allowed`), each waited
   * for no longer than the request lives (`signal`).
   */
  forRequest(
    allowed: ReadonlySet<UpstreamName> | null,
    lifetime: Abandonment,
    onStale?: (upstream: UpstreamName, since: number) => void,
  ): Upstreams {
    return new RequestShare(this, allowed, lifetime, onStale);
  }
}
