import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig as load, redactUrl } from '../../src/config.js';
import { upstreamModules } from '../../src/upstreams/modules.js';

const loadConfig = (env: Record<string, string>) => load(env, upstreamModules);

describe('loadConfig', () => {
  it('runs with no configuration at all: simulators, memory tokens, port 4000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, host: '127.0.0.1', redisUrl: null, logLevel: 'info' });
    expect(c.upstreams.meetnet).toMatchObject({ baseUrl: null, timeoutMs: 15_000, retries: 2 });
    expect(Object.isFrozen(c.upstreams.meetnet)).toBe(true);
  });

  it('switches precompiled execution, batching and deduplication with on/off', () => {
    expect(loadConfig({})).toMatchObject({ graphqlJit: true, upstreamBatching: true, upstreamDeduplication: true });
    expect(loadConfig({ GRAPHQL_JIT: 'off', UPSTREAM_BATCHING: 'OFF', UPSTREAM_DEDUPLICATION: 'no' })).toMatchObject({
      graphqlJit: false,
      upstreamBatching: false,
      upstreamDeduplication: false,
    });
    expect(() => loadConfig({ GRAPHQL_JIT: 'fast' })).toThrow('GRAPHQL_JIT must be on or off (got "fast")');
  });

  it('CORS_ORIGINS: each an origin (a trailing slash forgiven), or *', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.org, http://localhost:5173/' }).corsOrigins).toBe(
      'https://a.example.org, http://localhost:5173/',
    );
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(() => loadConfig({ CORS_ORIGINS: 'dash.example.org,https://a.example.org/app' })).toThrow(
      'CORS_ORIGINS: "dash.example.org" is not an origin (scheme://host[:port], such as https://dashboards.example.org)\n' +
        '  - CORS_ORIGINS: "https://a.example.org/app" is not an origin',
    );
  });

  it("LIVE_POLL_INTERVAL_MS: 0 (each sensor's own interval) or at least 100", () => {
    expect(loadConfig({}).livePollIntervalMs).toBe(0);
    expect(loadConfig({ LIVE_POLL_INTERVAL_MS: '100' }).livePollIntervalMs).toBe(100);
    expect(() => loadConfig({ LIVE_POLL_INTERVAL_MS: '50' })).toThrow(
      "LIVE_POLL_INTERVAL_MS must be 0 (each sensor's own interval) or at least 100 (got 50)",
    );
  });

  it('reports every problem in one error', () => {
    let error: ConfigError | null = null;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://redis',
        LOG_LEVEL: 'loud',
        MEETNET_BASE_URL: 'not a url',
        MEETNET_TIMEOUT_MS: '-5',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(7);
    expect(error!.message).toContain('PORT must be a whole number');
    expect(error!.message).toContain('REDIS_URL must be a redis: or rediss: URL');
    expect(error!.message).toContain('LOG_LEVEL must be debug, info, warn, error or silent');
    expect(error!.message).toContain('MEETNET_BASE_URL is not a valid URL');
    expect(error!.message).toContain('MEETNET_TIMEOUT_MS');
    expect(error!.message).toContain('MEETNET_USERNAME is required');
    expect(error!.message).toContain('MEETNET_PASSWORD is required');
  });

  it('never repeats a password in its messages', () => {
    try {
      loadConfig({ REDIS_URL: 'redis://:hunter2secret@', MEETNET_BASE_URL: 'ftp://user:pw12345@example.org' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2secret');
      expect((err as Error).message).not.toContain('pw12345');
    }
    expect(redactUrl('redis://:s3cr3t@redis:6379/0')).toBe('redis://:***@redis:6379/0');
  });

  it('accepts a real upstream with credentials', () => {
    const c = loadConfig({
      MEETNET_BASE_URL: 'https://api.meetnetvlaamsebanken.be/',
      MEETNET_USERNAME: 'me@example.org',
      MEETNET_PASSWORD: ' with spaces ',
      REDIS_URL: 'redis://localhost:6379',
    });
    expect(c.upstreams.meetnet).toMatchObject({
      baseUrl: 'https://api.meetnetvlaamsebanken.be',
      login: 'me@example.org',
      password: ' with spaces ',
    });
    expect(c.redisUrl).toBe('redis://localhost:6379');
  });

  it('FlexMeasures: the simulator by default, /api stripped from a real base URL, the API version checked', () => {
    expect(loadConfig({}).upstreams.flexmeasures).toMatchObject({
      baseUrl: null,
      apiVersion: 'auto',
      concurrency: 8,
      timeoutMs: 15_000,
      retries: 2,
    });
    const c = loadConfig({
      FLEXMEASURES_BASE_URL: 'https://fm.example.org/api/',
      FLEXMEASURES_EMAIL: 'svc@example.org',
      FLEXMEASURES_PASSWORD: 'pw',
      FLEXMEASURES_API_VERSION: 'V1_1',
      FLEXMEASURES_CONCURRENCY: '2',
    });
    expect(c.upstreams.flexmeasures).toMatchObject({
      baseUrl: 'https://fm.example.org',
      login: 'svc@example.org',
      apiVersion: 'v1_1',
      concurrency: 2,
    });
    let error: ConfigError | null = null;
    try {
      loadConfig({ FLEXMEASURES_BASE_URL: 'https://fm.example.org', FLEXMEASURES_API_VERSION: 'v2_0', FLEXMEASURES_CONCURRENCY: '0' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems).toHaveLength(4);
    expect(error!.message).toContain('FLEXMEASURES_EMAIL is required when FLEXMEASURES_BASE_URL is set');
    expect(error!.message).toContain('FLEXMEASURES_PASSWORD is required');
    expect(error!.message).toContain('FLEXMEASURES_API_VERSION must be auto, v3_0 or v1_1 (got "v2_0")');
    expect(error!.message).toContain('FLEXMEASURES_CONCURRENCY');
  });

  it('BEMServer: the simulator by default; a base URL needs e-mail and password; URL length and concurrency bounded', () => {
    expect(loadConfig({}).upstreams.bemserver).toMatchObject({ baseUrl: null, maxUrlLength: 4000, concurrency: 4 });
    const c = loadConfig({
      BEMSERVER_BASE_URL: 'https://bem.example.org/api/v0/',
      BEMSERVER_EMAIL: 'svc@example.org',
      BEMSERVER_PASSWORD: 'pw',
    });
    expect(c.upstreams.bemserver).toMatchObject({ baseUrl: 'https://bem.example.org/api/v0', login: 'svc@example.org', password: 'pw' });
    let error: ConfigError | null = null;
    try {
      loadConfig({ BEMSERVER_BASE_URL: 'https://bem.example.org', BEMSERVER_MAX_URL_LENGTH: '10' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems).toHaveLength(3);
    expect(error!.message).toContain('BEMSERVER_EMAIL is required when BEMSERVER_BASE_URL is set');
    expect(error!.message).toContain('BEMSERVER_PASSWORD is required');
    expect(error!.message).toContain('BEMSERVER_MAX_URL_LENGTH');
  });
});

describe('base URLs', () => {
  it('refuse a query string or a fragment: the routes are added after them', () => {
    for (const url of ['https://api.example.org/?key=1', 'https://api.example.org/api#x']) {
      expect(() => loadConfig({ MEETNET_BASE_URL: url, MEETNET_USERNAME: 'u', MEETNET_PASSWORD: 'p' })).toThrow(
        'MEETNET_BASE_URL must have no query string or fragment',
      );
    }
  });
});

describe('configuration docs', () => {
  it('README.md (Configuration) and .env.example are what the settings say (run `npm run config:docs`)', async () => {
    const { readFileSync } = await import('node:fs');
    const { envExample, readmeWithConfig } = await import('../../scripts/config-docs.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(readmeWithConfig(readme, upstreamModules));
    expect(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')).toBe(envExample(upstreamModules));
    // Every variable the gateway reads is documented, under its own name.
    for (const name of [
      'HOST',
      'REDIS_URL',
      'MEETNET_USERNAME',
      'FLEXMEASURES_EMAIL',
      'FLEXMEASURES_API_VERSION',
      'BEMSERVER_MAX_URL_LENGTH',
    ]) {
      expect(readme).toContain(`| \`${name}\` |`);
      expect(envExample(upstreamModules)).toContain(`# ${name}=`);
    }
  });
});
