// The HTTP surface a network sees: CORS for the allowed origins (preflight answered), the common
// clients' defaults (urql's GET queries, graphql-request in GET mode), compression, the body limit
// while reading (chunked too), and sockets that are silent, trickle, idle or hang up mid-upload.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { bearer, KEYS } from '../helpers/access.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/until.js';

const DASHBOARDS = 'https://dashboards.example.org';
let app: TestApp;
let port: number;

beforeAll(async () => {
  app = await startTestApp({
    CORS_ORIGINS: `${DASHBOARDS}, https://explorer.example.org/`,
    MAX_BODY_BYTES: '4096',
    HTTP_HEADERS_TIMEOUT_MS: '500',
    HTTP_REQUEST_TIMEOUT_MS: '1500',
    HTTP_IDLE_TIMEOUT_MS: '1000',
  });
  port = Number(new URL(app.url).port);
});
afterAll(() => app.stop());

const QUERY = '{ upstreams { name } }';
const UPSTREAMS = { upstreams: upstreamModules.map((m) => ({ name: m.name.toUpperCase() })) };

describe('CORS (CORS_ORIGINS)', () => {
  it('answers the preflight of an allowed origin with what it may send', async () => {
    const res = await fetch(app.url, {
      method: 'OPTIONS',
      headers: {
        origin: DASHBOARDS,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARDS);
    // PUT and DELETE: the single-connection mode of GraphQL over SSE (live values).
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    // The allow-list is matched exactly; a trailing slash in the setting is forgiven.
    const explorer = await fetch(app.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://explorer.example.org', 'access-control-request-method': 'POST' },
    });
    expect(explorer.headers.get('access-control-allow-origin')).toBe('https://explorer.example.org');
  });

  it('gives an origin not on the list no CORS header, so a browser lets its page neither send nor read', async () => {
    for (const origin of ['https://evil.example.org', 'https://dashboards.example.org.evil.example', 'null']) {
      const pre = await fetch(app.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const post = await fetch(app.url, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', ...bearer(KEYS.reader) },
        body: JSON.stringify({ query: QUERY }),
      });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it("an allowed origin's request carries its CORS headers and exposes x-request-id", async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { origin: DASHBOARDS, 'content-type': 'application/json', ...bearer(KEYS.reader) },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARDS);
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });
});

describe('the common clients, as they come', () => {
  it("urql's default client: queries by GET, mutations by POST", async () => {
    const methods: string[] = [];
    const client = new Client({
      url: app.url,
      exchanges: [fetchExchange],
      fetchOptions: { headers: bearer(KEYS.admin) },
      // Watches what urql sends; the request itself goes out unchanged over real HTTP.
      fetch: (input, init) => {
        methods.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
    const read = await client.query(urqlGql(QUERY), {}).toPromise();
    expect(read.error).toBeUndefined();
    expect(read.data).toEqual(UPSTREAMS);
    const write = await client
      .mutation(urqlGql('mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status } }'), {
        input: { sensorId: 'bemserver:sensor:999999', points: [{ time: '2026-11-19T00:00:00Z', value: 1 }] },
      })
      .toPromise();
    // The mutation ran (its answer is the gateway's, not a transport refusal).
    expect(write.error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(methods).toEqual(['GET', 'POST']);
  });

  it('graphql-request in GET mode', async () => {
    const client = new GraphQLClient(app.url, { method: 'GET', headers: bearer(KEYS.reader) });
    expect(await client.request(QUERY)).toEqual(UPSTREAMS);
  });
});

function raw(path: string, headers: Record<string, string>): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('compression', () => {
  const query = `/graphql?query=${encodeURIComponent('{ sensors(first: 200) { nodes { id name unit } } }')}`;

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('answers %s when the client accepts it', async (encoding, decode) => {
    const plain = await raw(query, { ...bearer(KEYS.reader), accept: 'application/json' });
    expect(plain.res.headers['content-encoding']).toBeUndefined();
    const packed = await raw(query, { ...bearer(KEYS.reader), accept: 'application/json', 'accept-encoding': encoding });
    expect(packed.res.headers['content-encoding']).toBe(encoding);
    expect(packed.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(decode(packed.body).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
    expect(packed.res.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(packed.res.headers['content-length'])).toBe(packed.body.length);
  });

  it("follows the client's preference and sends small answers as they are", async () => {
    const gzipFirst = await raw(query, { ...bearer(KEYS.reader), 'accept-encoding': 'br;q=0.5, gzip' });
    expect(gzipFirst.res.headers['content-encoding']).toBe('gzip');
    const refused = await raw(query, { ...bearer(KEYS.reader), 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.res.headers['content-encoding']).toBeUndefined();
    const small = await raw(`/graphql?query=${encodeURIComponent(QUERY)}`, { ...bearer(KEYS.reader), 'accept-encoding': 'br, gzip' });
    expect(small.res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toEqual({ data: UPSTREAMS });
  });

  it("compresses GraphiQL's assets", async () => {
    const plain = await raw('/graphiql/graphiql.min.js', {});
    // What browsers and `curl --compressed` send: all alike, so br, which packs smaller.
    const packed = await raw('/graphiql/graphiql.min.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(packed.res.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(packed.body).equals(plain.body)).toBe(true);
    expect(packed.body.length).toBeLessThan(plain.body.length / 2);
  });
});

describe('the body limit, while reading', () => {
  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.reader) },
      body: JSON.stringify({ query: QUERY, pad: 'x'.repeat(10_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'request body larger than 4096 bytes (MAX_BODY_BYTES)',
          extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_BODY_BYTES', allowed: 4096 },
        },
      ],
    });
  });

  it('stops a chunked body at the limit: the answer comes while the client is still sending', async () => {
    let sent = 0;
    let stop = false;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...bearer(KEYS.reader) },
        },
        (res) => {
          stop = true;
          resolve(res.statusCode!);
          res.resume();
        },
      );
      req.on('error', (err) => (stop ? undefined : reject(err)));
      req.write('{"query":"{ upstreams { name } }","pad":"');
      const pump = () => {
        if (stop || sent > 10_000_000) return req.destroy();
        req.write('x'.repeat(1024));
        sent += 1024;
        setTimeout(pump, 2);
      };
      pump();
    });
    expect(status).toBe(413);
    // 10 MB were on offer; the gateway answered after a few kilobytes.
    expect(sent).toBeLessThan(1_000_000);
  });
});

describe('sockets', () => {
  /** Opens a raw socket, writes `first`, then `drip` every 200 ms; resolves what the server said when it closed the socket. */
  function socket(first: string, drip = ''): Promise<string> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      let answer = '';
      s.on('data', (d) => (answer += d.toString()));
      s.on('error', () => undefined);
      const timer = drip ? setInterval(() => s.writable && s.write(drip), 200) : null;
      s.on('close', () => {
        if (timer) clearInterval(timer);
        resolve(answer);
      });
      s.write(first);
    });
  }

  it('closes a socket that never finishes its headers (HTTP_HEADERS_TIMEOUT_MS) with 408', async () => {
    expect(await socket('GET /graphql HTTP/1.1\r\nhost: x\r\n')).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a socket that trickles its body (HTTP_REQUEST_TIMEOUT_MS) with 408', async () => {
    const head = `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-api-key: ${KEYS.reader}\r\ncontent-length: 1000\r\n\r\n{`;
    expect(await socket(head, ' ')).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle kept-alive connection (HTTP_IDLE_TIMEOUT_MS)', async () => {
    const answer = await socket(`GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n`);
    // One answer, then the server closed the quiet connection.
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.match(/HTTP\/1\.1/g)).toHaveLength(1);
  });

  it('an upload the client abandons is a debug line, never an error with a stack', async () => {
    const before = app.logLines.length;
    const s = connect(port, '127.0.0.1');
    s.write(
      `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-api-key: ${KEYS.reader}\r\ncontent-length: 1000\r\n\r\n{"query":`,
    );
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    await until(() => app.logLines.slice(before).some((l) => l.includes('client went away while sending its request')));
    const lines = app.logLines.slice(before).map((l) => JSON.parse(l) as { level: string });
    expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(lines.find((l) => JSON.stringify(l).includes('client went away'))!.level).toBe('debug');
  });
});
