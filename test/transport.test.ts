// The upstream HTTP transport (node:http) against real local servers that misbehave on purpose:
// compressed and broken bodies, redirects, stalls, refused connections, retries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../src/shared/errors.js';
import { extensions } from './helpers/errors.js';
import { createLogger, SecretRegistry } from '../src/logger.js';
import { UpstreamHttp, type RouteCall } from '../src/upstreams/http-client.js';
import { exchange, MAX_ANSWER_BYTES, TransportError, TransportTimeout } from '../src/upstreams/transport.js';

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

const get = (path: string, timeoutMs = 2000) =>
  exchange({ method: 'GET', origin: new URL(main.url), path, headers: { authorization: 'Bearer secret-token' }, body: null, timeoutMs });

describe('exchange', () => {
  it.each(['gzip', 'deflate', 'br'])('decodes a %s body and asks for compression', async (encoding) => {
    const answer = await get(`/${encoding}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(payload);
    expect(main.seen.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('a body that does not decode is a TransportError, not a crash', async () => {
    await expect(get('/broken-gzip')).rejects.toBeInstanceOf(TransportError);
  });

  it('follows a 308 on the same origin with method and body, and a 303 as a GET', async () => {
    const post = await exchange({
      method: 'POST',
      origin: new URL(main.url),
      path: '/collection',
      headers: {},
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(JSON.parse(post.body)).toEqual({ method: 'POST', body: '{"a":1}' });
    const seeOther = await exchange({
      method: 'POST',
      origin: new URL(main.url),
      path: '/see-other',
      headers: {},
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(JSON.parse(seeOther.body)).toEqual({ method: 'GET', body: '' });
  });

  it('does not follow a redirect to another origin (the token stays home) and says where it pointed', async () => {
    const err = await get('/elsewhere').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'REDIRECT_ELSEWHERE', message: expect.stringContaining(other.url) });
    expect(other.seen).toHaveLength(0);
  });

  it('a redirect loop ends after 5 hops; a 303 drops the body and its content type', async () => {
    const before = main.seen.length;
    await expect(get('/loop')).rejects.toMatchObject({ code: 'TOO_MANY_REDIRECTS' });
    expect(main.seen.length - before).toBe(6);
    await exchange({
      method: 'POST',
      origin: new URL(main.url),
      path: '/see-other',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(main.seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('an answer without a body under a compressed encoding (204, 304, empty chunked) is an empty body', async () => {
    for (const path of ['/empty-204', '/empty-304', '/empty-chunked']) {
      const answer = await get(path);
      expect(answer.body, path).toBe('');
    }
  });

  it('an answer that decompresses past the limit is cut off: an error, and the process stays up', async () => {
    expect(MAX_ANSWER_BYTES).toBeLessThan(512 * 1024 * 1024); // V8's longest string: beyond it toString throws
    const err = await exchange({
      method: 'GET',
      origin: new URL(main.url),
      path: '/bomb',
      headers: {},
      body: null,
      timeoutMs: 5000,
      maxAnswerBytes: 1024 * 1024,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ANSWER_TOO_LARGE' });
    expect((await get('/gzip')).body).toBe(payload);
  });

  it('a body that stalls ends in a TransportTimeout after the timeout', async () => {
    const started = Date.now();
    const err = await get('/stall', 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportTimeout);
    expect((err as TransportTimeout).code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('a refused connection is a TransportError with its code', async () => {
    const closed = await serve(() => {});
    const url = closed.url;
    await new Promise((r) => closed.server.close(r));
    const err = await exchange({ method: 'GET', origin: new URL(url), path: '/x', headers: {}, body: null, timeoutMs: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('ECONNREFUSED');
  });
});

describe('UpstreamHttp over the transport', () => {
  const logger = createLogger({ level: 'error', secrets: new SecretRegistry(), write: () => {} });
  const client = (retries: number, timeoutMs = 2000) =>
    new UpstreamHttp({ upstream: 'meetnet', label: 'Test', baseUrl: `${main.url}/`, timeoutMs, retries, logger });
  const call = (path: string, idempotent: boolean): RouteCall => ({
    route: 'test',
    method: 'GET',
    path,
    idempotent,
    auth: null,
    searchParams: { n: 1, b: true },
  });

  it('retries an idempotent read on 503 until it answers; the query string goes every time', async () => {
    const before = main.seen.length;
    const res = await client(2).send(call('/flaky', true), null);
    expect(res.status).toBe(200);
    const tries = main.seen.slice(before);
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.url))).toEqual(new Set(['/flaky?n=1&b=true']));
  });

  it('keeps the path of a base URL (BEMSERVER_BASE_URL=https://host/api/v0), with or without its trailing slash', async () => {
    for (const base of [`${main.url}/api/v0`, `${main.url}/api/v0/`]) {
      const http = new UpstreamHttp({
        upstream: 'bemserver',
        label: 'Test',
        baseUrl: base,
        timeoutMs: 2000,
        retries: 0,
        logger,
      });
      const res = await http.send(
        {
          route: 'test',
          method: 'GET',
          path: '/sites/',
          idempotent: true,
          auth: null,
          searchParams: new URLSearchParams([
            ['id', '1'],
            ['id', '2'],
          ]),
        },
        null,
      );
      expect(res.status).toBe(404);
      expect(main.seen.at(-1)!.url).toBe('/api/v0/sites/?id=1&id=2');
    }
  });

  it('never retries a call that is not idempotent', async () => {
    const before = main.seen.length;
    const res = await client(2).send({ ...call('/flaky', false), searchParams: { other: 'x' } }, null);
    expect(res.status).toBe(503);
    expect(main.seen.length - before).toBe(1);
  });

  it('does not wait for a Retry-After longer than the timeout', async () => {
    const before = main.seen.length;
    const res = await client(2, 500).send(call('/slow-down', true), null);
    expect(res.status).toBe(429);
    expect(main.seen.length - before).toBe(1);
  });

  it('a timeout is UPSTREAM_UNAVAILABLE with reason TIMEOUT', async () => {
    const err = await client(0, 200)
      .send(call('/stall', true), null)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(extensions(err as GatewayError)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'TIMEOUT' });
  });
});
