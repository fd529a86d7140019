import type { BemServerConfig } from '../../config.js';
import { UpstreamName } from '../../shared/domain.js';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { TokenStore } from '../../auth/token-store.js';
import type { Logger, SecretRegistry } from '../../logger.js';
import type { UpstreamHttp } from '../http-client.js';
import { serviceAccount } from '../service-account.js';
import { BemServerAdapter } from './adapter.js';
import { BemServerClient } from './client.js';

export interface BemServerWiring {
  config: BemServerConfig & { baseUrl: string; email: string; password: string };
  simulated: boolean;
  catalogTtlMs: number;
  store: TokenStore;
  logger: Logger;
  secrets: SecretRegistry;
}

export interface BemServer {
  adapter: BemServerAdapter;
  tokens: TokenProvider;
  http: UpstreamHttp;
}

export function createBemServer(w: BemServerWiring): BemServer {
  const clientOptions = { maxUrlLength: w.config.maxUrlLength, concurrency: w.config.concurrency };
  const { http, tokens, auth, logger } = serviceAccount({
    upstream: UpstreamName.BEMSERVER,
    label: 'BEMServer',
    key: 'bemserver',
    config: w.config,
    store: w.store,
    logger: w.logger,
    secrets: w.secrets,
    login: (h) => new BemServerClient(h, null, clientOptions).login(w.config.email, w.config.password),
    // An expired access token is renewed with the refresh token; a new login only when that fails (§2.2).
    refresh: (h, refreshToken) => new BemServerClient(h, null, clientOptions).refresh(refreshToken),
    header: (t) => `Bearer ${t}`,
  });
  const adapter = new BemServerAdapter({
    client: new BemServerClient(http, auth, clientOptions),
    logger,
    simulated: w.simulated,
    catalogTtlMs: w.catalogTtlMs,
    // "The last day" for latest values is the server's last day.
    clock: () => http.serverNow(),
  });
  return { adapter, tokens, http };
}
