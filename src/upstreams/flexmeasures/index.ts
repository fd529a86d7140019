import type { FlexMeasuresConfig } from '../../config.js';
import { UpstreamName } from '../../domain.js';
import { TokenProvider } from '../../auth/token-provider.js';
import type { TokenStore } from '../../auth/token-store.js';
import type { Logger, SecretRegistry } from '../../logger.js';
import { UpstreamHttp, type AuthScheme } from '../http-client.js';
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
  const logger = w.logger.child({ upstream: 'flexmeasures' });
  const http = new UpstreamHttp({
    upstream: UpstreamName.FLEXMEASURES,
    label: 'FlexMeasures',
    baseUrl: w.config.baseUrl,
    timeoutMs: w.config.timeoutMs,
    retries: w.config.retries,
    logger,
  });
  const loginClient = new FlexMeasuresClient(http, null);
  const tokens = new TokenProvider({
    key: 'flexmeasures',
    store: w.store,
    login: () => loginClient.login(w.config.email, w.config.password),
    secrets: w.secrets,
    logger,
  });
  const auth: AuthScheme = {
    getToken: () => tokens.getToken(),
    invalidate: (t) => tokens.invalidate(t),
    // Flask-Security reads the bare token from Authorization: no "Bearer" prefix (§2.1).
    header: (t) => t,
  };
  const adapter = new FlexMeasuresAdapter({
    client: new FlexMeasuresClient(http, auth),
    logger,
    simulated: w.simulated,
    catalogTtlMs: w.catalogTtlMs,
    apiVersion: w.config.apiVersion,
    concurrency: w.config.concurrency,
  });
  return { adapter, tokens, http };
}
