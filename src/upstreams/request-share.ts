// What one request sees of the registry. A client limited to some upstreams finds only those in
// every list, and FORBIDDEN where it names another. And the request waits for an upstream no
// longer than it lives: when its client leaves, its deadline passes or the gateway shuts down, a
// catalogue load or a status probe it waits for is abandoned for it (the load goes on for the
// others that share it); its own upstream calls are cancelled by the same signal in the HTTP client.
import type { Location, Parameter, Sensor, UpstreamName } from '../shared/domain.js';
import { abandonedError, until, type Abandonment } from '../shared/abandoned.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import type { IdKind, ParsedId } from '../shared/ids.js';
import type { Capabilities, Capability } from './capabilities.js';
import type { HistoryCache } from './history-cache.js';
import type { LatestCache } from './latest-cache.js';
import type { UpstreamRegistry, Upstreams } from './registry.js';
import { unreachableStatus, type LoaderOptions, type Upstream, type UpstreamLoaders, type UpstreamStatus } from './upstream.js';

export class RequestShare implements Upstreams {
  private readonly views = new Map<UpstreamName, Upstream>();

  constructor(
    private readonly registry: UpstreamRegistry,
    private readonly allowed: ReadonlySet<UpstreamName> | null,
    private readonly lifetime: Abandonment,
    /** Told when a catalogue the request used was stale (its upstream failing). */
    private readonly onStale: (upstream: UpstreamName, since: number) => void = () => undefined,
  ) {}

  get latest(): LatestCache {
    return this.registry.latest;
  }

  get history(): HistoryCache {
    return this.registry.history;
  }

  get names(): UpstreamName[] {
    return this.registry.names.filter((n) => this.may(n));
  }

  all(): Upstream[] {
    return this.names.map((n) => this.view(this.registry.get(n)));
  }

  select(upstream: UpstreamName | null | undefined): Upstream[] {
    return upstream ? [this.get(upstream)] : this.all();
  }

  get(upstream: UpstreamName): Upstream {
    const found = this.registry.get(upstream);
    if (!this.may(upstream)) {
      throw new GatewayError(
        ErrorCode.FORBIDDEN,
        `this client may not reach ${upstream} (it may reach ${this.names.join(', ') || 'none'})`,
      );
    }
    return this.view(found);
  }

  having<T>(capability: Capability<T>, upstreams: readonly Upstream[] = this.all()): Array<{ upstream: Upstream; capability: T }> {
    return this.registry.having(capability, upstreams);
  }

  example(kind: IdKind): string {
    return this.registry.example(kind);
  }

  parse(id: string, kind: IdKind, argument: string): ParsedId {
    return this.registry.parse(id, kind, argument);
  }

  private may(name: UpstreamName): boolean {
    return this.allowed === null || this.allowed.has(name);
  }

  private view(upstream: Upstream): Upstream {
    let v = this.views.get(upstream.name);
    if (!v) this.views.set(upstream.name, (v = new Waited(upstream, this.lifetime, this.onStale)));
    return v;
  }
}

/** An upstream waited for while the request lives. */
class Waited implements Upstream {
  constructor(
    private readonly upstream: Upstream,
    private readonly lifetime: Abandonment,
    private readonly onStale: (upstream: UpstreamName, since: number) => void,
  ) {}

  get name(): UpstreamName {
    return this.upstream.name;
  }

  get label(): string {
    return this.upstream.label;
  }

  get simulated(): boolean {
    return this.upstream.simulated;
  }

  get capabilities(): Capabilities {
    return this.upstream.capabilities;
  }

  private wait<T>(work: Promise<T>, what: string): Promise<T> {
    return until(work, this.lifetime, (reason) => abandonedError(this.upstream, what, reason));
  }

  /** A catalogue read; the request is told when what it got is stale. */
  private async catalogue<T>(work: Promise<T>): Promise<T> {
    const value = await this.wait(work, 'catalogue');
    const since = this.upstream.catalogueStaleSince();
    if (since !== null) this.onStale(this.upstream.name, since);
    return value;
  }

  catalogueStaleSince(): number | null {
    return this.upstream.catalogueStaleSince();
  }

  catalogueCounts(): { lookups: number; loads: number } {
    return this.upstream.catalogueCounts();
  }

  async status(): Promise<UpstreamStatus> {
    // Still never throws: a probe the request stopped waiting for is a status that says so.
    return this.wait(this.upstream.status(), 'status probe').catch((err: unknown) => unreachableStatus(this.upstream, err));
  }

  locations(): Promise<Location[]> {
    return this.catalogue(this.upstream.locations());
  }

  parameters(): Promise<Parameter[]> {
    return this.catalogue(this.upstream.parameters());
  }

  sensors(): Promise<Sensor[]> {
    return this.catalogue(this.upstream.sensors());
  }

  location(id: string): Promise<Location | null> {
    return this.catalogue(this.upstream.location(id));
  }

  parameter(id: string): Promise<Parameter | null> {
    return this.catalogue(this.upstream.parameter(id));
  }

  sensor(id: string): Promise<Sensor | null> {
    return this.catalogue(this.upstream.sensor(id));
  }

  validateSensorId(nativeId: string): string | null {
    return this.upstream.validateSensorId(nativeId);
  }

  createLoaders(options?: LoaderOptions): UpstreamLoaders {
    return this.upstream.createLoaders(options);
  }
}
