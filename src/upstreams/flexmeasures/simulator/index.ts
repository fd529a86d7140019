// Built-in simulator of the FlexMeasures web API, both generations (contract:
// CONTRACT.md, checklist §6). `generation: 'v3_0'` behaves like a current
// server (v1_1 routes answer 410); `generation: 'v1_1'` like v0.12.3, the last release where v1_1
// works (or, with `sunset`, like v0.13 where it answers 410). Values come from data.ts.
import { SimulatorServer, type SimulatorOptions } from '../../../simulators/index.js';
import type { ApiVersion } from '../wire.js';
import { handle } from './dispatch.js';
import { OTHER_ACCOUNT, type Kind } from './portfolio.js';
import { FmState } from './state.js';
import type { Belief } from './store.js';

export interface FlexMeasuresSimulatorOptions {
  /** Benchmarks only: identical reads of these routes answered again (see SimulatorOptions.memoize). */
  memoize?: SimulatorOptions['memoize'];
  /** Service account (default simulator@example.com / simulator). */
  email?: string;
  password?: string;
  /** Which server to be: a current one (v3_0, default) or v0.12.3 (v1_1 works, no /sensors/<id>/data). */
  generation?: ApiVersion;
  /** v1_1 generation only: answer every v1_1 route with 410, as v0.13 does (§1.2). */
  sunset?: boolean;
  clock?: () => number;
  latencyMs?: number;
  /** Tokens stop working after this long on the simulator clock (default 6 h, §2.1). */
  tokenLifetimeSeconds?: number;
  /** Rate limit per token (or per client without one), as HEAD has it (§2.1); none by default. */
  rateLimit?: { limit: number; windowSeconds: number } | null;
  /** Fraction of measured events that are missing (default 0.002). */
  gapRate?: number;
  /** Answer 500 where the real v1_1 code crashes: postPrognosis always, getConnection (§3.4, §3.8). */
  emulateUpstreamBugs?: boolean;
  /** Number of EV charging stations (default 30). */
  chargers?: number;
}

export class FlexMeasuresSimulator extends SimulatorServer {
  private readonly state: FmState;

  constructor(options: FlexMeasuresSimulatorOptions = {}) {
    const state = new FmState(options);
    super('flexmeasures', (req) => handle(state, req), {
      latencyMs: options.latencyMs,
      memoize: options.memoize,
      clock: options.clock,
      // error_handling_router's shape for aborts and crashes (§2.3).
      errorBody: (status, message) => ({ message, status }),
    });
    this.state = state;
  }

  get email(): string {
    return this.state.auth.email;
  }

  get password(): string {
    return this.state.auth.password;
  }

  get generation(): ApiVersion {
    return this.state.generation;
  }

  /** Every token issued so far stops working (401). */
  expireTokens(): void {
    this.state.auth.tokens.clear();
  }

  /** Every token handed out so far, oldest first (for tests that check no secret leaks). */
  issuedTokens(): string[] {
    return [...this.state.auth.issued];
  }

  /** Stored (written) beliefs of a sensor: event start (ms) → beliefs. */
  stored(sensorId: number): Map<number, Belief[]> {
    return new Map(this.state.store.beliefs.get(sensorId) ?? []);
  }

  /** The simulated portfolio the service account sees, for tests: sensor ids by kind. */
  sensorIds(kind?: Kind): number[] {
    return this.state.sensors
      .filter((s) => (kind === undefined || s.kind === kind) && this.state.assetById.get(s.assetId)?.accountId !== OTHER_ACCOUNT.id)
      .map((s) => s.id);
  }

  /** A sensor's id by name, another account's included (for tests). */
  sensorId(name: string): number {
    const s = this.state.sensors.find((x) => x.name === name);
    if (!s) throw new Error(`the simulator has no sensor named ${name}`);
    return s.id;
  }

  set rateLimit(limit: { limit: number; windowSeconds: number } | null) {
    this.state.limiter.reset(limit);
  }
}

export function createFlexMeasuresSimulator(options: FlexMeasuresSimulatorOptions = {}): FlexMeasuresSimulator {
  return new FlexMeasuresSimulator(options);
}
