// Starts a real gateway (and, unless a base URL is given, its built-in simulator) on free ports,
// with a logger that keeps every line so tests can check what was logged.
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, SecretRegistry } from '../../src/logger.js';

export { REDIS_URL, uniquePrefix } from './redis.js';

export interface TestApp extends App {
  logLines: string[];
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // Latest values are not shared between requests unless a test asks: tests count upstream calls.
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'debug', LATEST_TTL_MS: '0', ...env });
  const secrets = new SecretRegistry();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets, write: (line) => logLines.push(line) });
  const app = await startApp(config, { logger, secrets });
  return Object.assign(app, { logLines });
}
