// Meetnet Vlaamse Banken API v2 as a module of the gateway: its settings, how it is made, its
// simulator and its own GraphQL field.
import { setting } from '../../settings.js';
import { upstreamBasics, type UpstreamModule } from '../module.js';
import { serviceAccount } from '../service-account.js';
import { MeetnetAdapter } from './adapter.js';
import { MeetnetClient } from './client.js';
import { MeetnetSensorFields } from './graphql/sensor-fields.js';
import { MEETNET } from './mapping.js';

const settings = upstreamBasics({
  prefix: 'MEETNET',
  label: 'Meetnet',
  login: 'USERNAME',
  baseUrl: setting.url({
    protocols: ['http:', 'https:'],
    example: 'https://api.meetnetvlaamsebanken.be',
    doc: 'e.g. `https://api.meetnetvlaamsebanken.be` (register at https://meetnetvlaamsebanken.be). Unset: the built-in simulator.',
  }),
  historyFinalAfter: {
    ms: 2 * 86_400_000,
    why: 'Default two days: Meetnet publishes values as its buoys and piles send them, and a station whose link was down may deliver what it kept once it is back (a latest value can be days old, CONTRACT.md §5.2); the contract knows of no later revision of values.',
  },
});

export const meetnet: UpstreamModule<typeof settings, MeetnetAdapter> = {
  name: MEETNET,
  label: 'Meetnet',
  description: 'Meetnet Vlaamse Banken API v2: North Sea buoys, measuring piles and weather stations.',
  envPrefix: 'MEETNET',
  settings,
  realApiHint: 'MEETNET_BASE_URL=https://api.meetnetvlaamsebanken.be MEETNET_USERNAME=<e-mail> MEETNET_PASSWORD=<password>',
  idExamples: { location: 'meetnet:location:MP7', parameter: 'meetnet:parameter:WVC', sensor: 'meetnet:sensor:MP7WVC' },
  resolvers: [MeetnetSensorFields],

  create(context) {
    const { http, auth, logger, tokens } = serviceAccount(context, {
      name: MEETNET,
      label: 'Meetnet',
      login: (h, account) => new MeetnetClient(h, null).login(account.login, account.password),
      // OWIN answers token_type "bearer"; any casing of the scheme is accepted (§2).
      header: (t) => `Bearer ${t}`,
    });
    return new MeetnetAdapter({
      client: new MeetnetClient(http, auth),
      logger,
      tokens,
      simulated: context.simulated,
      catalogTtlMs: context.catalogTtlMs,
      catalogClock: context.catalogClock,
    });
  },

  async simulator() {
    // eslint-disable-next-line import-x/no-restricted-paths -- the one way in: loaded only when MEETNET_BASE_URL is unset
    const { createMeetnetSimulator } = await import('./simulator/index.js');
    return {
      start: async ({ account, latencyMs }) => {
        const sim = createMeetnetSimulator({ username: account.login, password: account.password, latencyMs });
        return { url: await sim.listen(0, '127.0.0.1'), instance: sim, close: () => sim.close() };
      },
    };
  },
};
