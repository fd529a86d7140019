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
    doc: '`redis://…`: keep service-account tokens in Redis, shared by every replica (one login, and for BEMServer one token refresh, at a time across them), and the shared cache of series windows that can no longer change and of persisted queries (README: Shared cache). Unset: in process memory, no shared cache. If Redis goes away, tokens fall back to memory, history is read from the upstreams, and no query fails for it.',
  }),
  redisKeyPrefix: setting.text({
    default: 'gw:',
    doc: 'tokens live at `<prefix>token:<upstream>`, cached history at `<prefix>history:…` and `<prefix>history-index:…`, persisted queries at `<prefix>apq:<sha256>`, live values at `<prefix>live:…` (docs/operations.md lists them all)',
  }),
  redisTimeoutMs: setting.int({ default: 500, min: 10, max: 60_000, doc: 'longest wait for one Redis command' }),
  historyCacheTtlS: setting.int({
    default: 86_400,
    min: 0,
    max: 30 * 86_400,
    doc: 'with `REDIS_URL`: how long a series window that can no longer change (its end older than `<UPSTREAM>_HISTORY_FINAL_AFTER_MS`) stays in Redis, answered there for every replica (`0`: no shared cache). Recent windows are always read from the upstream; a Redis failure sends the read there too',
  }),
  historyCacheMaxBytes: setting.int({
    default: 4 * 1024 * 1024,
    min: 1024,
    max: 256 * 1024 * 1024,
    doc: 'largest entry the history cache stores, encoded: a whole window, or one day of a long window of raw data (a day of 10-minute data is 1.2 KiB, a year as one window 0.4 to 0.8 MiB); larger ones are read from the upstream each time',
  }),
  persistedQueries: setting.onOff({
    default: true,
    doc: "automatic persisted queries: a client sends a query's SHA-256 hash instead of its text once the text was sent; kept in Redis for every replica with `REDIS_URL`, in process memory otherwise",
  }),
  persistedQueryTtlS: setting.int({
    default: 86_400,
    min: 1,
    max: 30 * 86_400,
    doc: 'how long a persisted query is kept after it was sent',
  }),
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
  livePollIntervalMs: setting.int({
    default: 0,
    min: 0,
    max: 86_400_000,
    doc: "how often a sensor with live subscribers (`latestValues`) is polled, once for all of them across the replicas sharing `REDIS_URL`; `0`: each sensor's own interval (at least a minute), else this for every sensor (at least 100)",
  }),
  liveMaxSubscriptionsPerConnection: setting.int({
    default: 20,
    min: 1,
    max: 1000,
    doc: 'most subscriptions one WebSocket, or one single-connection event stream, may hold at once',
  }),
  upstreamBatching: setting.onOff({
    default: true,
    doc: "`off` sends one upstream call per series (only the benchmarks' naive baseline uses it)",
  }),
  upstreamAggregation: setting.onOff({
    default: true,
    doc: '`off` computes every bucket in the gateway from the raw series, instead of asking the upstreams that aggregate exactly as the gateway does (BEMServer aggregates, FlexMeasures resampling)',
  }),
  upstreamDeduplication: setting.onOff({
    default: true,
    doc: 'identical upstream reads in flight at the same time, from any client request, share one call (twenty viewers of one dashboard refreshing the same window cost the upstream one call); nothing is kept once the call is answered',
  }),
  operationDeduplication: setting.onOff({
    default: true,
    doc: 'identical queries in flight at the same time (same query text, operation name and variables; never mutations) share one execution and one answer; nothing is kept once the answer is sent',
  }),
  federation: setting.onOff({
    default: true,
    doc: 'serve the schema as an Apollo Federation 2 subgraph on the same endpoint (`_service`, `_entities`, `@key` on Location, Sensor, Parameter and Connection); off: the plain schema',
  }),
  graphqlJit: setting.onOff({
    default: true,
    doc: "run each operation compiled once by graphql-jit; `off` uses graphql-js's interpreter (same answers, slower on long lists: see docs/benchmarks.md)",
  }),
  simulatorLatencyMs: setting.int({ default: 0, min: 0, max: 60_000, doc: 'latency the built-in simulators add to every answer' }),
  shutdownGraceMs: setting.int({
    default: 10_000,
    min: 0,
    max: 600_000,
    doc: 'on SIGTERM or SIGINT, how long requests in flight may still run before their connections are closed',
  }),
};

/** Who may call the gateway, and what the schema shows. */
export const accessSettings = {
  apiKeysFile: setting.optionalText({
    example: './api-keys.json',
    doc: 'a JSON file of API keys kept as SHA-256 hashes (`npm run api-key` makes one): `[{ "name", "sha256", "scopes": ["read", "write"], "upstreams": [...] }]`; clients send `Authorization: Bearer <key>` or `x-api-key: <key>`',
  }),
  jwksUrl: setting.url({
    protocols: ['http:', 'https:'],
    example: 'https://login.example.org/.well-known/jwks.json',
    doc: 'verify `Authorization: Bearer <JWT>` against this JSON Web Key Set (with `JWT_ISSUER` and `JWT_AUDIENCE`)',
  }),
  jwtIssuer: setting.optionalText({ example: 'https://login.example.org/', doc: 'the `iss` a JWT must have (required with `JWKS_URL`)' }),
  jwtAudience: setting.optionalText({ example: 'monitoring-gateway', doc: 'the `aud` a JWT must have (required with `JWKS_URL`)' }),
  jwtScopesClaim: setting.text({
    default: 'scope',
    doc: "the claim holding a JWT's scopes (`read`, `write`): a space-separated string or a list",
  }),
  jwtUpstreamsClaim: setting.text({ default: 'upstreams', doc: 'the claim listing the upstreams a JWT may reach (all when absent)' }),
  anonymousRead: setting.oneOf({
    values: ['auto', 'on', 'off'] as const,
    default: 'auto',
    doc: 'queries without credentials; `auto`: on when neither `API_KEYS_FILE` nor `JWKS_URL` is set (the zero-configuration demo: reads open, writes refused), off otherwise',
  }),
  corsOrigins: setting.optionalText({
    example: 'https://dashboards.example.org,https://explorer.example.org',
    doc: 'the web origins whose pages may call the gateway (comma-separated, or `*` for any); unset: none',
  }),
  introspection: setting.onOff({ default: true, doc: 'answer introspection queries (GraphiQL and code generators need them)' }),
  fieldSuggestions: setting.oneOf({
    values: ['auto', 'on', 'off'] as const,
    default: 'auto',
    doc: '"Did you mean …?" in validation errors; `auto`: on in the open demo, off when `API_KEYS_FILE` or `JWKS_URL` is set',
  }),
  graphiql: setting.onOff({ default: true, doc: 'serve GraphiQL to browsers at the GraphQL URL' }),
};

/** What one request may ask and spend. */
export const limitSettings = {
  maxQueryDepth: setting.int({ default: 12, min: 2, max: 100, doc: 'deepest nesting of fields in one operation' }),
  maxAliases: setting.int({ default: 50, min: 0, max: 10_000, doc: 'most aliased fields in one operation' }),
  maxRootFields: setting.int({ default: 20, min: 1, max: 1_000, doc: 'most top-level fields in one operation' }),
  maxQueryCost: setting.int({
    default: 2_000_000,
    min: 1_000,
    max: 1_000_000_000,
    doc: "most an operation may cost before anything runs: one per field, times the size of the lists around it, and for a series the points it asks for (window ÷ the sensor's interval)",
  }),
  maxResponsePoints: setting.int({
    default: 1_000_000,
    min: 1_000,
    max: 100_000_000,
    doc: 'most points one answer may carry, counted as its lists of points are written (`points` counts each point, `timestamps` and `values` half each); what does not fit is left out with its error',
  }),
  maxPointsInFlight: setting.int({
    default: 2_000_000,
    min: 1_000,
    max: 1_000_000_000,
    doc: 'most points all requests together may be reading and writing at once (what bounds memory); a request that does not fit waits, and gives up at its deadline with a 503',
  }),
  requestDeadlineMs: setting.int({
    default: 30_000,
    min: 100,
    max: 600_000,
    doc: 'longest a request may run: then its upstream calls still in flight are abandoned and it answers what it has, with typed errors',
  }),
  maxBodyBytes: setting.int({ default: 1_048_576, min: 1024, max: 104_857_600, doc: 'largest accepted request body' }),
  httpHeadersTimeoutMs: setting.int({ default: 10_000, min: 100, max: 600_000, doc: "longest wait for a request's headers" }),
  httpRequestTimeoutMs: setting.int({
    default: 60_000,
    min: 100,
    max: 3_600_000,
    doc: 'longest wait for a whole request to arrive (headers and body)',
  }),
  httpIdleTimeoutMs: setting.int({ default: 65_000, min: 1_000, max: 3_600_000, doc: 'how long an idle kept-alive connection stays open' }),
};

/** Health, metrics: what operators and their tools read. */
const operationsSettings = {
  metrics: setting.onOff({ default: true, doc: 'serve Prometheus metrics at `/metrics`' }),
  metricsPort: setting.int({
    default: 0,
    min: 0,
    max: 65_535,
    doc: 'serve `/metrics` on this port of `HOST` instead of the GraphQL port (0: the GraphQL port)',
  }),
  metricsToken: setting.secret({ doc: '`/metrics` answers only with `Authorization: Bearer <this>` when set' }),
  otelExporterOtlpEndpoint: setting.url({
    protocols: ['http:', 'https:'],
    example: 'http://otel-collector:4318',
    doc: 'send OpenTelemetry spans (a GraphQL request, each upstream call) over OTLP/HTTP to `<this>/v1/traces`; unset: no tracing',
  }),
  otelServiceName: setting.optionalText({ doc: 'the `service.name` of the spans (`monitoring-graphql-gateway` when unset)' }),
};

const allSettings = { ...gatewaySettings, ...accessSettings, ...limitSettings, ...operationsSettings };

export type GatewaySettings = SettingsOf<typeof allSettings>;

export interface Config extends Omit<GatewaySettings, 'anonymousRead' | 'fieldSuggestions'> {
  logLevel: LogLevel;
  /** Queries without credentials are answered. */
  anonymousRead: boolean;
  /** "Did you mean …?" in validation errors. */
  fieldSuggestions: boolean;
  /** The allowed web origins; `*` alone for any. */
  corsOrigins: string | null;
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
  const gateway = readSettings(env, '', allSettings, problems);
  const secured = gateway.apiKeysFile !== null || gateway.jwksUrl !== null;
  // Node refuses a header timeout longer than the whole request's.
  if (gateway.httpHeadersTimeoutMs > gateway.httpRequestTimeoutMs) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS (${gateway.httpHeadersTimeoutMs}) must not be longer than HTTP_REQUEST_TIMEOUT_MS (${gateway.httpRequestTimeoutMs})`,
    );
  }
  if (gateway.corsOrigins !== null && gateway.corsOrigins.trim() !== '*') {
    // A browser sends its origin as scheme://host[:port]: anything else would never match.
    for (const origin of gateway.corsOrigins.split(',').map((o) => o.trim().replace(/\/+$/, ''))) {
      if (!/^https?:\/\/[^/\s?#]+$/i.test(origin)) {
        problems.push(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], such as https://dashboards.example.org)`);
      }
    }
  }
  if (gateway.livePollIntervalMs > 0 && gateway.livePollIntervalMs < 100) {
    problems.push(`LIVE_POLL_INTERVAL_MS must be 0 (each sensor's own interval) or at least 100 (got ${gateway.livePollIntervalMs})`);
  }
  if (gateway.metricsPort !== 0 && gateway.metricsPort === gateway.port) {
    problems.push(`METRICS_PORT (${gateway.metricsPort}) must differ from PORT: 0 serves /metrics on the GraphQL port`);
  }
  if (gateway.metricsToken !== null && gateway.metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters (`openssl rand -hex 16` makes one)');
  }
  if (gateway.jwksUrl !== null) {
    if (gateway.jwtIssuer === null) problems.push('JWT_ISSUER is required when JWKS_URL is set');
    if (gateway.jwtAudience === null) problems.push('JWT_AUDIENCE is required when JWKS_URL is set');
  }
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
  return deepFreeze({
    ...gateway,
    anonymousRead: gateway.anonymousRead === 'auto' ? !secured : gateway.anonymousRead === 'on',
    fieldSuggestions: gateway.fieldSuggestions === 'auto' ? !secured : gateway.fieldSuggestions === 'on',
    upstreams,
  });
}

/** Every variable the gateway reads, with its default and meaning: the README's table and .env.example are written from it. */
export function configDocs(modules: readonly UpstreamModule[]): Array<{ title: string; rows: SettingDoc[] }> {
  return [
    { title: 'The gateway', rows: describeSettings('', gatewaySettings) },
    { title: 'Clients and access', rows: describeSettings('', accessSettings) },
    { title: 'Limits per request', rows: describeSettings('', limitSettings) },
    { title: 'Operations', rows: describeSettings('', operationsSettings) },
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
