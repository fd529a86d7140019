// The two targets every conformance case runs against: the built-in simulator and the real server
// that scripts/real-upstreams/start brought up (its env file and data set, issue 14).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { SeededSeries } from '../../scripts/real-upstreams/seed.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

export interface RealUpstreams {
  env: Record<string, string>;
  dataset: { seededAt: string; flexmeasures: SeededSeries[]; bemserver: SeededSeries[] };
}

const HOME = process.env.REAL_UPSTREAMS_HOME ?? join(homedir(), '.cache', 'gateway-real-upstreams');

/** The running real servers, as the start script wrote them down; a clear failure when they are not up. */
export function realUpstreams(): RealUpstreams {
  const envFile = join(HOME, 'env');
  const dataFile = join(HOME, 'dataset.json');
  if (!existsSync(envFile) || !existsSync(dataFile)) {
    throw new Error(`no real servers: run scripts/real-upstreams/start first (it writes ${envFile} and ${dataFile})`);
  }
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { env, dataset: JSON.parse(readFileSync(dataFile, 'utf8')) as RealUpstreams['dataset'] };
}

/** Checks that a real server answers at all before a whole file of cases fails one by one. */
export async function answers(url: string): Promise<void> {
  try {
    await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new Error(`${url} does not answer: run scripts/real-upstreams/start`, { cause: err });
  }
}

/** The real servers, each behind a recording proxy that counts the calls made to it. */
export interface ProxiedRealUpstreams extends RealUpstreams {
  fm: RecordingProxy;
  bem: RecordingProxy;
  /** FLEXMEASURES_* and BEMSERVER_* for a gateway: the proxies' URLs and the service accounts. */
  gatewayEnv: Record<string, string>;
  /** The global ID of a seeded sensor, by its name in the data set. */
  fmSensor(name: string): string;
  bemSensor(name: string): string;
  close(): Promise<void>;
}

/** Checks that both real servers answer, and puts a recording proxy in front of each. */
export async function proxiedRealUpstreams(): Promise<ProxiedRealUpstreams> {
  const real = realUpstreams();
  await answers(`${real.env.FLEXMEASURES_BASE_URL}/api/`);
  await answers(`${real.env.BEMSERVER_BASE_URL}/about/`);
  const [fm, bem] = await Promise.all([
    startRecordingProxy(real.env.FLEXMEASURES_BASE_URL!),
    startRecordingProxy(real.env.BEMSERVER_BASE_URL!),
  ]);
  const seeded = (list: SeededSeries[], name: string) => list.find((s) => s.name === name)!.id;
  return {
    ...real,
    fm,
    bem,
    gatewayEnv: {
      FLEXMEASURES_BASE_URL: fm.url,
      FLEXMEASURES_EMAIL: real.env.FLEXMEASURES_EMAIL!,
      FLEXMEASURES_PASSWORD: real.env.FLEXMEASURES_PASSWORD!,
      BEMSERVER_BASE_URL: bem.url,
      BEMSERVER_EMAIL: real.env.BEMSERVER_EMAIL!,
      BEMSERVER_PASSWORD: real.env.BEMSERVER_PASSWORD!,
    },
    fmSensor: (name) => `flexmeasures:sensor:${seeded(real.dataset.flexmeasures, name)}`,
    bemSensor: (name) => `bemserver:sensor:${seeded(real.dataset.bemserver, name)}`,
    close: async () => {
      await Promise.all([fm.close(), bem.close()]);
    },
  };
}
