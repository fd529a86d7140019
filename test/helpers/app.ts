// Starts a real gateway on free ports, the way `npm start` does: each upstream without a base URL
// on its built-in simulator, with a logger that keeps every line so tests can check what was logged.
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { simulateUnconfigured } from '../../src/simulation.js';
import type { UpstreamModule } from '../../src/upstreams/module.js';
import { upstreamModules } from '../../src/upstreams/modules.js';
import type { BemServerAdapter } from '../../src/upstreams/bemserver/adapter.js';
import type { BemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import type { FlexMeasuresAdapter } from '../../src/upstreams/flexmeasures/adapter.js';
import type { FlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';
import type { MeetnetAdapter } from '../../src/upstreams/meetnet/adapter.js';
import type { MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

import { KEYS_FILE } from './access.js';

export { REDIS_URL, uniquePrefix } from './redis.js';

export interface TestApp extends App {
  logLines: string[];
  /** The built-in simulators started for the upstreams that have no base URL; null for the others. */
  simulators: { meetnet: MeetnetSimulator | null; flexmeasures: FlexMeasuresSimulator | null; bemserver: BemServerSimulator | null };
  /** The upstreams as their own classes, for what only tests read (token counters). */
  upstreams: { meetnet: MeetnetAdapter; flexmeasures: FlexMeasuresAdapter; bemserver: BemServerAdapter };
}

/** What a test may hand the gateway besides its environment (a clock instead of waiting). */
type TestAppOptions = Pick<AppOptions, 'catalogClock'>;

/** Starts the gateway on these modules (all of them by default) with the environment given. */
export async function startGateway(env: Record<string, string>, modules: readonly UpstreamModule[], options: TestAppOptions = {}) {
  // Latest values are not shared between requests unless a test asks: tests count upstream calls.
  // Clients: the tests' keys (test/helpers/access.ts), and anonymous reads for the tests of other
  // things that send none; test/integration/access.test.ts checks the defaults themselves.
  const config = loadConfig(
    { PORT: '0', LOG_LEVEL: 'debug', LATEST_TTL_MS: '0', API_KEYS_FILE: KEYS_FILE, ANONYMOUS_READ: 'on', FIELD_SUGGESTIONS: 'on', ...env },
    modules,
  );
  const secrets = new SecretRegistry();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets, write: (line) => logLines.push(line) });
  const simulation = await simulateUnconfigured(config, modules, secrets);
  const simulated = new Set(simulation.running.keys());
  const app = await startApp(simulation.config, modules, { ...options, logger, secrets, simulated }).catch(async (err: unknown) => {
    await simulation.stop();
    throw err;
  });
  const stopApp = app.stop;
  const stop = async () => {
    await stopApp();
    await simulation.stop();
  };
  return { app: Object.assign(app, { logLines, stop }), simulation };
}

export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const { app, simulation } = await startGateway(env, upstreamModules, options);
  // The simulators and upstreams are of the modules' own classes: the helper names them for the tests.
  const sim = <T>(name: string) => (simulation.running.get(name)?.instance ?? null) as T | null;
  return Object.assign(app, {
    simulators: {
      meetnet: sim<MeetnetSimulator>('meetnet'),
      flexmeasures: sim<FlexMeasuresSimulator>('flexmeasures'),
      bemserver: sim<BemServerSimulator>('bemserver'),
    },
    upstreams: {
      meetnet: app.registry.get('meetnet') as MeetnetAdapter,
      flexmeasures: app.registry.get('flexmeasures') as FlexMeasuresAdapter,
      bemserver: app.registry.get('bemserver') as BemServerAdapter,
    },
  });
}

/** Two sensors of each upstream, with data in any window of the simulators since 2025. */
export const SENSORS_OF_EACH_UPSTREAM = [
  'meetnet:sensor:MP7WVC',
  'meetnet:sensor:MP0WC3',
  'flexmeasures:sensor:4',
  'flexmeasures:sensor:5',
  'bemserver:sensor:1',
  'bemserver:sensor:2',
];

/** The series reads each upstream's simulator has logged (its data routes): what batching and the caches save. */
export const dataCalls = (app: TestApp) => ({
  meetnet: app.simulators.meetnet!.requests('getData').length,
  flexmeasures: app.simulators.flexmeasures!.requests('sensorData').length,
  bemserver: app.simulators.bemserver!.requests('timeseries_data').length,
});
