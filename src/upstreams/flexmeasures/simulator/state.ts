// What one simulator holds: which server it is (generation, sunset, bugs), its portfolio, accounts,
// beliefs and rate limit. The routes read it; the requests come in through dispatch.ts.
import type { ApiVersion } from '../wire.js';
import { Auth } from './auth.js';
import type { FlexMeasuresSimulatorOptions } from './index.js';
import { buildPortfolio, type SimAsset, type SimSensor } from './portfolio.js';
import { RateLimiter } from './rate-limit.js';
import { BeliefStore } from './store.js';

export class FmState {
  readonly generation: ApiVersion;
  readonly auth: Auth;
  readonly sensors: SimSensor[];
  readonly store: BeliefStore;
  readonly limiter: RateLimiter;
  readonly sunset: boolean;
  readonly bugs: boolean;
  readonly assets: SimAsset[];
  readonly sensorById: Map<number, SimSensor>;
  readonly assetById: Map<number, SimAsset>;

  constructor(o: FlexMeasuresSimulatorOptions) {
    this.generation = o.generation ?? 'v3_0';
    this.auth = new Auth(
      o.email ?? 'simulator@example.com',
      o.password ?? 'simulator',
      (o.tokenLifetimeSeconds ?? 6 * 3600) * 1000,
      this.head,
    );
    this.sunset = o.sunset ?? false;
    this.store = new BeliefStore(o.gapRate ?? 0.002);
    this.bugs = o.emulateUpstreamBugs ?? false;
    this.limiter = new RateLimiter(o.rateLimit ?? null);
    const { assets, sensors } = buildPortfolio(o.chargers ?? 30);
    this.assets = assets;
    this.sensors = sensors;
    this.sensorById = new Map(sensors.map((s) => [s.id, s]));
    this.assetById = new Map(assets.map((a) => [a.id, a]));
  }

  /** A current server (generation v3_0) rather than v0.12. */
  get head(): boolean {
    return this.generation === 'v3_0';
  }
}
