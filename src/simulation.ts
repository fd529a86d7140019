// Zero configuration: an upstream without a base URL runs on its built-in simulator, started here
// on loopback with a throwaway service account. Simulator code is loaded only for those upstreams
// (each module's `simulator()`), so a gateway pointed at real upstreams never loads any.
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import type { SecretRegistry } from './logger.js';
import type { UpstreamName } from './shared/domain.js';
import type { RunningSimulator, UpstreamModule } from './upstreams/module.js';

export interface Simulation {
  /** The configuration with each simulated upstream pointed at its simulator. */
  config: Readonly<Config>;
  /** The simulators started, by upstream name. */
  running: ReadonlyMap<UpstreamName, RunningSimulator>;
  stop(): Promise<void>;
}

export async function simulateUnconfigured(
  config: Readonly<Config>,
  modules: readonly UpstreamModule[],
  secrets: SecretRegistry,
): Promise<Simulation> {
  const running = new Map<UpstreamName, RunningSimulator>();
  const stop = async () => {
    await Promise.all([...running.values()].map((s) => s.close().catch(() => undefined)));
  };
  const upstreams = { ...config.upstreams };
  try {
    for (const m of modules) {
      const settings = config.upstreams[m.name];
      if (!settings || settings.baseUrl !== null || !m.simulator) continue;
      const account = { login: 'gateway@simulator.local', password: randomBytes(12).toString('base64url') };
      secrets.add(account.password);
      const start = await m.simulator();
      const sim = await start.start({ account, latencyMs: config.simulatorLatencyMs, settings });
      running.set(m.name, sim);
      upstreams[m.name] = Object.freeze({ ...settings, baseUrl: sim.url, login: account.login, password: account.password });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { config: Object.freeze({ ...config, upstreams: Object.freeze(upstreams) }), running, stop };
}
