import type { MeetnetConfig } from '../../config.js';
import { UpstreamName } from '../../shared/domain.js';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { TokenStore } from '../../auth/token-store.js';
import type { Logger, SecretRegistry } from '../../logger.js';
import type { UpstreamHttp } from '../http-client.js';
import { serviceAccount } from '../service-account.js';
import { MeetnetAdapter } from './adapter.js';
import { MeetnetClient } from './client.js';

export interface MeetnetWiring {
  config: MeetnetConfig & { baseUrl: string; username: string; password: string };
  simulated: boolean;
  catalogTtlMs: number;
  store: TokenStore;
  logger: Logger;
  secrets: SecretRegistry;
}

export interface Meetnet {
  adapter: MeetnetAdapter;
  tokens: TokenProvider;
  http: UpstreamHttp;
}

export function createMeetnet(w: MeetnetWiring): Meetnet {
  const { http, tokens, auth, logger } = serviceAccount({
    upstream: UpstreamName.MEETNET,
    label: 'Meetnet',
    key: 'meetnet',
    config: w.config,
    store: w.store,
    logger: w.logger,
    secrets: w.secrets,
    login: (h) => new MeetnetClient(h, null).login(w.config.username, w.config.password),
    // OWIN answers token_type "bearer"; any casing of the scheme is accepted (§2).
    header: (t) => `Bearer ${t}`,
  });
  const adapter = new MeetnetAdapter({
    client: new MeetnetClient(http, auth),
    logger,
    simulated: w.simulated,
    catalogTtlMs: w.catalogTtlMs,
  });
  return { adapter, tokens, http };
}
