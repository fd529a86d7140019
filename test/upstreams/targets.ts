// The two targets every conformance case runs against: the built-in simulator and the real server
// that scripts/real-upstreams/start brought up (its env file and data set, issue 14).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { SeededSeries } from '../../scripts/real-upstreams/seed.js';

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
