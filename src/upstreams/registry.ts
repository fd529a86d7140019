import { UpstreamName, upstreamPrefix } from '../shared/domain.js';
import { badInput } from '../errors.js';
import { LatestCache } from './latest-cache.js';
import type { UpstreamAdapter } from './types.js';

/** The upstreams this gateway talks to, in a stable order. */
export class UpstreamRegistry {
  private readonly adapters = new Map<UpstreamName, UpstreamAdapter>();
  /** Latest values shared across requests for LATEST_TTL_MS. */
  readonly latest: LatestCache;

  constructor(adapters: UpstreamAdapter[], options: { latestTtlMs?: number } = {}) {
    for (const a of adapters) this.adapters.set(a.name, a);
    this.latest = new LatestCache(options.latestTtlMs ?? 0);
  }

  all(): UpstreamAdapter[] {
    return [...this.adapters.values()];
  }

  /** The adapters a list query reaches: one when `upstream` is given, else all of them. */
  select(upstream: UpstreamName | null | undefined): UpstreamAdapter[] {
    return upstream ? [this.get(upstream)] : this.all();
  }

  get(upstream: UpstreamName): UpstreamAdapter {
    const adapter = this.adapters.get(upstream);
    if (!adapter) {
      throw badInput(
        `upstream ${upstreamPrefix[upstream]} is not served by this gateway (it serves ${this.all()
          .map((a) => upstreamPrefix[a.name])
          .join(', ')})`,
      );
    }
    return adapter;
  }
}
