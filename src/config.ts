// Configuration is read once, from an env-like record, and validated as a whole: one error lists
// every problem. The gateway's own settings are declared here; each upstream declares its own in
// its module. Only src/main.ts passes process.env here.
import { describeSettings, readSettings, setting, variableOf, type SettingDoc, type SettingsOf } from './settings.js';
import type { UpstreamName } from './shared/domain.js';
import type { UpstreamModule, UpstreamSettings } from './upstreams/module.js';

export { redactUrl } from './settings.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The gateway's own settings, whatever its upstreams. */
export const gatewaySettings = {
  host: setting.text({ default: '127.0.0.1', doc: 'interface to listen on (`0.0.0.0` for all)' }),
  port: setting.int({ default: 4000, min: 0, max: 65_535, doc: 'port to listen on' }),
  redisUrl: setting.url({
    protocols: ['redis:', 'rediss:'],
    example: 'redis://localhost:6379',
    doc: '`redis://…`: keep service-account tokens in Redis, shared by every replica (one login, and for BEMServer one token refresh, at a time across them). Unset: in process memory. If Redis goes away, tokens fall back to memory and no query fails for it.',
  }),
  redisKeyPrefix: setting.text({ default: 'gw:', doc: 'tokens live at `<prefix>token:<upstream>`' }),
  redisTimeoutMs: setting.int({ default: 500, min: 10, max: 60_000, doc: 'longest wait for one Redis command' }),
  logLevel: setting.oneOf({
    values: ['debug', 'info', 'warn', 'error', 'silent'] as const,
    default: 'info',
    doc: 'JSON lines on stderr; secrets are redacted',
  }),
  maxWindowDays: setting.int({ default: 3660, min: 1, max: 36_600, doc: 'largest time window one series query may ask for, in days' }),
  catalogTtlMs: setting.int({
    default: 3_600_000,
    min: 0,
    max: 7 * 86_400_000,
    doc: 'how long upstream catalogues stay cached in process (`0`: no cache)',
  }),
  latestTtlMs: setting.int({
    default: 10_000,
    min: 0,
    max: 3_600_000,
    doc: "how long a sensor's latest value is shared between requests (`0`: every request asks the upstream). FlexMeasures and BEMServer latest values are read off a series the same query already reads, where one reaches the last interval",
  }),
  upstreamBatching: setting.onOff({
    default: true,
    doc: "`off` sends one upstream call per series (only the benchmarks' naive baseline uses it)",
  }),
  upstreamDeduplication: setting.onOff({
    default: true,
    doc: 'identical upstream reads in flight at the same time, from any client request, share one call (twenty viewers of one dashboard refreshing the same window cost the upstream one call); nothing is kept once the call is answered',
  }),
  operationDeduplication: setting.onOff({
    default: true,
    doc: 'identical queries in flight at the same time (same query text, operation name and variables; never mutations) share one execution and one answer; nothing is kept once the answer is sent',
  }),
  graphqlJit: setting.onOff({
    default: true,
    doc: "run each operation compiled once by graphql-jit; `off` uses graphql-js's interpreter (same answers, slower on long lists: see docs/benchmarks.md)",
  }),
  maxBodyBytes: setting.int({ default: 1_048_576, min: 1024, max: 104_857_600, doc: 'largest accepted request body' }),
  simulatorLatencyMs: setting.int({ default: 0, min: 0, max: 60_000, doc: 'latency the built-in simulators add to every answer' }),
};

export type GatewaySettings = SettingsOf<typeof gatewaySettings>;

export interface Config extends GatewaySettings {
  logLevel: LogLevel;
  /** Each upstream's settings, by its name: `upstreams.meetnet.timeoutMs`. */
  upstreams: Readonly<Record<UpstreamName, UpstreamSettings>>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env, modules: readonly UpstreamModule[]): Readonly<Config> {
  const problems: string[] = [];
  const gateway = readSettings(env, '', gatewaySettings, problems);
  const upstreams: Record<UpstreamName, UpstreamSettings> = {};
  for (const m of modules) {
    const s = readSettings(env, m.envPrefix, m.settings, problems);
    // A base URL needs the service account to use there; a bad URL still says what else is missing.
    if (s.baseUrl !== null || env[`${m.envPrefix}_BASE_URL`]?.trim()) {
      for (const key of ['login', 'password'] as const) {
        if (s[key] === null)
          problems.push(`${variableOf(m.envPrefix, key, m.settings[key])} is required when ${m.envPrefix}_BASE_URL is set`);
      }
    }
    upstreams[m.name] = s;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({ ...gateway, upstreams });
}

/** Every variable the gateway reads, with its default and meaning: the README's table and .env.example are written from it. */
export function configDocs(modules: readonly UpstreamModule[]): Array<{ title: string; rows: SettingDoc[] }> {
  return [
    { title: 'The gateway', rows: describeSettings('', gatewaySettings) },
    ...modules.map((m) => ({
      title: `${m.label} (unset \`${m.envPrefix}_BASE_URL\`: the built-in simulator)`,
      rows: describeSettings(m.envPrefix, m.settings),
    })),
  ];
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
