// The upstream HTTP client (got) against real local servers that misbehave on purpose: compressed
// and broken bodies, redirects, stalls, refused connections, retries, tokens that expire.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { ErrorCode, GatewayError } from '../../src/shared/errors.js';
import { MAX_ANSWER_BYTES, UpstreamHttp, type AuthScheme, type RouteCall } from '../../src/upstreams/http-client.js';
import { extensions, rejection } from '../helpers/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server that logs each request and answers with `handler`. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, seen);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

// 8 MB of zeros that gzip to 8 KB: over the 1 MB limit the test sets.
const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
const payload = JSON.stringify({ values: Array.from({ length: 500 }, (_, i) => i / 7) });
// Text outside ASCII, written in two pieces that cut a character's UTF-8 bytes in half.
const accented = Buffer.from(JSON.stringify({ unit: '\u00b0C', name: 'Wandelaar \u20ac \u{1f30a}' }), 'utf8');
let main: Awaited<ReturnType<typeof serve>>;
let other: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  other = await serve((_req, res) => res.end('{"leaked":true}'));
  main = await serve((req, res, seen) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const attempt = seen.filter((s) => s.url === req.url).length;
    switch (path) {
      case '/gzip':
        return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(payload));
      case '/deflate':
        return res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(payload));
      case '/br':
        return res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(payload));
      case '/utf8':
        res.write(accented.subarray(0, 10));
        return setTimeout(() => res.end(accented.subarray(10)), 20);
      case '/broken-gzip':
        return res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip at all');
      case '/collection':
        return res.writeHead(308, { location: '/collection/' }).end('<html>redirect</html>');
      case '/collection/':
        return res.end(JSON.stringify({ method: req.method, body: seen.at(-1)!.body }));
      case '/see-other':
        return res.writeHead(303, { location: '/collection/' }).end();
      case '/loop':
        return res.writeHead(307, { location: '/loop' }).end();
      case '/nowhere':
        return res.writeHead(302, { location: 'http://[not a host' }).end();
      case '/empty-204':
        return res.writeHead(204, { 'content-encoding': 'gzip' }).end();
      case '/empty-304':
        return res.writeHead(304, { 'content-encoding': 'br' }).end();
      case '/empty-chunked':
        res.writeHead(200, { 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' });
        return res.end();
      case '/bomb':
        return res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      case '/elsewhere':
        return res.writeHead(302, { location: `${other.url}/steal` }).end();
      case '/stall':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"values": [1, 2, ');
        return; // never ends
      case '/flaky':
        return attempt < 3 ? res.writeHead(503).end('{"message":"busy"}') : res.end('{"ok":true}');
      case '/slow-down':
        return res.writeHead(429, { 'retry-after': '3600' }).end('{"message":"later"}');
      case '/wait-a-little':
        return attempt < 2 ? res.writeHead(429, { 'retry-after': '1' }).end('{"message":"later"}') : res.end('{"ok":true}');
      case '/token':
        // Only token 2 is good: token 1 has expired upstream.
        return req.headers.authorization === 'Bearer token-2' ? res.end('{"ok":true}') : res.writeHead(401).end('{"message":"expired"}');
      case '/expired-late':
        // An expired token answered with a long Retry-After, then a busy upstream for the fresh one.
        if (req.headers.authorization !== 'Bearer token-2')
          return res.writeHead(401, { 'retry-after': '3600' }).end('{"message":"expired"}');
        return seen.filter((s) => s.url === req.url && s.headers.authorization === 'Bearer token-2').length < 3
          ? res.writeHead(503).end('{"message":"busy"}')
          : res.end('{"ok":true}');
      case '/never':
        return res.writeHead(401).end('{"message":"no"}');
      default:
        return res.writeHead(404).end();
    }
  });
});
afterAll(() => {
  main.server.closeAllConnections();
  main.server.close();
  other.server.close();
});

const logger = createLogger({ level: 'error', secrets: new SecretRegistry(), write: () => {} });
const client = (o: { retries?: number; timeoutMs?: number; baseUrl?: string; maxAnswerBytes?: number } = {}) =>
  new UpstreamHttp({
    upstream: 'meetnet',
    label: 'Test',
    baseUrl: o.baseUrl ?? `${main.url}/`,
    timeoutMs: o.timeoutMs ?? 2000,
    retries: o.retries ?? 0,
    logger,
    ...(o.maxAnswerBytes ? { maxAnswerBytes: o.maxAnswerBytes } : {}),
  });
const call = (path: string, o: Partial<RouteCall> = {}): RouteCall => ({
  route: 'test',
  method: 'GET',
  path,
  idempotent: true,
  auth: null,
  ...o,
});
/** The GatewayError a send fails with. */
const failure = (p: Promise<unknown>) => rejection(p);

describe('answers', () => {
  it.each(['gzip', 'deflate', 'br'])('decodes a %s body and asks for compression', async (encoding) => {
    const answer = await client().send(call(`/${encoding}`));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(payload);
    expect(main.seen.at(-1)!.headers['accept-encoding']).toContain('gzip');
    expect(main.seen.at(-1)!.headers['accept-encoding']).toContain('br');
  });

  it('hands a reader the bytes as they came, and the text decoded from UTF-8 to JSON.parse when it gives up', async () => {
    expect(accented.subarray(0, 10).toString('utf8').endsWith('\ufffd')).toBe(true); // the cut is inside a character
    const answer = await client().send(call('/utf8'));
    expect(answer.bytes.equals(accented)).toBe(true);
    expect(answer.body).toBe(accented.toString('utf8'));
    const seen: Buffer[] = [];
    const parsed = await client().json(
      call('/utf8'),
      (body) => body,
      (bytes) => {
        seen.push(bytes);
        return undefined; // gives up
      },
    );
    expect(seen[0]!.equals(accented)).toBe(true);
    expect(parsed).toEqual({ unit: '\u00b0C', name: 'Wandelaar \u20ac \u{1f30a}' });
    expect(
      await client().json(
        call('/utf8'),
        () => 'parsed',
        () => 'read',
      ),
    ).toBe('read');
  });

  it('a body that does not decode is UPSTREAM_UNAVAILABLE, not a crash', async () => {
    const err = await failure(client().send(call('/broken-gzip')));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toContain('could not be reached for test');
  });

  it('an answer without a body under a compressed encoding (204, 304, empty chunked) is an empty body', async () => {
    for (const path of ['/empty-204', '/empty-304', '/empty-chunked']) {
      const answer = await client().send(call(path));
      expect(answer.body, path).toBe('');
    }
  });

  it('an answer that decompresses past the limit is cut off: an error, and the process stays up', async () => {
    expect(MAX_ANSWER_BYTES).toBeLessThan(512 * 1024 * 1024); // V8's longest string: beyond it toString throws
    const err = await failure(client({ timeoutMs: 5000, maxAnswerBytes: 1024 * 1024 }).send(call('/bomb')));
    expect(extensions(err)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'ANSWER_TOO_LARGE' });
    expect(err.message).toContain('answered more than 1048576 bytes');
    expect((await client().send(call('/gzip'))).body).toBe(payload);
  });

  it('keeps the path of a base URL (BEMSERVER_BASE_URL=https://host/api/v0), with or without its trailing slash', async () => {
    for (const baseUrl of [`${main.url}/api/v0`, `${main.url}/api/v0/`]) {
      const search = new URLSearchParams([
        ['id', '1'],
        ['id', '2'],
      ]);
      const res = await client({ baseUrl }).send(call('/sites/', { searchParams: search }));
      expect(res.status).toBe(404);
      expect(main.seen.at(-1)!.url).toBe('/api/v0/sites/?id=1&id=2');
    }
  });
});

describe('redirects', () => {
  it('follows a 308 on the same origin with method and body, and a 303 as a GET without body or content type', async () => {
    const post = await client().send(call('/collection', { method: 'POST', json: { a: 1 }, idempotent: false }));
    expect(JSON.parse(post.body)).toEqual({ method: 'POST', body: '{"a":1}' });
    const seeOther = await client().send(call('/see-other', { method: 'POST', json: { a: 1 }, idempotent: false }));
    expect(JSON.parse(seeOther.body)).toEqual({ method: 'GET', body: '' });
    expect(main.seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('does not follow a redirect to another origin (the token stays home) and says where it pointed', async () => {
    const auth: AuthScheme = { getToken: async () => 'secret-token', invalidate: async () => {}, header: (t) => `Bearer ${t}` };
    const err = await failure(client().call(call('/elsewhere', { auth })));
    expect(extensions(err)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'REDIRECT_ELSEWHERE' });
    expect(err.message).toContain(other.url);
    expect(other.seen).toHaveLength(0);
  });

  it('a redirect loop ends after 5 hops; a Location that is not a URL is refused', async () => {
    const before = main.seen.length;
    const loop = await failure(client().send(call('/loop')));
    expect(extensions(loop)).toMatchObject({ reason: 'TOO_MANY_REDIRECTS' });
    expect(main.seen.length - before).toBe(6);
    expect(extensions(await failure(client().send(call('/nowhere'))))).toMatchObject({ reason: 'BAD_REDIRECT' });
  });
});

describe('failures and retries', () => {
  it('retries an idempotent read on 503 until it answers; the query string goes every time', async () => {
    const before = main.seen.length;
    const res = await client({ retries: 2 }).send(call('/flaky', { searchParams: { n: 1, b: true } }));
    expect(res.status).toBe(200);
    const tries = main.seen.slice(before);
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.url))).toEqual(new Set(['/flaky?n=1&b=true']));
  });

  it('never retries a call that is not idempotent', async () => {
    const before = main.seen.length;
    const res = await client({ retries: 2 }).send(call('/flaky', { searchParams: { other: 'x' }, idempotent: false }));
    expect(res.status).toBe(503);
    expect(main.seen.length - before).toBe(1);
  });

  it('waits for a short Retry-After and tries again; does not wait for one longer than the timeout', async () => {
    let before = main.seen.length;
    expect((await client({ retries: 2 }).send(call('/wait-a-little'))).status).toBe(200);
    expect(main.seen.length - before).toBe(2);
    before = main.seen.length;
    const res = await client({ retries: 2, timeoutMs: 500 }).send(call('/slow-down'));
    expect(res.status).toBe(429);
    expect(main.seen.length - before).toBe(1);
  });

  it('a body that stalls is UPSTREAM_UNAVAILABLE with reason TIMEOUT after the timeout', async () => {
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 300 }).send(call('/stall')));
    expect(extensions(err)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'TIMEOUT' });
    expect(err.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('a refused connection is UPSTREAM_UNAVAILABLE with its code, and no address of the machine', async () => {
    const closed = await serve(() => {});
    await new Promise((r) => closed.server.close(r));
    const err = await failure(client({ baseUrl: closed.url, timeoutMs: 1000 }).send(call('/x')));
    expect(extensions(err)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'ECONNREFUSED' });
    expect(err.message).not.toContain('127.0.0.1');
  });

  it('an aborted call stops at once, retries included, with reason ABORTED', async () => {
    const controller = new AbortController();
    const pending = client({ retries: 2, timeoutMs: 5000 }).send(call('/stall', { signal: controller.signal }));
    controller.abort();
    expect(extensions(await failure(pending))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'ABORTED' });
  });
});

describe('the service-account token', () => {
  /** A token provider whose first token has expired upstream. */
  const provider = () => {
    const state = { issued: 0, invalidated: [] as string[] };
    const auth: AuthScheme = {
      getToken: async () => `token-${state.issued === 0 || state.invalidated.length > 0 ? ++state.issued : state.issued}`,
      invalidate: async (t) => void state.invalidated.push(t),
      header: (t) => `Bearer ${t}`,
    };
    return { auth, state };
  };

  it('goes on each call; a 401 forgets it, fetches a fresh one and retries once', async () => {
    const { auth, state } = provider();
    const before = main.seen.length;
    const res = await client().call(call('/token', { auth }));
    expect(res.status).toBe(200);
    expect(state.invalidated).toEqual(['token-1']);
    expect(main.seen.slice(before).map((s) => s.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it("the retry with a fresh token goes at once (not after the 401's Retry-After) and leaves the read its own retries", async () => {
    const { auth } = provider();
    const before = main.seen.length;
    const res = await client({ retries: 2, timeoutMs: 2000 }).call(call('/expired-late', { auth }));
    expect(res.status).toBe(200);
    expect(main.seen.slice(before).map((s) => s.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-2',
      'Bearer token-2',
    ]);
  });

  it('a bug in the token provider comes out as itself, never retried, never taken for a network failure', async () => {
    let asked = 0;
    const bug = Object.assign(new TypeError('token store broke'), { code: 'ECONNREFUSED' });
    const auth: AuthScheme = { getToken: () => (asked++, Promise.reject(bug)), invalidate: async () => {}, header: (t) => t };
    const before = main.seen.length;
    const err = await client({ retries: 2 })
      .call(call('/token', { auth }))
      .catch((e: unknown) => e);
    expect(err).toBe(bug);
    expect(asked).toBe(1);
    expect(main.seen.length - before).toBe(0);
  });

  it('a fresh token refused too is UPSTREAM_AUTH_FAILED, after one retry only', async () => {
    const { auth } = provider();
    const before = main.seen.length;
    const err = await failure(client({ retries: 2 }).call(call('/never', { auth })));
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(err.message).toContain("refused the service account's token for test (HTTP 401)");
    expect(main.seen.length - before).toBe(2);
  });

  it("a refused login while fetching the token is the login's own error, not a network failure", async () => {
    const refused = new GatewayError(ErrorCode.UPSTREAM_AUTH_FAILED, 'Test refused the login', { upstream: 'meetnet' });
    const auth: AuthScheme = { getToken: () => Promise.reject(refused), invalidate: async () => {}, header: (t) => t };
    const before = main.seen.length;
    expect(await failure(client().call(call('/token', { auth })))).toBe(refused);
    expect(main.seen.length - before).toBe(0);
  });

  it('is not sent where the call has no auth scheme (a login, a public route)', async () => {
    await client().send(call('/gzip'));
    expect(main.seen.at(-1)!.headers.authorization).toBeUndefined();
  });
});
