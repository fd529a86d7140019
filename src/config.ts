// Configuration is read once, from an env-like record, and validated as a whole: one error lists
// every problem. Only src/main.ts passes process.env here.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface MeetnetConfig {
  /** null: use the built-in simulator. */
  baseUrl: string | null;
  username: string | null;
  password: string | null;
  timeoutMs: number;
  retries: number;
}

export type FlexMeasuresApiSetting = 'auto' | 'v3_0' | 'v1_1';

export interface FlexMeasuresConfig {
  /** null: use the built-in simulator. Without the `/api` suffix. */
  baseUrl: string | null;
  email: string | null;
  password: string | null;
  /** `auto` reads `GET /api` and prefers v3_0. */
  apiVersion: FlexMeasuresApiSetting;
  timeoutMs: number;
  retries: number;
  /** v3_0 reads one sensor per call: at most this many calls at once per request. */
  concurrency: number;
}

export interface BemServerConfig {
  /** null: use the built-in simulator. The API root, e.g. `https://host/api/v0`. */
  baseUrl: string | null;
  email: string | null;
  password: string | null;
  timeoutMs: number;
  retries: number;
  /** Longest request URL sent; longer timeseries id lists are split over several data calls. */
  maxUrlLength: number;
  /** Most calls at once when walking pages or split id lists. */
  concurrency: number;
}

export interface Config {
  host: string;
  port: number;
  redisUrl: string | null;
  redisKeyPrefix: string;
  redisTimeoutMs: number;
  logLevel: LogLevel;
  /** Largest time window one series query may ask for. */
  maxWindowDays: number;
  /** How long slow-changing catalogues stay in the in-process cache. */
  catalogTtlMs: number;
  /** How long a latest value is shared between requests (0: every request asks the upstream). */
  latestTtlMs: number;
  /** Added to every answer of the built-in simulators (0 by default). */
  simulatorLatencyMs: number;
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** Batch the upstream reads of one request (off only for the benchmarks' naive baseline). */
  upstreamBatching: boolean;
  /** Run operations precompiled by graphql-jit (off: graphql-js's interpreter). */
  graphqlJit: boolean;
  /** Identical upstream reads in flight at once share one call, across client requests. */
  upstreamDeduplication: boolean;
  /** Identical queries in flight at once share one execution and one answer. */
  operationDeduplication: boolean;
  meetnet: MeetnetConfig;
  flexmeasures: FlexMeasuresConfig;
  bemserver: BemServerConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Every variable the gateway reads, with its default and meaning (printed by the README and .env.example). */
export const configVariables = [
  'HOST',
  'PORT',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'REDIS_TIMEOUT_MS',
  'LOG_LEVEL',
  'MAX_WINDOW_DAYS',
  'CATALOG_TTL_MS',
  'LATEST_TTL_MS',
  'SIMULATOR_LATENCY_MS',
  'MAX_BODY_BYTES',
  'UPSTREAM_BATCHING',
  'GRAPHQL_JIT',
  'UPSTREAM_DEDUPLICATION',
  'OPERATION_DEDUPLICATION',
  'MEETNET_BASE_URL',
  'MEETNET_USERNAME',
  'MEETNET_PASSWORD',
  'MEETNET_TIMEOUT_MS',
  'MEETNET_RETRIES',
  'FLEXMEASURES_BASE_URL',
  'FLEXMEASURES_EMAIL',
  'FLEXMEASURES_PASSWORD',
  'FLEXMEASURES_API_VERSION',
  'FLEXMEASURES_TIMEOUT_MS',
  'FLEXMEASURES_RETRIES',
  'FLEXMEASURES_CONCURRENCY',
  'BEMSERVER_BASE_URL',
  'BEMSERVER_EMAIL',
  'BEMSERVER_PASSWORD',
  'BEMSERVER_TIMEOUT_MS',
  'BEMSERVER_RETRIES',
  'BEMSERVER_MAX_URL_LENGTH',
  'BEMSERVER_CONCURRENCY',
] as const;

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function loadConfig(env: Env): Readonly<Config> {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = str(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${redactUrl(raw)}")`);
        return null;
      }
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} is not a valid URL (got "${redactUrl(raw)}")`);
      return null;
    }
  };

  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be on or off (got "${raw}")`);
    return fallback;
  };

  const logLevel = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!logLevels.includes(logLevel as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${logLevel}")`);
  }

  /** An upstream's base URL with its service account: both credentials are required with a URL. */
  const upstream = (prefix: string, user: 'USERNAME' | 'EMAIL') => {
    const baseUrl = url(`${prefix}_BASE_URL`, ['http:', 'https:']);
    const login = str(`${prefix}_${user}`);
    const password = env[`${prefix}_PASSWORD`] ?? null; // a password may legitimately hold spaces
    if (baseUrl !== null || env[`${prefix}_BASE_URL`]?.trim()) {
      if (!login) problems.push(`${prefix}_${user} is required when ${prefix}_BASE_URL is set`);
      if (!password) problems.push(`${prefix}_PASSWORD is required when ${prefix}_BASE_URL is set`);
    }
    return { baseUrl, login, password };
  };

  const meetnet = upstream('MEETNET', 'USERNAME');
  const fm = upstream('FLEXMEASURES', 'EMAIL');
  // FlexMeasures routes live under /api: accept the base URL with or without it.
  const fmBaseUrl = fm.baseUrl?.replace(/\/api$/, '') ?? null;
  const bem = upstream('BEMSERVER', 'EMAIL');
  const fmApi = (str('FLEXMEASURES_API_VERSION') ?? 'auto').toLowerCase();
  if (!['auto', 'v3_0', 'v1_1'].includes(fmApi)) {
    problems.push(`FLEXMEASURES_API_VERSION must be auto, v3_0 or v1_1 (got "${fmApi}")`);
  }

  const config: Config = {
    host: str('HOST') ?? '127.0.0.1',
    port: int('PORT', 4000, 0, 65535),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: str('REDIS_KEY_PREFIX') ?? 'gw:',
    redisTimeoutMs: int('REDIS_TIMEOUT_MS', 500, 10, 60_000),
    logLevel: logLevel as LogLevel,
    maxWindowDays: int('MAX_WINDOW_DAYS', 3660, 1, 36_600),
    catalogTtlMs: int('CATALOG_TTL_MS', 3_600_000, 0, 7 * 86_400_000),
    latestTtlMs: int('LATEST_TTL_MS', 10_000, 0, 3_600_000),
    simulatorLatencyMs: int('SIMULATOR_LATENCY_MS', 0, 0, 60_000),
    maxBodyBytes: int('MAX_BODY_BYTES', 1_048_576, 1024, 104_857_600),
    upstreamBatching: onOff('UPSTREAM_BATCHING', true),
    graphqlJit: onOff('GRAPHQL_JIT', true),
    upstreamDeduplication: onOff('UPSTREAM_DEDUPLICATION', true),
    operationDeduplication: onOff('OPERATION_DEDUPLICATION', true),
    meetnet: {
      baseUrl: meetnet.baseUrl,
      username: meetnet.login,
      password: meetnet.password,
      timeoutMs: int('MEETNET_TIMEOUT_MS', 15_000, 100, 600_000),
      retries: int('MEETNET_RETRIES', 2, 0, 10),
    },
    flexmeasures: {
      baseUrl: fmBaseUrl,
      email: fm.login,
      password: fm.password,
      apiVersion: fmApi as FlexMeasuresApiSetting,
      timeoutMs: int('FLEXMEASURES_TIMEOUT_MS', 15_000, 100, 600_000),
      retries: int('FLEXMEASURES_RETRIES', 2, 0, 10),
      concurrency: int('FLEXMEASURES_CONCURRENCY', 8, 1, 256),
    },
    bemserver: {
      baseUrl: bem.baseUrl,
      email: bem.login,
      password: bem.password,
      timeoutMs: int('BEMSERVER_TIMEOUT_MS', 15_000, 100, 600_000),
      retries: int('BEMSERVER_RETRIES', 2, 0, 10),
      // nginx's default header buffer is 8 KiB: stay under it with the rest of the request line.
      maxUrlLength: int('BEMSERVER_MAX_URL_LENGTH', 6000, 200, 1_000_000),
      concurrency: int('BEMSERVER_CONCURRENCY', 4, 1, 64),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** A URL as it may be shown: without user info (Redis URLs often carry a password). */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
