// The slow-changing catalogue of an upstream, kept in an lru-cache with a TTL. Concurrent first
// requests share one fetch; when a refresh fails the stale catalogue keeps serving; when there is
// nothing stale to serve, the upstream's own error comes through (lru-cache alone gives undefined).
import { LRUCache } from 'lru-cache';
import type { Location, Parameter, Sensor } from '../shared/domain.js';

/**
 * A getter of the cached catalogue. A TTL of 0 or less disables caching (the naive benchmark setting).
 * `clock`: what the TTL is measured on, for tests (lru-cache's performance.now by default).
 */
export function catalogCache<T extends object>(
  load: () => Promise<T>,
  ttlMs: number,
  clock?: () => number,
): (() => Promise<T>) & { staleSince(): number | null } {
  if (!(ttlMs > 0)) return Object.assign(load, { staleSince: () => null });
  let lastError: unknown = null;
  // When refreshing started to fail (epoch ms): from then on, what is served is the stale catalogue.
  let failingSince: number | null = null;
  const cache = new LRUCache<'catalog', T>({
    max: 1,
    ttl: ttlMs,
    // An injected clock is read at every look-up (ttlResolution 0: lru-cache would otherwise reuse "now" for 1 ms).
    ...(clock ? { perf: { now: clock }, ttlResolution: 0 } : {}),
    allowStaleOnFetchRejection: true,
    fetchMethod: async () => {
      try {
        const catalog = await load();
        lastError = null;
        failingSince = null;
        return catalog;
      } catch (err) {
        lastError = err;
        failingSince ??= Date.now();
        throw err;
      }
    },
  });
  const get = async () => {
    const catalog = await cache.fetch('catalog');
    if (catalog) return catalog;
    throw lastError ?? new Error('the catalogue could not be loaded');
  };
  return Object.assign(get, { staleSince: () => failingSince });
}

/** What a catalogue offers the look-ups every upstream needs; `S` is the upstream's own kind of sensor. */
export interface CatalogIndex<S extends Sensor = Sensor> {
  locations: Location[];
  parameters: Parameter[];
  sensors: S[];
  /** Keyed by global ID. */
  locationById: Map<string, Location>;
  parameterById: Map<string, Parameter>;
  sensorById: Map<string, S>;
}

/** The catalogue part of an UpstreamAdapter: `loadCatalog()` fetched through the cache, and the look-ups. */
export abstract class CatalogLookups<C extends CatalogIndex<Sensor>> {
  private readonly cached: (() => Promise<C>) & { staleSince(): number | null };
  /** Uses of the catalogue, and loads from the upstream they caused (metrics: the rest were hits). */
  private readonly counts = { lookups: 0, loads: 0 };

  constructor(catalogTtlMs: number, catalogClock?: () => number) {
    // Lazy: subclasses load through their own fields, which exist by the first call.
    this.cached = catalogCache(
      () => {
        this.counts.loads++;
        return this.loadCatalog();
      },
      catalogTtlMs,
      catalogClock,
    );
  }

  /** Fetches the whole catalogue from the upstream (the cache decides when). */
  protected abstract loadCatalog(): Promise<C>;

  catalog(): Promise<C> {
    this.counts.lookups++;
    return this.cached();
  }

  /** How often the catalogue was used, and loaded from the upstream. */
  catalogueCounts(): { lookups: number; loads: number } {
    return { ...this.counts };
  }

  /** Since when the catalogue served is stale (its refresh fails: the upstream is down); null while fresh. */
  catalogueStaleSince(): number | null {
    return this.cached.staleSince();
  }

  async locations(): Promise<Location[]> {
    return (await this.catalog()).locations;
  }

  async parameters(): Promise<Parameter[]> {
    return (await this.catalog()).parameters;
  }

  async sensors(): Promise<Sensor[]> {
    return (await this.catalog()).sensors;
  }

  async location(id: string): Promise<Location | null> {
    return (await this.catalog()).locationById.get(id) ?? null;
  }

  async parameter(id: string): Promise<Parameter | null> {
    return (await this.catalog()).parameterById.get(id) ?? null;
  }

  async sensor(id: string): Promise<Sensor | null> {
    return (await this.catalog()).sensorById.get(id) ?? null;
  }
}
