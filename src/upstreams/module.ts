// An upstream is a module: one object in its folder says its name, its environment prefix and
// settings, how it is created, how its simulator starts, and the GraphQL types and resolvers only
// it has. The list of modules (modules.ts) drives configuration, start-up, the start banner, the
// `Upstream` enum, the schema and the tests; adding an upstream is one folder and one line there.
import type { TokenStore } from '../auth/token-store.js';
import type { Logger, SecretRegistry } from '../logger.js';
import { setting, type Setting, type SettingsOf, type SettingsSpec } from '../settings.js';
import type { UpstreamName } from '../shared/domain.js';
import type { IdKind } from '../shared/ids.js';
import type { UpstreamObserver } from './observer.js';
import type { UpstreamPolicy } from './policy.js';
import type { Upstream } from './upstream.js';

/** What every upstream's settings hold: where it is, the service account, and how long to wait. */
export interface UpstreamBasics {
  /** null: run on the built-in simulator. */
  baseUrl: string | null;
  login: string | null;
  password: string | null;
  timeoutMs: number;
  retries: number;
  maxConcurrent: number;
  ratePerMinute: number;
  breakerErrorPercent: number;
  breakerMinCalls: number;
  breakerOpenMs: number;
  historyFinalAfterMs: number;
}

export type UpstreamSettingsSpec = SettingsSpec & { [K in keyof UpstreamBasics]: Setting<UpstreamBasics[K]> };

/** An upstream's settings as read: the basics and its own. */
export type UpstreamSettings = Readonly<UpstreamBasics & Record<string, unknown>>;

/** The settings every upstream has: `<PREFIX>_BASE_URL`, its login and password, timeout and retries. */
export function upstreamBasics(o: {
  prefix: string;
  label: string;
  /** The login's variable: MEETNET_USERNAME, FLEXMEASURES_EMAIL. */
  login: 'USERNAME' | 'EMAIL';
  baseUrl: Setting<string | null>;
  /** The upstream's own request limit per minute and service account, where it has one. */
  ratePerMinute?: number;
  /**
   * How long after a window's end its data may still change at this upstream (late data, corrections),
   * and why, from its contract: older windows are cached in Redis for every replica.
   */
  historyFinalAfter: { ms: number; why: string };
}): { [K in keyof UpstreamBasics]: Setting<UpstreamBasics[K]> } {
  const needed = `(required with \`${o.prefix}_BASE_URL\`)`;
  return {
    baseUrl: o.baseUrl,
    login: setting.optionalText({ variable: o.login, doc: `service-account ${o.login === 'EMAIL' ? 'e-mail' : 'user name'} ${needed}` }),
    password: setting.secret({ doc: `service-account password ${needed}` }),
    timeoutMs: setting.int({ default: 15_000, min: 100, max: 600_000, doc: `longest wait for one ${o.label} call` }),
    retries: setting.int({
      default: 2,
      min: 0,
      max: 10,
      doc: 'retries of a failed read (network error, 408, 429, 5xx; not a timeout), within the request deadline; writes and logins are never retried',
    }),
    maxConcurrent: setting.int({
      default: 32,
      min: 1,
      max: 256,
      doc: `most ${o.label} calls in flight at once, across all requests; the others queue`,
    }),
    ratePerMinute: setting.int({
      default: o.ratePerMinute ?? 0,
      min: 0,
      max: 1_000_000,
      doc: `most ${o.label} calls (retries and logins included) in any rolling minute; the others queue (0: no limit)`,
    }),
    breakerErrorPercent: setting.int({
      default: 50,
      min: 1,
      max: 100,
      doc: `share of failed ${o.label} calls (timeouts, network errors, 5xx) over 10 s that opens the circuit breaker: calls then fail at once`,
    }),
    breakerMinCalls: setting.int({ default: 10, min: 1, max: 10_000, doc: 'calls within those 10 s before the share counts' }),
    breakerOpenMs: setting.int({
      default: 15_000,
      min: 100,
      max: 600_000,
      doc: 'how long the breaker stays open before one trial call probes the upstream',
    }),
    historyFinalAfterMs: setting.int({
      default: o.historyFinalAfter.ms,
      min: 0,
      max: 366 * 86_400_000,
      doc: `a series window whose end is older than this can no longer change, and is cached in Redis for every replica (\`HISTORY_CACHE_TTL_S\`); newer windows are always read from ${o.label}. ${o.historyFinalAfter.why}`,
    }),
  };
}

/** What `create` is given. */
export interface UpstreamContext<S> {
  settings: S;
  /** Where the upstream is and as whom to log in: the configured ones, or its simulator's. */
  account: { baseUrl: string; login: string; password: string };
  simulated: boolean;
  /** How long slow-changing catalogues stay in the in-process cache (0: not cached). */
  catalogTtlMs: number;
  /** What that TTL is measured on: tests inject a clock; performance.now when absent. */
  catalogClock?: () => number;
  /** Identical reads in flight at once share one call. */
  deduplicate: boolean;
  store: TokenStore;
  logger: Logger;
  secrets: SecretRegistry;
  /** Its calls' concurrency, rate and breaker, across every request (readiness reads its state). */
  policy: UpstreamPolicy;
  /** Told of its calls and token events (metrics). */
  observer: UpstreamObserver;
}

export interface SimulatorStart<S> {
  /** The throwaway service account the simulator accepts. */
  account: { login: string; password: string };
  /** Added to every answer. */
  latencyMs: number;
  /** The upstream's settings (a simulator may take its API generation from them). */
  settings: S;
}

export interface RunningSimulator {
  readonly url: string;
  /** The simulator itself, for tests that read its request log or inject faults. */
  readonly instance: unknown;
  close(): Promise<void>;
}

export interface SimulatorStarter<S> {
  start(o: SimulatorStart<S>): Promise<RunningSimulator>;
}

/** A type-graphql resolver class. */
export type ResolverClass = new () => object;

/**
 * One upstream's module. The list (modules.ts) holds them as `UpstreamModule` with its settings
 * widened: each is handed only the settings its own spec read (config.ts), and `create` and the
 * simulator's `start` are methods, so TypeScript accepts each typed module in the list.
 */
export interface UpstreamModule<Spec extends UpstreamSettingsSpec = UpstreamSettingsSpec, U extends Upstream = Upstream> {
  /** Lower case: the prefix of global IDs and the token key (`meetnet`); the enum value is its upper case. */
  readonly name: UpstreamName;
  /** As people write it: `Meetnet`. */
  readonly label: string;
  /** What it holds, in one line: the enum value's description. */
  readonly description: string;
  /** Of its environment variables: `MEETNET` → `MEETNET_BASE_URL`. */
  readonly envPrefix: string;
  readonly settings: Spec;
  /** What to set for the real API, shown by the start banner when it runs on its simulator. */
  readonly realApiHint: string;
  /** Global IDs to show in error messages, by kind. */
  readonly idExamples?: Partial<Record<IdKind, string>>;
  create(context: UpstreamContext<SettingsOf<Spec>>): U;
  /** Loads its built-in simulator: only called when no base URL is set, so production never loads it. */
  simulator?(): Promise<SimulatorStarter<SettingsOf<Spec>>>;
  /** The GraphQL types, fields and mutations only this upstream has. */
  readonly resolvers?: readonly ResolverClass[];
}
