import type { FlexMeasuresConfig } from '../../config.js';
import { UpstreamName } from '../../shared/domain.js';
import type { TokenProvider } from '../../auth/token-provider.js';
import type { TokenStore } from '../../auth/token-store.js';
import type { Logger, SecretRegistry } from '../../logger.js';
import type { UpstreamHttp } from '../http-client.js';
import { serviceAccount } from '../service-account.js';
import { FlexMeasuresAdapter } from './adapter.js';
import { FlexMeasuresClient } from './client.js';

export interface FlexMeasuresWiring {
  config: FlexMeasuresConfig & { baseUrl: string; email: string; password: string };
  simulated: boolean;
  catalogTtlMs: number;
  store: TokenStore;
  logger: Logger;
  secrets: SecretRegistry;
}

export interface FlexMeasures {
  adapter: FlexMeasuresAdapter;
  tokens: TokenProvider;
  http: UpstreamHttp;
}

export function createFlexMeasures(w: FlexMeasuresWiring): FlexMeasures {
  const { http, tokens, auth, logger } = serviceAccount({
    upstream: UpstreamName.FLEXMEASURES,
    label: 'FlexMeasures',
    key: 'flexmeasures',
    config: w.config,
    store: w.store,
    logger: w.logger,
    secrets: w.secrets,
    login: (h) => new FlexMeasuresClient(h, null).login(w.config.email, w.config.password),
    // Flask-Security reads the bare token from Authorization: no "Bearer" prefix (§2.1).
    header: (t) => t,
  });
  const adapter = new FlexMeasuresAdapter({
    client: new FlexMeasuresClient(http, auth),
    logger,
    simulated: w.simulated,
    catalogTtlMs: w.catalogTtlMs,
    apiVersion: w.config.apiVersion,
    concurrency: w.config.concurrency,
    // "The last day" for latest values is the server's last day.
    clock: () => http.serverNow(),
  });
  return { adapter, tokens, http };
}
