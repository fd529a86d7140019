// Built-in simulator of the BEMServer REST API (contract: CONTRACT.md, checklist
// §11): JWT auth with refresh tokens (§2), Flask/flask-smorest transport quirks (§1: compact JSON,
// 308 to the trailing slash, error bodies, 422 validation), pagination (§4), ETags (§5), the
// campaign/site/building/storey/space/zone/timeseries resources with their filters (§6) and the
// timeseries data routes (§7: raw, aggregate, stats, JSON/CSV, writes where the first value wins).
// This file is the public entry: the options, the server and its factory; the rest of the folder
// holds one concern per file (router.ts dispatches). Values and the portfolio come from data.ts.
import { SimulatorServer, type SimulatorOptions } from '../../../simulators/index.js';
import { Auth } from './auth.js';
import { PHRASES } from './responses.js';
import { Router } from './router.js';
import { Store } from './store.js';

export interface BemServerSimulatorOptions {
  /** Benchmarks only: identical reads of these routes answered again (see SimulatorOptions.memoize). */
  memoize?: SimulatorOptions['memoize'];
  /** Service account, an admin (default 'simulator@example.com'). */
  email?: string;
  /** Default 'simulator'. */
  password?: string;
  /** The simulator's "now" (token expiry, generated data up to it); Date.now by default. */
  clock?: () => number;
  latencyMs?: number;
  /** Default 900 (§2.3). */
  accessTokenLifetimeSeconds?: number;
  /** Default 5 184 000 (60 days, §2.3). */
  refreshTokenLifetimeSeconds?: number;
  /** Fraction of missing 10-minute points in the raw data (default 0.01). */
  gapRate?: number;
  /** A request target longer than this is answered 414, as a reverse proxy would (default 8192). */
  maxUrlLength?: number;
  /** Generated data starts here (default 2025-01-01T00:00Z). */
  historyStartMs?: number;
}

export class BemServerSimulator extends SimulatorServer {
  private readonly store: Store;
  private readonly auth: Auth;

  constructor(options: BemServerSimulatorOptions = {}) {
    const auth = new Auth(options);
    const store = new Store(options);
    const router = new Router(store, auth, options);
    super('bemserver', (req) => router.handle(req), {
      latencyMs: options.latencyMs,
      memoize: options.memoize,
      clock: options.clock,
      // flask-smorest's shape for the answers the server machinery makes itself (413, 500, §1.4).
      errorBody: (status) => ({ code: status, status: PHRASES[status] ?? 'Error' }),
    });
    this.store = store;
    this.auth = auth;
  }

  get email(): string {
    return this.auth.email;
  }

  get password(): string {
    return this.auth.password;
  }

  /** Every access and refresh token handed out (the latest 10 000), oldest first. */
  issuedTokens(): string[] {
    return [...this.auth.issued];
  }

  /** A new signing key: every token issued so far is invalid_token from now on. */
  rotateSecret(): void {
    this.auth.rotateSecret();
  }

  /**
   * Ids of the timeseries that exist now, by id. `unit` matches unit_symbol; `kind` is one of
   * electricity, heat, outdoor_temperature, outdoor_humidity, indoor_temperature, co2, humidity,
   * manual, or custom (created through the API).
   */
  timeseriesIds(filter: { unit?: string; kind?: string } = {}): number[] {
    return [...this.store.tables.get('timeseries')!.values()]
      .filter((r) => filter.unit === undefined || r.unit_symbol === filter.unit)
      .filter((r) => filter.kind === undefined || this.store.meta.get(r.id)?.kind === filter.kind)
      .map((r) => r.id);
  }

  /** Points written through POST to (timeseries, data state), sorted: epoch ms → value. */
  stored(timeseriesId: number, dataState = 1): Map<number, number> {
    const st = this.store.data.get(`${timeseriesId}:${dataState}`);
    return new Map(st ? st.keys().map((t) => [t, st.values.get(t)!]) : []);
  }
}

export function createBemServerSimulator(options: BemServerSimulatorOptions = {}): BemServerSimulator {
  return new BemServerSimulator(options);
}
