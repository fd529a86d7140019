import type { MeetnetConfig } from '../../config.js';
import { UpstreamName } from '../../domain.js';
import { TokenProvider } from '../../auth/token-provider.js';
import type { TokenStore } from '../../auth/token-store.js';
import type { Logger, SecretRegistry } from '../../logger.js';
import { UpstreamHttp, type AuthScheme } from '../http-client.js';
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
  const logger = w.logger.child({ upstream: 'meetnet' });
  const http = new UpstreamHttp({
    upstream: UpstreamName.MEETNET,
    label: 'Meetnet',
    baseUrl: w.config.baseUrl,
    timeoutMs: w.config.timeoutMs,
    retries: w.config.retries,
    logger,
  });
  const loginClient = new MeetnetClient(http, null);
  const tokens = new TokenProvider({
    key: 'meetnet',
    store: w.store,
    login: () => loginClient.login(w.config.username, w.config.password),
    secrets: w.secrets,
    logger,
  });
  const auth: AuthScheme = {
    getToken: () => tokens.getToken(),
    invalidate: (t) => tokens.invalidate(t),
    // OWIN answers token_type "bearer"; any casing of the scheme is accepted (§2).
    header: (t) => `Bearer ${t}`,
  };
  const adapter = new MeetnetAdapter({
    client: new MeetnetClient(http, auth),
    logger,
    simulated: w.simulated,
    catalogTtlMs: w.catalogTtlMs,
  });
  return { adapter, tokens, http };
}
