// BEMServer as a module of the gateway: its settings, how it is made (the building hierarchy,
// timeseries, statistics, data states, buckets and writes), its simulator and its own GraphQL.
import { setting } from '../../settings.js';
import { upstreamBasics, type UpstreamModule } from '../module.js';
import { serviceAccount } from '../service-account.js';
import { BemServerAdapter } from './adapter.js';
import { BemServerClient } from './client.js';
import { BemServerSensorFields, SensorPropertyResolver } from './graphql/sensor-fields.js';
import { TimeseriesWriteResolver } from './graphql/writes.js';
import { BEMSERVER } from './mapping.js';

const settings = {
  ...upstreamBasics({
    prefix: 'BEMSERVER',
    label: 'BEMServer',
    login: 'EMAIL',
    baseUrl: setting.url({
      protocols: ['http:', 'https:'],
      example: 'https://bemserver.example.org/api/v0',
      doc: 'the API root, e.g. `https://bemserver.example.org/api/v0`. Unset: the built-in simulator.',
    }),
    historyFinalAfter: {
      ms: 3 * 86_400_000,
      why: 'Default three days: BEMServer holds what building systems upload, often in daily batches, and a correction deletes a range and posts it again (CONTRACT.md §7.7, §7.8); the Clean data state is filled from Raw after the upload. Three days cover a missed daily upload and its cleaning.',
    },
  }),
  maxUrlLength: setting.int({
    // BEMServer runs behind a WSGI server: gunicorn refuses request lines over 4094 bytes (Flask's
    // own server takes any length: conformance suite, issue 14). uWSGI's default 4 KiB buffer holds
    // the whole header block, a Bearer token included: behind uWSGI, raise its buffer-size.
    default: 4000,
    min: 200,
    max: 1_000_000,
    doc: 'longest data request URL; the timeseries of one window are read in one call unless their ids would make the URL longer, then in as few calls as fit',
  }),
  concurrency: setting.int({ default: 4, min: 1, max: 64, doc: 'most calls at once when walking the timeseries pages or split id lists' }),
};

export const bemserver: UpstreamModule<typeof settings, BemServerAdapter> = {
  name: BEMSERVER,
  label: 'BEMServer',
  description: 'BEMServer: building energy management (sites, buildings, zones, timeseries).',
  envPrefix: 'BEMSERVER',
  settings,
  realApiHint: 'BEMSERVER_BASE_URL=https://<your server>/api/v0 BEMSERVER_EMAIL=<e-mail> BEMSERVER_PASSWORD=<password>',
  idExamples: { location: 'bemserver:location:building:1' },
  resolvers: [BemServerSensorFields, SensorPropertyResolver, TimeseriesWriteResolver],

  create(context) {
    const clientOptions = { maxUrlLength: context.settings.maxUrlLength, concurrency: context.settings.concurrency };
    const { http, auth, logger, tokens } = serviceAccount(context, {
      name: BEMSERVER,
      label: 'BEMServer',
      login: (h, account) => new BemServerClient(h, null, clientOptions).login(account.login, account.password),
      // An expired access token is renewed with the refresh token; a new login only when that fails (§2.2).
      refresh: (h, refreshToken) => new BemServerClient(h, null, clientOptions).refresh(refreshToken),
      header: (t) => `Bearer ${t}`,
    });
    return new BemServerAdapter({
      client: new BemServerClient(http, auth, clientOptions),
      logger,
      tokens,
      simulated: context.simulated,
      catalogTtlMs: context.catalogTtlMs,
      catalogClock: context.catalogClock,
      // "The last day" for latest values is the server's last day.
      clock: () => http.serverNow(),
    });
  },

  async simulator() {
    // eslint-disable-next-line import-x/no-restricted-paths -- the one way in: loaded only when BEMSERVER_BASE_URL is unset
    const { createBemServerSimulator } = await import('./simulator/index.js');
    return {
      start: async ({ account, latencyMs }) => {
        const sim = createBemServerSimulator({ email: account.login, password: account.password, latencyMs });
        return { url: await sim.listen(0, '127.0.0.1'), instance: sim, close: () => sim.close() };
      },
    };
  },
};
