// What every upstream's wiring shares: one HTTP client (got) for the upstream, the service-account
// token provider around its login (and refresh, where the upstream has refresh tokens), and the
// auth scheme that puts the token on each call.
import type { LoginResult } from '../auth/token-provider.js';
import { TokenProvider } from '../auth/token-provider.js';
import type { TokenStore } from '../auth/token-store.js';
import type { UpstreamName } from '../shared/domain.js';
import type { Logger, SecretRegistry } from '../logger.js';
import { UpstreamHttp, type AuthScheme } from './http-client.js';

export interface ServiceAccountOptions {
  upstream: UpstreamName;
  /** Human name in messages ("BEMServer") and the token store key ("bemserver"). */
  label: string;
  key: string;
  config: { baseUrl: string; timeoutMs: number; retries: number; deduplicate?: boolean };
  store: TokenStore;
  logger: Logger;
  secrets: SecretRegistry;
  /** Logs in with a client that sends no token. */
  login: (http: UpstreamHttp) => Promise<LoginResult>;
  refresh?: (http: UpstreamHttp, refreshToken: string) => Promise<LoginResult>;
  /** The Authorization header value for a token. */
  header: (token: string) => string;
}

export interface ServiceAccount {
  http: UpstreamHttp;
  tokens: TokenProvider;
  auth: AuthScheme;
  logger: Logger;
}

export function serviceAccount(o: ServiceAccountOptions): ServiceAccount {
  const logger = o.logger.child({ upstream: o.key });
  // Only what the client needs: the credentials stay out of its options.
  const { baseUrl, timeoutMs, retries, deduplicate } = o.config;
  const http = new UpstreamHttp({ upstream: o.upstream, label: o.label, baseUrl, timeoutMs, retries, deduplicate, logger });
  const refresh = o.refresh;
  const tokens = new TokenProvider({
    key: o.key,
    store: o.store,
    login: () => o.login(http),
    ...(refresh ? { refresh: (token: string) => refresh(http, token) } : {}),
    secrets: o.secrets,
    logger,
  });
  const auth: AuthScheme = { getToken: () => tokens.getToken(), invalidate: (t) => tokens.invalidate(t), header: o.header };
  return { http, tokens, auth, logger };
}
