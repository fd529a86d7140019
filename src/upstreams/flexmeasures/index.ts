// FlexMeasures as a module of the gateway: its settings, how it is made (reads, grid connections
// and writes), its simulator and its own GraphQL fields and mutations.
import { setting, type Setting } from '../../settings.js';
import { upstreamBasics, type UpstreamModule } from '../module.js';
import { serviceAccount } from '../service-account.js';
import { FlexMeasuresAdapter } from './adapter.js';
import { FlexMeasuresClient } from './client.js';
import { FlexMeasuresSensorFields } from './graphql/sensor-fields.js';
import { FlexMeasuresWriteResolver } from './graphql/writes.js';
import { FLEXMEASURES } from './mapping.js';

const url = setting.url({
  protocols: ['http:', 'https:'],
  example: 'https://flexmeasures.example.org',
  doc: 'e.g. `https://flexmeasures.example.org` (with or without `/api`). Unset: the built-in simulator.',
});
// FlexMeasures routes live under /api: the base URL is accepted with or without it.
const baseUrl: Setting<string | null> = {
  ...url,
  read: (raw, name, problems) => url.read(raw, name, problems)?.replace(/\/api$/, '') ?? null,
};

const settings = {
  // FlexMeasures refuses more than 500 calls per minute per user, refused ones included
  // (FLEXMEASURES_API_DEFAULT_RATE_LIMIT, CONTRACT.md §2.1): the gateway stays under it.
  ...upstreamBasics({
    prefix: 'FLEXMEASURES',
    label: 'FlexMeasures',
    login: 'EMAIL',
    baseUrl,
    ratePerMinute: 450,
    historyFinalAfter: {
      ms: 7 * 86_400_000,
      why: 'Default a week: FlexMeasures answers the most recent belief about each event, meter data is posted after the fact (often days later, by a meter data company: the MDC role), and a post with a later `prior` outdates what was answered before (CONTRACT.md §4.4, §4.5).',
    },
  }),
  apiVersion: setting.oneOf({
    values: ['auto', 'v3_0', 'v1_1'] as const,
    default: 'auto',
    doc: '`auto` reads `GET /api`: v3_0 when the server has `/sensors/<id>/data` (FlexMeasures ≥ 0.28), else v1_1 (≤ 0.12). `v3_0` or `v1_1` forces one; forcing `v1_1` on the built-in simulator makes it a v0.12 server.',
  }),
  concurrency: setting.int({
    default: 8,
    min: 1,
    max: 256,
    doc: 'v3_0 reads one sensor per call: at most this many calls at once per GraphQL request',
  }),
};

export const flexmeasures: UpstreamModule<typeof settings, FlexMeasuresAdapter> = {
  name: FLEXMEASURES,
  label: 'FlexMeasures',
  description: 'FlexMeasures: grid connections, charging stations, meter data, prognoses, prices.',
  envPrefix: 'FLEXMEASURES',
  settings,
  realApiHint: 'FLEXMEASURES_BASE_URL=https://<your server> FLEXMEASURES_EMAIL=<e-mail> FLEXMEASURES_PASSWORD=<password>',
  idExamples: { connection: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.4' },
  resolvers: [FlexMeasuresSensorFields, FlexMeasuresWriteResolver],

  create(context) {
    const { http, auth, logger, tokens } = serviceAccount(context, {
      name: FLEXMEASURES,
      label: 'FlexMeasures',
      login: (h, account) => new FlexMeasuresClient(h, null).login(account.login, account.password),
      // Flask-Security reads the bare token from Authorization: no "Bearer" prefix (§2.1).
      header: (t) => t,
    });
    return new FlexMeasuresAdapter({
      client: new FlexMeasuresClient(http, auth),
      logger,
      tokens,
      simulated: context.simulated,
      catalogTtlMs: context.catalogTtlMs,
      catalogClock: context.catalogClock,
      apiVersion: context.settings.apiVersion,
      concurrency: context.settings.concurrency,
      // "The last day" for latest values is the server's last day.
      clock: () => http.serverNow(),
    });
  },

  async simulator() {
    // eslint-disable-next-line import-x/no-restricted-paths -- the one way in: loaded only when FLEXMEASURES_BASE_URL is unset
    const { createFlexMeasuresSimulator } = await import('./simulator/index.js');
    return {
      start: async ({ account, latencyMs, settings }) => {
        const sim = createFlexMeasuresSimulator({
          email: account.login,
          password: account.password,
          latencyMs,
          // Forcing v1_1 on the built-in simulator makes it an older server (v0.12) that still speaks it.
          generation: settings.apiVersion === 'v1_1' ? 'v1_1' : 'v3_0',
        });
        return { url: await sim.listen(0, '127.0.0.1'), instance: sim, close: () => sim.close() };
      },
    };
  },
};
