// Who may call the gateway, and what each may do: API keys from a key file (Bearer or x-api-key),
// JWTs verified against a real JWKS served over HTTP, anonymous reads where configured, scopes
// (read for queries, write for mutations), keys and tokens limited to some upstreams, and the
// production switches (introspection, field suggestions, GraphiQL).
import { createServer, type Server } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey, readApiKeys } from '../../src/access/api-keys.js';
import { createAuthenticator } from '../../src/access/identity.js';
import { ConfigError } from '../../src/config.js';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { bearer, KEYS, KEYS_FILE } from '../helpers/access.js';
import { startGateway, startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

const ISSUER = 'https://login.test.invalid/';
const AUDIENCE = 'monitoring-gateway';
const NONE = { authorization: '' };
const UPSTREAM_NAMES = upstreamModules.map((m) => m.name);

let jwks: Server;
let jwksUrl: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let demo: TestApp;
let keyed: TestApp;

function serve(body: () => unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body())));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json` }),
    ),
  );
}

async function token(claims: Record<string, unknown>, o: { key?: CryptoKey; audience?: string; issuer?: string; expiresIn?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? '5m')
    .sign(o.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  ({ server: jwks, url: jwksUrl } = await serve(() => ({ keys: [jwk] })));
  // The zero-configuration demo, and a gateway with a key file and a JWKS, both with their defaults.
  [demo, keyed] = await Promise.all([
    startTestApp({ API_KEYS_FILE: '', ANONYMOUS_READ: 'auto', FIELD_SUGGESTIONS: 'auto' }),
    startTestApp({
      API_KEYS_FILE: KEYS_FILE,
      ANONYMOUS_READ: 'auto',
      FIELD_SUGGESTIONS: 'auto',
      JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([demo?.stop(), keyed?.stop()]);
  jwks?.close();
});

const WRITE = 'mutation($input: TimeseriesDataInput!) { writeTimeseriesData(input: $input) { status valuesSent } }';
async function bemWritable(app: TestApp, headers: Record<string, string> = bearer(KEYS.reader)): Promise<string> {
  const res = await gql(app.url, '{ sensors(upstream: BEMSERVER, first: 1000) { nodes { id name } } }', {}, headers);
  return res.data!.sensors.nodes.find((s: { name: string }) => s.name.endsWith('Compteur manuel'))!.id;
}
const onePoint = (sensorId: string) => ({ input: { sensorId, points: [{ time: '2026-11-19T00:00:00Z', value: 1 }] } });

describe('the zero-configuration demo (no key file, no JWKS)', () => {
  it('answers reads without credentials and refuses every write (403 FORBIDDEN), before anything is sent', async () => {
    const read = await gql(demo.url, '{ upstreams { name } }', {}, NONE);
    expect(read.status).toBe(200);
    expect(read.data!.upstreams).toHaveLength(UPSTREAM_NAMES.length);
    const id = await bemWritable(demo, NONE);
    demo.simulators.bemserver!.clearLog();
    const write = await gql(demo.url, WRITE, onePoint(id), NONE);
    expect(write.status).toBe(403);
    expect(write.data).toBeUndefined();
    expect(write.errors).toEqual([
      { message: 'a mutation needs the write scope: send an API key or token that has it', extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(demo.simulators.bemserver!.requests('timeseries_data/post')).toHaveLength(0);
  });

  it('refuses a key it does not know (401 with WWW-Authenticate) instead of ignoring it', async () => {
    const res = await fetch(demo.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.admin) },
      body: JSON.stringify({ query: '{ upstreams { name } }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toEqual({
      errors: [{ message: 'this API key or token is not known here', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('suggests field names ("Did you mean") and answers introspection, as a development tool should', async () => {
    const res = await gql(demo.url, '{ upstreams { nam } }', {}, NONE);
    expect(res.errors![0]!.message).toMatch(/Did you mean "name"/);
    const intro = await gql(demo.url, '{ __schema { queryType { name } } }', {}, NONE);
    expect(intro.data!.__schema.queryType.name).toBe('Query');
  });
});

describe('API keys (API_KEYS_FILE)', () => {
  it('without credentials: 401 UNAUTHENTICATED that names nothing behind the gateway', async () => {
    const res = await gql(keyed.url, '{ upstreams { name } sensors { totalCount } }', {}, NONE);
    expect(res.status).toBe(401);
    expect(res.errors).toEqual([
      {
        message: 'send an API key (Authorization: Bearer <key>, or x-api-key) or a token',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    for (const name of UPSTREAM_NAMES) expect(res.raw.toLowerCase()).not.toContain(name);
  });

  it.each([
    ['a key not in the file', bearer('mgw_not-a-key-of-this-gateway'), 'this API key or token is not known here'],
    [
      'another scheme',
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      'the Authorization header must be "Bearer <API key or token>"',
    ],
    ['the hash instead of the key', bearer(hashKey(KEYS.admin)), 'this API key or token is not known here'],
  ])('%s: 401 UNAUTHENTICATED', async (_what, headers, message) => {
    const res = await gql(keyed.url, '{ upstreams { name } }', {}, headers);
    expect(res.status).toBe(401);
    expect(res.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('a read key, as Bearer or x-api-key, reads; its mutation is 403 FORBIDDEN and nothing is written', async () => {
    for (const headers of [bearer(KEYS.reader), { 'x-api-key': KEYS.reader }]) {
      const res = await gql(keyed.url, '{ upstreams { name } }', {}, headers);
      expect(res.status).toBe(200);
      expect(res.data!.upstreams).toHaveLength(UPSTREAM_NAMES.length);
    }
    const id = await bemWritable(keyed);
    keyed.simulators.bemserver!.clearLog();
    const write = await gql(keyed.url, WRITE, onePoint(id), bearer(KEYS.reader));
    expect(write.status).toBe(403);
    expect(write.errors).toEqual([
      { message: 'tests-reader may not run a mutation: it needs the write scope', extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(keyed.simulators.bemserver!.requests('timeseries_data/post')).toHaveLength(0);
  });

  it('a write-only key writes and may not read', async () => {
    const id = await bemWritable(keyed);
    const write = await gql(keyed.url, WRITE, onePoint(id), bearer(KEYS.writer));
    expect(write.errors).toBeUndefined();
    expect(write.data!.writeTimeseriesData.status).toBe('PROCESSED');
    const read = await gql(keyed.url, '{ upstreams { name } }', {}, bearer(KEYS.writer));
    expect(read.status).toBe(403);
    expect(read.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it('a key limited to Meetnet sees only Meetnet in every list, and is FORBIDDEN what lies elsewhere', async () => {
    const key = bearer(KEYS.meetnetReader);
    const res = await gql(
      keyed.url,
      '{ upstreams { name } sensors(first: 1000) { totalCount nodes { upstream } } parameters { upstream } locations(first: 1000) { nodes { upstream } } }',
      {},
      key,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.upstreams).toEqual([{ name: 'MEETNET' }]);
    expect(new Set(res.data!.sensors.nodes.map((s: { upstream: string }) => s.upstream))).toEqual(new Set(['MEETNET']));
    expect(new Set(res.data!.parameters.map((p: { upstream: string }) => p.upstream))).toEqual(new Set(['MEETNET']));
    expect(new Set(res.data!.locations.nodes.map((l: { upstream: string }) => l.upstream))).toEqual(new Set(['MEETNET']));
    const all = await gql(keyed.url, '{ sensors { totalCount } }', {}, bearer(KEYS.reader));
    expect(res.data!.sensors.totalCount).toBeLessThan(all.data!.sensors.totalCount);

    const elsewhere = await gql(
      keyed.url,
      '{ sensor(id: "bemserver:sensor:1") { id } sensors(upstream: FLEXMEASURES) { totalCount } }',
      {},
      key,
    );
    expect(elsewhere.data).toEqual({ sensor: null, sensors: null });
    expect(elsewhere.errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(elsewhere.errors![0]!.message).toBe('this client may not reach bemserver (it may reach meetnet)');
  });

  it('a key limited to BEMServer writes there and is FORBIDDEN to write to FlexMeasures', async () => {
    const id = await bemWritable(keyed);
    const key = bearer(KEYS.bemserverWriter);
    expect((await gql(keyed.url, WRITE, onePoint(id), key)).data!.writeTimeseriesData.status).toBe('PROCESSED');
    keyed.simulators.flexmeasures!.clearLog();
    const fm = await gql(
      keyed.url,
      'mutation($input: MeterDataInput!) { writeMeterData(input: $input) { status } }',
      {
        input: {
          connectionId: 'flexmeasures:connection:ea1.2021-01.io.flexmeasures.company:fm1.6',
          start: '2026-11-20T01:00:00Z',
          values: [1],
        },
      },
      key,
    );
    expect(fm.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(keyed.simulators.flexmeasures!.requests().filter((r) => r.method === 'POST' && r.route !== 'token')).toHaveLength(0);
  });

  it('once keys are configured: no "Did you mean" in validation errors (FIELD_SUGGESTIONS=auto)', async () => {
    const res = await gql(keyed.url, '{ upstreams { nam } }', {}, bearer(KEYS.reader));
    expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).not.toMatch(/Did you mean/);
    // Nor in variables that do not coerce, which Apollo does not cover: they would name enum values and input fields.
    const enumValue = await gql(
      keyed.url,
      'query($u: Upstream) { sensors(upstream: $u) { totalCount } }',
      { u: 'BEMSERVE' },
      bearer(KEYS.reader),
    );
    expect(enumValue.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(enumValue.errors![0]!.message).toBe(
      'Variable "$u" got invalid value "BEMSERVE"; Value "BEMSERVE" does not exist in "Upstream" enum.',
    );
  });

  it('ANONYMOUS_READ=on beside keys: reads without credentials, never writes', async () => {
    // The tests' default gateway: the key file and ANONYMOUS_READ=on.
    const app = await startTestApp({ FIELD_SUGGESTIONS: 'auto' });
    try {
      expect((await gql(app.url, '{ upstreams { name } }', {}, NONE)).status).toBe(200);
      const id = await bemWritable(app, NONE);
      const write = await gql(app.url, WRITE, onePoint(id), NONE);
      expect(write.status).toBe(403);
      expect(write.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    } finally {
      await app.stop();
    }
  });

  it('a key file with problems stops the start, listing every one of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-badkeys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'a', sha256: 'not-a-hash', scopes: ['read'] },
        { name: 'a', sha256: 'a'.repeat(64), scopes: ['admin'] },
        { name: 'b', sha256: 'b'.repeat(64), scopes: ['read'], upstreams: ['nowhere'] },
      ]),
    );
    const err = await startGateway({ API_KEYS_FILE: file }, upstreamModules).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'API_KEYS_FILE entry 1 (a): sha256 must be 64 hex digits (the SHA-256 of the key, not the key)',
      'API_KEYS_FILE entry 2: the name "a" is used twice',
      'API_KEYS_FILE entry 2 (a): scopes must be a non-empty list of read, write',
      `API_KEYS_FILE entry 3 (b): upstreams must be a list of ${UPSTREAM_NAMES.join(', ')}`,
    ]);
    const missing = await startGateway({ API_KEYS_FILE: join(dir, 'absent.json') }, upstreamModules).catch((e: unknown) => e);
    expect((missing as ConfigError).problems[0]).toMatch(/^API_KEYS_FILE .*absent\.json cannot be read as JSON/);
  });

  it('`npm run api-key` prints a key and the file entry that accepts it (and only the hash is in the entry)', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'scripts/api-key.ts', '--name', 'dashboards', '--scopes', 'read', '--upstreams', 'meetnet'],
      {
        cwd: new URL('../..', import.meta.url).pathname,
      },
    );
    const key = /^\s+(mgw_\S+)$/m.exec(stdout)![1]!;
    const entry = JSON.parse(/^\s+(\{.*\})$/m.exec(stdout)![1]!);
    expect(entry).toEqual({ name: 'dashboards', sha256: hashKey(key), scopes: ['read'], upstreams: ['meetnet'] });
    expect(JSON.stringify(entry)).not.toContain(key);
    // --file adds the entry to a key file (made when missing); a second key of the same name is refused.
    const file = join(mkdtempSync(join(tmpdir(), 'gw-newkey-')), 'keys.json');
    const run = (name: string) =>
      promisify(execFile)(
        'npx',
        ['tsx', 'scripts/api-key.ts', '--name', name, '--scopes', 'read', '--upstreams', 'meetnet', '--file', file],
        {
          cwd: new URL('../..', import.meta.url).pathname,
        },
      );
    const added = /^\s+(mgw_\S+)$/m.exec((await run('dashboards')).stdout)![1]!;
    const again = await run('dashboards').catch((err: { stderr: string; code: number }) => err);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('already has a key named "dashboards"') });
    const { entries, problems } = readApiKeys(file, UPSTREAM_NAMES);
    expect(entries.map((e) => e.sha256)).toEqual([hashKey(added)]);
    expect(problems).toEqual([]);
    const client = await createAuthenticator({ apiKeys: entries, jwt: null, anonymousRead: false }).authenticate({ 'x-api-key': added });
    expect(client).toMatchObject({ name: 'dashboards', kind: 'api-key', scopes: new Set(['read']), upstreams: new Set(['meetnet']) });
  });
});

describe('JWTs (JWKS_URL, JWT_ISSUER, JWT_AUDIENCE)', () => {
  it('a token with the read scope reads; its mutation is FORBIDDEN; with write it writes', async () => {
    const reader = await token({ sub: 'explorer-7', scope: 'read' });
    const res = await gql(keyed.url, '{ upstreams { name } }', {}, bearer(reader));
    expect(res.status).toBe(200);
    expect(res.data!.upstreams).toHaveLength(UPSTREAM_NAMES.length);
    const id = await bemWritable(keyed);
    const refused = await gql(keyed.url, WRITE, onePoint(id), bearer(reader));
    expect(refused.status).toBe(403);
    expect(refused.errors![0]!.message).toBe('explorer-7 may not run a mutation: it needs the write scope');
    // Scopes as a list work as well as a space-separated string.
    const writer = await token({ sub: 'platform', scope: ['read', 'write'] });
    expect((await gql(keyed.url, WRITE, onePoint(id), bearer(writer))).data!.writeTimeseriesData.status).toBe('PROCESSED');
  });

  it('the upstreams claim limits what the token reaches', async () => {
    const t = await token({ sub: 'buildings-only', scope: 'read', upstreams: ['bemserver'] });
    const res = await gql(keyed.url, '{ upstreams { name } }', {}, bearer(t));
    expect(res.data!.upstreams).toEqual([{ name: 'BEMSERVER' }]);
  });

  it.each([
    ['another audience', () => token({ scope: 'read' }, { audience: 'someone-else' })],
    ['another issuer', () => token({ scope: 'read' }, { issuer: 'https://elsewhere.invalid/' })],
    ['expired', () => token({ scope: 'read' }, { expiresIn: '-2m' })],
    ['signed by a key not in the JWKS', () => token({ scope: 'read' }, { key: strangerKey })],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
          JSON.stringify({ iss: ISSUER, aud: AUDIENCE, scope: 'read write', exp: Math.floor(Date.now() / 1000) + 300 }),
        ).toString('base64url')}.`,
    ],
  ])('a token %s: 401 UNAUTHENTICATED', async (_what, make) => {
    const res = await gql(keyed.url, '{ upstreams { name } }', {}, bearer(await make()));
    expect(res.status).toBe(401);
    expect(res.errors).toEqual([
      { message: 'the token is not valid here (signature, issuer, audience or expiry)', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('a JWKS that does not answer: 503 with Retry-After, the token neither accepted nor called invalid', async () => {
    const { server, url } = await serve(() => ({}));
    server.close(); // a port where nobody listens
    const { app } = await startGateway({ JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, upstreamModules);
    try {
      const res = await gql(app.url, '{ upstreams { name } }', {}, bearer(await token({ scope: 'read' })));
      expect(res.status).toBe(503);
      expect(res.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'JWKS_UNAVAILABLE' });
      const raw = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(await token({ scope: 'read' })) },
        body: JSON.stringify({ query: '{ upstreams { name } }' }),
      });
      expect(raw.headers.get('retry-after')).toBe('5');
    } finally {
      await app.stop();
    }
  });
});

describe('production switches', () => {
  it('INTROSPECTION=off and GRAPHIQL=off: no schema by introspection, no GraphiQL page or assets', async () => {
    const { app } = await startGateway({ INTROSPECTION: 'off', GRAPHIQL: 'off' }, upstreamModules);
    try {
      const intro = await gql(app.url, '{ __schema { queryType { name } } }');
      expect(intro.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(intro.errors![0]!.message).toBe(
        'introspection is off on this gateway (INTROSPECTION=off): the schema is in schema.graphql of its repository',
      );
      const page = await fetch(app.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('graphiql');
      expect((await fetch(app.url.replace('/graphql', '/graphiql/graphiql.min.js'))).status).toBe(404);
      // Queries are answered as ever.
      expect((await gql(app.url, '{ upstreams { name } }')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
