// The polls' reads: each sensor's latest value through its upstream's own `latest` loader, so that
// the sensors of one upstream polled together are one upstream call where the upstream takes many
// (Meetnet currentData), exactly as a query of many latest values is. Reads asked within a short
// window go out together: sensors whose slots start at the same instant, or the sensors of one new
// subscription, are claimed one Redis round trip each, at slightly different moments.
import DataLoader from 'dataloader';
import type { LatestValue, Sensor, UpstreamName } from '../shared/domain.js';
import type { UpstreamObserver } from '../upstreams/observer.js';
import type { UpstreamRegistry } from '../upstreams/registry.js';

/** How long reads wait for others to join their upstream call (a poll is not in a hurry). */
const BATCH_WINDOW_MS = 25;

export class LatestReader {
  private readonly loaders = new Map<UpstreamName, DataLoader<string, LatestValue | null>>();

  constructor(
    private readonly registry: UpstreamRegistry,
    /** Aborted when the gateway stops: the reads in flight are abandoned. */
    private readonly signal: AbortSignal,
    private readonly observer?: UpstreamObserver,
  ) {}

  read(sensor: Sensor): Promise<LatestValue | null> {
    let loader = this.loaders.get(sensor.upstream);
    if (!loader) {
      const upstream = sensor.upstream;
      loader = new DataLoader<string, LatestValue | null>(
        // Fresh request loaders for each batch: nothing is kept between polls (not the shared
        // LATEST_TTL_MS cache either: a poll wants the upstream's value of now).
        (ids) => {
          const observer = this.observer;
          const { latest } = this.registry.get(upstream).createLoaders({
            batch: true,
            signal: this.signal,
            ...(observer ? { onBatch: (name: string, size: number) => observer.batch(upstream, name, size) } : {}),
          });
          return latest.loadMany(ids);
        },
        { cache: false, batchScheduleFn: (dispatch) => setTimeout(dispatch, BATCH_WINDOW_MS) },
      );
      this.loaders.set(upstream, loader);
    }
    return loader.load(sensor.nativeId);
  }
}
