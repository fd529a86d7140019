// What every upstream's wiring shares: one HTTP client for the upstream, the service-account token
// provider around its login (and refresh, where the upstream has refresh tokens), and the auth
// scheme that puts the token on each call.
import type { LoginResult } from '../auth/token-provider.js';
import { TokenProvider } from '../auth/token-provider.js';
import type { Logger } from '../logger.js';
import { UpstreamHttp, type AuthScheme } from './http-client.js';
import type { UpstreamBasics, UpstreamContext } from './module.js';

export interface ServiceAccountOptions {
  /** The upstream's name (`bemserver`): its token's store key and its errors' `upstream`. */
  name: string;
  /** Human name in messages (`BEMServer`). */
  label: string;
  /** Logs in with a client that sends no token. */
  login: (http: UpstreamHttp, account: { login: string; password: string }) => Promise<LoginResult>;
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

export function serviceAccount(context: UpstreamContext<UpstreamBasics>, o: ServiceAccountOptions): ServiceAccount {
  const logger = context.logger.child({ upstream: o.name });
  const { account } = context;
  context.secrets.add(account.password);
  // Only what the client needs: the credentials stay out of its options.
  const http = new UpstreamHttp({
    upstream: o.name,
    label: o.label,
    baseUrl: account.baseUrl,
    timeoutMs: context.settings.timeoutMs,
    retries: context.settings.retries,
    deduplicate: context.deduplicate,
    // Unbound: the client names the upstream on each of its lines itself (bound, the key came twice).
    logger: context.logger,
    policy: context.policy,
    observer: context.observer,
    redact: (text) => context.secrets.redact(text),
  });
  const refresh = o.refresh;
  const tokens = new TokenProvider({
    key: o.name,
    store: context.store,
    login: () => o.login(http, { login: account.login, password: account.password }),
    ...(refresh ? { refresh: (token: string) => refresh(http, token) } : {}),
    secrets: context.secrets,
    logger,
    observe: (event) => context.observer.token(o.name, event),
  });
  const auth: AuthScheme = { getToken: () => tokens.getToken(), invalidate: (t) => tokens.invalidate(t), header: o.header };
  return { http, tokens, auth, logger };
}
