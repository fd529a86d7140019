// A small JSON-lines logger. Every secret the process knows (passwords from the config, tokens as
// they are issued) is registered here and replaced in every line before it is written, whatever
// the code that logs it did: the guarantee lives in one place.
import type { LogLevel } from './config.js';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

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
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const min = order[options.level];
  const make = (base: Record<string, unknown>): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (order[level] < min) return;
      // Each string is redacted before it is written as JSON (where its escapes would double),
      // and the line once more as it is.
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, (key, value: unknown) => {
        const v = errorReplacer(key, value);
        return typeof v === 'string' ? options.secrets.redact(v) : v;
      });
      write(options.secrets.redact(line));
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

const SENSITIVE_KEYS = /^(authorization|password|access_token|refresh_token|token|cookie|set-cookie)$/i;

function errorReplacer(key: string, value: unknown): unknown {
  if (SENSITIVE_KEYS.test(key)) return '[REDACTED]';
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}
