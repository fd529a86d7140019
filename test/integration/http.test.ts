// The HTTP surface around GraphQL: GraphiQL served offline, health, body limits, bad requests.
import http from 'node:http';
import { runInNewContext } from 'node:vm';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamModules } from '../../src/upstreams/modules.js';
import { bearer, KEYS } from '../helpers/access.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

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
    // No CDN: nothing is loaded from another host, and no stylesheet pulls a font or image from one.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((ref) => !ref.startsWith('data:'));
    expect(refs).toEqual([
      '/graphiql/graphiql.min.css',
      '/graphiql/plugin-explorer.css',
      '/graphiql/react.production.min.js',
      '/graphiql/react-dom.production.min.js',
      '/graphiql/graphiql.min.js',
      '/graphiql/plugin-explorer.umd.js',
      '/graphiql/init.js',
    ]);
    expect(html).not.toMatch(/https?:\/\//);
    for (const ref of refs) {
      const asset = await fetch(base + ref);
      expect(asset.status, ref).toBe(200);
      const text = await asset.text();
      expect(text.length, ref).toBeGreaterThan(100);
      // (GraphiQL's bundle mentions "jsdelivr, unpkg" in an error message: the hosts are what count.)
      const cdns = ['unpkg.com', 'cdn.jsdelivr.net', 'cdnjs.cloudflare.com', 'esm.sh/', 'fonts.googleapis.com', 'fonts.gstatic.com'];
      for (const cdn of cdns) expect(text, `${ref} names ${cdn}`).not.toContain(cdn);
      if (ref.endsWith('.css')) {
        const urls = [...text.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]!);
        expect(
          urls.filter((u) => !u.startsWith('data:')),
          ref,
        ).toEqual([]);
      }
    }
    // Subscriptions go to this host over a WebSocket: the policy names it, and nothing else.
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    const host = new URL(app.url).host;
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host};`);
  });

  it("the policy's WebSocket origin is the Host the browser asked for; a Host that is not one is not written into it", async () => {
    const policyFor = (host: string) =>
      new Promise<string>((resolve, reject) => {
        http
          .get(app.url, { headers: { accept: 'text/html', host } }, (res) => {
            res.resume();
            resolve(String(res.headers['content-security-policy']));
          })
          .on('error', reject);
      });
    expect(await policyFor('gw.example.org:8443')).toContain("connect-src 'self' ws://gw.example.org:8443 wss://gw.example.org:8443;");
    expect(await policyFor('[::1]:4000')).toContain("connect-src 'self' ws://[::1]:4000 wss://[::1]:4000;");
    const injected = await policyFor("x; script-src 'unsafe-inline'");
    expect(injected).toContain("connect-src 'self';");
    expect(injected).not.toContain('script-src');
  });

  it('opens with the example tabs, their windows ending at the current hour, and the explorer', async () => {
    const script = await (await fetch(base + '/graphiql/init.js')).text();
    expect(script).not.toMatch(/https?:\/\//);
    // Run the page's script against stand-ins for the browser globals and keep what it renders.
    let props: Record<string, any> = {};
    const globals = {
      location: { protocol: 'http:', host: '127.0.0.1:4000' },
      document: { getElementById: () => ({}) },
      GraphiQL: Object.assign(() => null, { createFetcher: (options: unknown) => ({ fetcherOptions: options }) }),
      GraphiQLPluginExplorer: { explorerPlugin: () => ({ title: 'Explorer' }) },
      React: { createElement: (_: unknown, p: Record<string, any>) => (props = p) },
      ReactDOM: { createRoot: () => ({ render: () => undefined }) },
    };
    const before = Date.now();
    runInNewContext(script, globals);
    expect(props.fetcher.fetcherOptions).toEqual({ url: '/graphql', subscriptionUrl: 'ws://127.0.0.1:4000/graphql' });
    expect(props.plugins).toEqual([{ title: 'Explorer' }]);
    expect(props.visiblePlugin).toBe(props.plugins[0]);
    const tabs = props.defaultTabs as Array<{ query: string }>;
    const operations = tabs.map((tab) => {
      const doc = parse(tab.query);
      const op = doc.definitions[0] as OperationDefinitionNode;
      return `${op.operation} ${op.name?.value}`;
    });
    expect(operations).toEqual(['query Dashboard', 'query Map', 'query WeekHourly', 'query Frame', 'subscription LiveValues']);
    const hour = 3_600_000;
    const end = new Date(Math.floor(before / hour) * hour).toISOString().replace('.000Z', 'Z');
    const windowOf = (query: string) => [...query.matchAll(/\b(from|to): "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    const ago = (hours: number) => new Date(Date.parse(end) - hours * hour).toISOString().replace('.000Z', 'Z');
    expect(windowOf(tabs[0]!.query)).toEqual([`from ${ago(24)}`, `to ${end}`]);
    expect(windowOf(tabs[2]!.query)).toEqual([`from ${ago(7 * 24)}`, `to ${end}`]);
    expect(windowOf(tabs[3]!.query)).toEqual([`from ${ago(6)}`, `to ${end}`]);
    // Sensors of the three upstreams, as the simulators serve them.
    const ids = new Set(tabs.flatMap((tab) => [...tab.query.matchAll(/"(\w+:sensor:\w+)"/g)].map((m) => m[1]!)));
    expect([...ids].map((id) => id.split(':')[0])).toEqual(expect.arrayContaining(['meetnet', 'flexmeasures', 'bemserver']));
    const found = await gql(app.url, `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [...ids] });
    expect(found.errors).toBeUndefined();
    expect(found.data!.nodes.map((n: { id: string }) => n.id)).toEqual([...ids]);
    // Each query tab runs as written, on data the simulators have for the window it names.
    // The subscription tab is valid against the schema the gateway serves (it runs in the browser test).
    const introspection = await gql(app.url, getIntrospectionQuery());
    const schema = buildClientSchema(introspection.data as unknown as IntrospectionQuery);
    expect(validate(schema, parse(tabs[4]!.query)).map((e) => e.message)).toEqual([]);
    const queries = tabs.filter((t) => /^query /m.test(t.query));
    expect(queries).toHaveLength(4);
    for (const tab of queries) {
      const res = await gql(app.url, tab.query);
      expect(res.errors, tab.query.match(/query (\w+)/)![1]).toBeUndefined();
      expect(res.raw).toMatch(/"values":\[[^\]]*\d|"totalCount":[1-9]/);
    }
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
