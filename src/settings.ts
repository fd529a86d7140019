// Settings declared as data: each one knows its variable, default, range and meaning. The same
// declaration reads the environment (every problem collected, so that one message lists them
// all), and writes the configuration table of the README and .env.example, so that the three
// never disagree. Written by hand, not a library: see docs/architecture.md (Settings).

type Env = Record<string, string | undefined>;

export interface Setting<T> {
  /** The variable after the prefix (`TIMEOUT_MS`); by default the key in SNAKE_CASE. */
  readonly variable?: string;
  /** What the variable does, for the README and .env.example. */
  readonly doc: string;
  /** The default as written in the docs (`15000`, `unset`). */
  readonly shownDefault: string;
  /** An example value for .env.example, where the default is unset. */
  readonly example?: string;
  /** Secrets are never shown in an error message. */
  readonly secret?: boolean;
  /** The values it takes, where they are a closed set. */
  readonly values?: readonly string[];
  read(raw: string | undefined, name: string, problems: string[]): T;
}

export type SettingsSpec = Record<string, Setting<unknown>>;
export type SettingsOf<S extends SettingsSpec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

const trimmed = (raw: string | undefined): string | null => {
  const v = raw?.trim();
  return v ? v : null;
};

/** A URL as it may be shown: without user info (Redis URLs often carry a password). */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}

interface Common {
  doc: string;
  variable?: string;
  example?: string;
}

/** The setting builders. */
export const setting = {
  text(o: Common & { default: string }): Setting<string> {
    return { ...o, shownDefault: o.default, read: (raw) => trimmed(raw) ?? o.default };
  },

  optionalText(o: Common): Setting<string | null> {
    return { ...o, shownDefault: 'unset', read: (raw) => trimmed(raw) };
  },

  /** Kept as written (a password may legitimately begin or end with spaces); never shown. */
  secret(o: Common): Setting<string | null> {
    return { ...o, shownDefault: 'unset', secret: true, read: (raw) => (raw === undefined || raw === '' ? null : raw) };
  },

  int(o: Common & { default: number; min: number; max: number }): Setting<number> {
    return {
      ...o,
      shownDefault: String(o.default),
      read(raw, name, problems) {
        const v = trimmed(raw);
        if (v === null) return o.default;
        if (!/^\d+$/.test(v) || Number(v) < o.min || Number(v) > o.max) {
          problems.push(`${name} must be a whole number from ${o.min} to ${o.max} (got "${v}")`);
          return o.default;
        }
        return Number(v);
      },
    };
  },

  onOff(o: Common & { default: boolean }): Setting<boolean> {
    return {
      ...o,
      shownDefault: o.default ? 'on' : 'off',
      read(raw, name, problems) {
        const v = trimmed(raw)?.toLowerCase();
        if (v === undefined || v === null) return o.default;
        if (['on', 'true', '1', 'yes'].includes(v)) return true;
        if (['off', 'false', '0', 'no'].includes(v)) return false;
        problems.push(`${name} must be on or off (got "${v}")`);
        return o.default;
      },
    };
  },

  oneOf<const T extends string>(o: Common & { values: readonly T[]; default: T }): Setting<T> {
    return {
      ...o,
      shownDefault: o.default,
      read(raw, name, problems) {
        const v = trimmed(raw) ?? o.default;
        const known = o.values.find((x) => x.toLowerCase() === v.toLowerCase());
        if (known !== undefined) return known;
        problems.push(`${name} must be ${o.values.slice(0, -1).join(', ')} or ${o.values.at(-1)} (got "${v}")`);
        return o.default;
      },
    };
  },

  /** An http(s) or redis(s) URL without its trailing slashes; null when unset. */
  url(o: Common & { protocols: readonly string[] }): Setting<string | null> {
    return {
      ...o,
      shownDefault: 'unset',
      read(raw, name, problems) {
        const v = trimmed(raw);
        if (v === null) return null;
        try {
          const parsed = new URL(v);
          if (!o.protocols.includes(parsed.protocol)) {
            problems.push(`${name} must be a ${o.protocols.join(' or ')} URL (got "${redactUrl(v)}")`);
            return null;
          }
          // Paths are added to a base URL: a query or a fragment would end up in the middle of them.
          if (parsed.search || parsed.hash) {
            problems.push(`${name} must have no query string or fragment (got "${redactUrl(v)}")`);
            return null;
          }
          return v.replace(/\/+$/, '');
        } catch {
          problems.push(`${name} is not a valid URL (got "${redactUrl(v)}")`);
          return null;
        }
      },
    };
  },
};

/** `timeoutMs` → `TIMEOUT_MS`. */
const snake = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The environment variable of a setting: `MEETNET_` + `TIMEOUT_MS`. */
export function variableOf(prefix: string, key: string, s: Setting<unknown>): string {
  return `${prefix ? `${prefix}_` : ''}${s.variable ?? snake(key)}`;
}

/** Reads every setting of `spec` under `prefix`; problems are added to `problems`. */
export function readSettings<S extends SettingsSpec>(env: Env, prefix: string, spec: S, problems: string[]): SettingsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    const name = variableOf(prefix, key, s);
    out[key] = s.read(env[name], name, problems);
  }
  return out as SettingsOf<S>;
}

export interface SettingDoc {
  variable: string;
  shownDefault: string;
  doc: string;
  example?: string;
  values?: readonly string[];
}

/** The documentation rows of a spec, in declaration order. */
export function describeSettings(prefix: string, spec: SettingsSpec): SettingDoc[] {
  return Object.entries(spec).map(([key, s]) => ({
    variable: variableOf(prefix, key, s),
    shownDefault: s.shownDefault,
    doc: s.doc,
    ...(s.example ? { example: s.example } : {}),
    ...(s.values ? { values: s.values } : {}),
  }));
}
