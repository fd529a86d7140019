// The only place that reads process.env and listens.
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\nSee README.md (Configuration) or .env.example.\n`);
    process.exit(1);
  }
  throw err;
}

const app = await startApp(config);
const sims = app.simulators;
process.stdout.write(
  [
    '',
    `  Monitoring-data GraphQL gateway ready at ${app.url}`,
    `  Open it in a browser for GraphiQL.`,
    '',
    `  Meetnet:       ${sims.meetnet ? `built-in simulator (${sims.meetnet.url})` : config.meetnet.baseUrl}`,
    `  FlexMeasures:  ${sims.flexmeasures ? `built-in simulator (${sims.flexmeasures.url})` : config.flexmeasures.baseUrl}`,
    `  BEMServer:     ${sims.bemserver ? `built-in simulator (${sims.bemserver.url})` : config.bemserver.baseUrl}`,
    `  Tokens:        ${app.redis ? 'Redis' : 'in memory'}`,
    '',
    ...(sims.meetnet || sims.flexmeasures || sims.bemserver
      ? [
          '  To use the real APIs instead of the simulators, set for each:',
          ...(sims.meetnet
            ? ['    MEETNET_BASE_URL=https://api.meetnetvlaamsebanken.be MEETNET_USERNAME=<e-mail> MEETNET_PASSWORD=<password>']
            : []),
          ...(sims.flexmeasures
            ? ['    FLEXMEASURES_BASE_URL=https://<your server> FLEXMEASURES_EMAIL=<e-mail> FLEXMEASURES_PASSWORD=<password>']
            : []),
          ...(sims.bemserver
            ? ['    BEMSERVER_BASE_URL=https://<your server>/api/v0 BEMSERVER_EMAIL=<e-mail> BEMSERVER_PASSWORD=<password>']
            : []),
          '  (and REDIS_URL=redis://localhost:6379 to share tokens between replicas). See README.md.',
          '',
        ]
      : []),
  ].join('\n') + '\n',
);

// A stray rejection is logged, never fatal: one bad upstream answer must not take the gateway down.
process.on('unhandledRejection', (reason) => app.logger.error('unhandled rejection', { error: reason }));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    app.logger.info('shutting down', { signal });
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
