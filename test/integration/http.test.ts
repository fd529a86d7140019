// The HTTP surface around GraphQL: GraphiQL served offline, health, body limits, bad requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { bearer, KEYS } from '../helpers/access.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp({ MAX_BODY_BYTES: '4096' });
  base = app.url.replace(/\/graphql$/, '');
});
afterAll(() => app.stop());

describe('GraphiQL', () => {
  it('is served at /graphql to a browser, with every asset from the gateway itself', async () => {
    const res = await fetch(app.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="graphiql">');
    // No CDN: nothing is loaded from another host.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(5);
    for (const ref of refs) {
      expect(ref.startsWith('/')).toBe(true);
      const asset = await fetch(base + ref);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('the root redirects to /graphql; unknown assets are 404', async () => {
    const root = await fetch(base + '/', { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
    expect((await fetch(base + '/graphiql/../../package.json')).status).toBe(404);
    expect((await fetch(base + '/graphiql/nope.js')).status).toBe(404);
  });
});

describe('HTTP', () => {
  it('answers /healthz', async () => {
    const res = await fetch(base + '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses a body over MAX_BODY_BYTES with 413', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ upstreams { name } }`, variables: { pad: 'x'.repeat(10_000) } }),
    });
    expect(res.status).toBe(413);
    expect(JSON.stringify(await res.json())).toMatch(/MAX_BODY_BYTES/);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
  });

  it('answers other methods with 405 and Allow', async () => {
    const res = await fetch(app.url, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    // OPTIONS is a preflight's: answered, not refused, even without CORS origins.
    const options = await fetch(app.url, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
  });

  it('answers queries by a bare GET (as urql and graphql-request send them); mutations only by POST, and a POST only as JSON', async () => {
    const url = `${app.url}?query=${encodeURIComponent('{ upstreams { name } }')}`;
    const res = await fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { upstreams: upstreamModules.map((m) => ({ name: m.name.toUpperCase() })) } });
    const mutation = 'mutation { writeTimeseriesData(input: { sensorId: "bemserver:sensor:1", points: [] }) { status } }';
    const byGet = await fetch(`${app.url}?query=${encodeURIComponent(mutation)}`, {
      headers: { ...bearer(KEYS.admin), accept: 'application/json' },
    });
    expect(byGet.status).toBe(405);
    // What a cross-site form or fetch can send without a CORS preflight: refused before anything runs.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const simple = await fetch(app.url, {
        method: 'POST',
        headers: { ...bearer(KEYS.admin), 'content-type': type },
        body: JSON.stringify({ query: mutation }),
      });
      expect(simple.status).toBe(415);
      expect(await simple.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    }
  });

  it('echoes a safe x-request-id and makes one up otherwise', async () => {
    const post = (id?: string) =>
      fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(id ? { 'x-request-id': id } : {}) },
        body: JSON.stringify({ query: '{ upstreams { name } }' }),
      });
    expect((await post('abc-123')).headers.get('x-request-id')).toBe('abc-123');
    expect((await post('bad id with spaces')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
