// The only place that reads process.env and listens.
import { startApp } from './app.js';
import { ConfigError, loadConfig, redactUrl } from './config.js';
import { createLogger, SecretRegistry } from './logger.js';
import { simulateUnconfigured } from './simulation.js';
import { upstreamModules } from './upstreams/modules.js';

let config;
try {
  config = loadConfig(process.env, upstreamModules);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\nSee README.md (Configuration) or .env.example.\n`);
    process.exit(1);
  }
  throw err;
}

const secrets = new SecretRegistry();
const logger = createLogger({ level: config.logLevel, secrets });
const simulation = await simulateUnconfigured(config, upstreamModules, secrets);
let app;
try {
  app = await startApp(simulation.config, upstreamModules, { logger, secrets, simulated: new Set(simulation.running.keys()) });
} catch (err) {
  await simulation.stop();
  // The API key file is read at start: its problems are the operator's to fix, like the variables'.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\nSee README.md (Exposing the gateway).\n`);
    process.exit(1);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    const why =
      code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'may not be used by this user' : 'is not an address of this machine';
    // The port that failed: the GraphQL one, or METRICS_PORT's.
    const port = (err as { port?: number }).port ?? config.port;
    const which = port === config.metricsPort && port !== config.port ? 'METRICS_PORT' : 'PORT';
    process.stderr.write(`cannot listen on ${config.host}:${port}: it ${why}. Set ${which} (and HOST) to another.\n`);
    process.exit(1);
  }
  throw err;
}

const width = Math.max(...upstreamModules.map((m) => m.label.length)) + 2;
const simulated = upstreamModules.filter((m) => simulation.running.has(m.name));
process.stdout.write(
  [
    '',
    `  Monitoring-data GraphQL gateway ready at ${app.url}`,
    ...(config.graphiql ? [`  Open it in a browser for GraphiQL.`] : []),
    '',
    ...upstreamModules.map((m) => {
      const sim = simulation.running.get(m.name);
      return `  ${`${m.label}:`.padEnd(width)} ${sim ? `built-in simulator (${sim.url})` : redactUrl(config.upstreams[m.name]!.baseUrl!)}`;
    }),
    `  ${'Tokens:'.padEnd(width)} ${app.redis ? 'Redis' : 'in memory'}`,
    `  ${'Clients:'.padEnd(width)} ${app.access}`,
    '',
    ...(simulated.length > 0
      ? [
          '  To use the real APIs instead of the simulators, set for each:',
          ...simulated.map((m) => `    ${m.realApiHint}`),
          '  (and REDIS_URL=redis://localhost:6379 to share tokens between replicas). See README.md.',
          '',
        ]
      : []),
  ].join('\n') + '\n',
);

// A stray rejection is logged, never fatal: one bad upstream answer must not take the gateway down.
process.on('unhandledRejection', (reason) => app.logger.error('unhandled rejection', { error: reason }));

// The process's only signal handler (Apollo's is off): stop accepting, let the requests in flight
// finish for SHUTDOWN_GRACE_MS, close Redis, exit 0. A second signal a second or more later exits
// at once. Ctrl-C on `npm start` delivers two: the terminal's to node, and npm's copy of its own.
let stoppingSince: number | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince < 1000) return;
      app.logger.warn('second signal: exiting now, without waiting for the requests in flight', { signal });
      process.exit(1);
    }
    stoppingSince = Date.now();
    app.logger.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    app
      .stop(config.shutdownGraceMs)
      .then(() => simulation.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
