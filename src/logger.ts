// JSON-lines logs on pino. Every secret the process knows (passwords from the config, tokens as
// they are issued) is registered here and replaced in every line before it is written, whatever
// the code that logs it did: the guarantee lives in one place.
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config.js';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Secrets shorter than this are not redacted as substrings (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 4;

export class SecretRegistry {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /**
   * Registers a secret, and the forms it takes when sent or echoed: URL-encoded, form-encoded,
   * inside a JSON string, and inside a JSON string written ASCII-only (Python's json.dumps default,
   * which FlexMeasures and BEMServer use).
   */
  add(secret: string | null | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.secrets.has(secret)) return;
    const json = JSON.stringify(secret).slice(1, -1);
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      json,
      json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    ])) {
      this.secrets.add(form);
    }
    // Bound the set: tokens rotate, and old ones are worthless after their lifetime.
    while (this.secrets.size > 1024) this.secrets.delete(this.secrets.values().next().value as string);
    this.pattern = null;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, '[REDACTED]');
  }
}

export interface LoggerOptions {
  level: LogLevel;
  secrets: SecretRegistry;
  /** Where each line goes (stderr by default; tests keep them). */
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

/** Keys whose values are never written, wherever they are (pino's redaction, by path). */
const SENSITIVE = ['authorization', 'password', 'access_token', 'refresh_token', 'token', 'cookie', 'set-cookie', 'x-api-key'];
const REDACT_PATHS = SENSITIVE.flatMap((k) => [`["${k}"]`, `*["${k}"]`, `*.*["${k}"]`]);

/**
 * JSON lines on pino: level names, ISO times, errors with their stack; keys that hold secrets
 * censored by pino's redaction, then every secret the process knows replaced in the written line,
 * whatever key or message it hides in (the registry holds each secret in its escaped forms too).
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const root = pino(
    {
      level: options.level,
      base: options.base ?? null,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => options.secrets.redact(line) },
    },
    { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) },
  );
  const wrap = (p: PinoLogger): Logger => ({
    debug: (m, f) => p.debug(f ?? {}, m),
    info: (m, f) => p.info(f ?? {}, m),
    warn: (m, f) => p.warn(f ?? {}, m),
    error: (m, f) => p.error(f ?? {}, m),
    child: (fields) => wrap(p.child(fields)),
  });
  return wrap(root);
}
