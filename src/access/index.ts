// The authenticator the configuration asks for: API keys from API_KEYS_FILE, JWTs against
// JWKS_URL, anonymous reads where allowed. A key file with problems stops the start, listing them.
import { ConfigError, type Config } from '../config.js';
import { readApiKeys } from './api-keys.js';
import { createAuthenticator, type Authenticator } from './identity.js';

export function authenticatorFor(config: Readonly<Config>, upstreams: readonly string[]): Authenticator {
  let apiKeys: ReturnType<typeof readApiKeys>['entries'] = [];
  if (config.apiKeysFile) {
    const { entries, problems } = readApiKeys(config.apiKeysFile, upstreams);
    if (problems.length > 0) throw new ConfigError(problems);
    apiKeys = entries;
  }
  return createAuthenticator({
    apiKeys,
    jwt:
      config.jwksUrl && config.jwtIssuer && config.jwtAudience
        ? {
            jwksUrl: config.jwksUrl,
            issuer: config.jwtIssuer,
            audience: config.jwtAudience,
            scopesClaim: config.jwtScopesClaim,
            upstreamsClaim: config.jwtUpstreamsClaim,
          }
        : null,
    anonymousRead: config.anonymousRead,
  });
}
