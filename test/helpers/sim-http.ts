// Talking to a simulator over real HTTP in tests: a pool of simulators closed after the file, and
// one request helper that returns status, headers, text and the parsed body.
import { afterAll } from 'vitest';

export type J = any;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; the text when it is not JSON; undefined when empty. */
  body: J;
}

export interface RequestOptions {
  method?: string;
  /** The Authorization header value, as the upstream wants it. */
  authorization?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string verbatim. */
  body?: unknown;
  /** `always`: Content-Type JSON on every request; `body`: only with an object body. */
  jsonContentType: 'always' | 'body';
}

/** One request, redirects not followed (a 308 is an answer to check). GET without a body, POST with one, unless `method`. */
export async function request(url: string, path: string, o: RequestOptions): Promise<Answer> {
  const headers: Record<string, string> = {
    ...(o.jsonContentType === 'always' ? { 'content-type': 'application/json' } : {}),
    ...(o.headers ?? {}),
  };
  if (o.authorization !== undefined) headers.authorization = o.authorization;
  let body: string | undefined;
  if (o.body !== undefined) {
    if (typeof o.body === 'string') body = o.body;
    else {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const res = await fetch(`${url}${path}`, {
    method: o.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: J;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Starts simulators made by `create` (with `defaults` under each call's options) on free ports; all are closed after the file. */
export function simulatorPool<O, S extends { listen(): Promise<string>; close(): Promise<void> }>(
  create: (options: O) => S,
  defaults: O,
): (options?: O) => Promise<{ sim: S; url: string }> {
  const started: S[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
  });
  return async (options) => {
    const sim = create({ ...defaults, ...options });
    started.push(sim);
    return { sim, url: await sim.listen() };
  };
}
