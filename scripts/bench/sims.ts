// Benchmark child: the three built-in simulators with a fixed added latency per call, and a small
// control endpoint that tells how many requests each has received. Prints one JSON line on start.
import { createServer } from 'node:http';
import { createBemServerSimulator } from '../../src/upstreams/bemserver/simulator/index.js';
import { createFlexMeasuresSimulator } from '../../src/upstreams/flexmeasures/simulator/index.js';
import { createMeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
// Identical reads within a second are answered from the simulator's memory: the upstreams' own CPU
// is not on the gateway's machine in production, and here it would crowd the two shared cores
// (15 ms of simulator CPU per dashboard query otherwise). BENCH_SIM_MEMO=off computes every answer.
const memo =
  process.env.BENCH_SIM_MEMO === 'off'
    ? {}
    : {
        memoize: {
          ms: 1000,
          routes: [
            'getData',
            'currentData',
            'catalog',
            'sensorData',
            'sensors',
            'assets',
            'timeseries_data',
            'timeseries_data/aggregate',
            'timeseries_data/stats',
          ],
        },
      };
const account = { user: 'bench@example.org', password: 'bench-password-0' };
const sims = {
  meetnet: createMeetnetSimulator({ username: account.user, password: account.password, latencyMs, gapRate: 0.01, ...memo }),
  flexmeasures: createFlexMeasuresSimulator({ email: account.user, password: account.password, latencyMs, ...memo }),
  bemserver: createBemServerSimulator({ email: account.user, password: account.password, latencyMs, ...memo }),
};
const urls = {
  meetnet: await sims.meetnet.listen(),
  flexmeasures: await sims.flexmeasures.listen(),
  bemserver: await sims.bemserver.listen(),
};
const control = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(Object.fromEntries(Object.entries(sims).map(([k, s]) => [k, s.requestsReceived]))));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const port = (control.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ urls, account, control: `http://127.0.0.1:${port}` })}\n`);
