// Built-in simulator of the Meetnet Vlaamse Banken API v2, following §8 of the contract
// (CONTRACT.md): its public entry. Requests are answered in routes.ts, values come
// from data.ts; the catalog is the real 2020 one.
import { SimulatorServer, type SimulatorOptions } from '../../../simulators/index.js';
import { MeetnetAuth } from './auth.js';
import { MeetnetRoutes } from './routes.js';
import type { CatalogResponse } from '../wire.js';

export interface MeetnetSimulatorOptions {
  /** Benchmarks only: identical reads of these routes answered again (see SimulatorOptions.memoize). */
  memoize?: SimulatorOptions['memoize'];
  /** Service account login (default 'simulator@example.com'). */
  username?: string;
  /** Default 'simulator'. */
  password?: string;
  /** `expires_in` of issued tokens; they stop working after it on the simulator clock (default 3599). */
  tokenLifetimeSeconds?: number;
  clock?: () => number;
  latencyMs?: number;
  /** Default: the real 2020 catalog (catalog-2020.json, recorded). */
  catalog?: CatalogResponse;
  /** Longest getData span accepted; null = no limit (default 365). */
  maxSpanDays?: number | null;
  /** Shape of the bad-credentials answer (default 'message'). */
  loginFailure?: 'message' | 'oauth';
  /** Fraction of missing samples (default 0.01). */
  gapRate?: number;
  /** getData returns each series' points shuffled, with a few duplicates (default false). */
  unordered?: boolean;
  /** Raw bodies served verbatim instead of generated data (token still required). */
  replay?: { currentData?: string; getData?: string };
  /** No data exists before this instant (default 2000-01-01T00:00Z): bounds unlimited-span requests. */
  historyStartMs?: number;
}

export class MeetnetSimulator extends SimulatorServer {
  private readonly auth: MeetnetAuth;

  constructor(options: MeetnetSimulatorOptions = {}) {
    const auth = new MeetnetAuth(options);
    const routes = new MeetnetRoutes(options, auth);
    super('meetnet', (req) => routes.handle(req), {
      latencyMs: options.latencyMs,
      memoize: options.memoize,
      clock: options.clock,
      // Web API's error shape is `{"Message": …}` (§7).
      errorBody: (_status, message) => ({ Message: message }),
    });
    this.auth = auth;
  }

  get username(): string {
    return this.auth.username;
  }

  get password(): string {
    return this.auth.password;
  }

  /** Every token issued so far stops working (401 on the data routes, `Customer: null` on ping). */
  expireTokens(): void {
    this.auth.tokens.clear();
  }

  /** Every token handed out so far, expired ones included (the latest 10 000), oldest first. */
  issuedTokens(): string[] {
    return [...this.auth.issued];
  }
}

export function createMeetnetSimulator(options: MeetnetSimulatorOptions = {}): MeetnetSimulator {
  return new MeetnetSimulator(options);
}
