// GraphiQL, served by the gateway itself from the npm packages: no CDN, so it works offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { exampleTabs, FROM, TO } from './graphiql-examples.js';
import { PrecompressedBody } from './http/compress.js';

const require = createRequire(import.meta.url);
// The UMD builds are not in the packages' "exports": find them beside each package.json.
const packageFile = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

interface Asset {
  file: string;
  type: string;
  body?: PrecompressedBody;
}

const assets: Record<string, Asset> = {
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': {
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  // The explorer reads React and @graphiql/react from the GraphiQL global the build above sets.
  'plugin-explorer.css': { file: packageFile('@graphiql/plugin-explorer', 'dist/style.css'), type: 'text/css; charset=utf-8' },
  'plugin-explorer.umd.js': {
    file: packageFile('@graphiql/plugin-explorer', 'dist/index.umd.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/**
 * The page's own script. It writes the example windows when the page loads (they end at the
 * current hour) and subscribes over graphql-ws on the same host and path (GraphiQL's build bundles
 * the graphql-ws client); GraphiQL sends the Headers tab as the socket's connection parameters.
 */
function initScript(endpoint: string): string {
  return `(function () {
  var examples = ${JSON.stringify(exampleTabs)};
  var hour = 3600 * 1000;
  var end = Math.floor(Date.now() / hour) * hour;
  var iso = function (ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); };
  var tabs = examples.map(function (tab) {
    if (!tab.windowHours) return { query: tab.query };
    var from = iso(end - tab.windowHours * hour);
    return { query: tab.query.split(${JSON.stringify(FROM)}).join(from).split(${JSON.stringify(TO)}).join(iso(end)) };
  });
  var endpoint = ${JSON.stringify(endpoint)};
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint
  });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultTabs: tabs,
    plugins: [explorer],
    visiblePlugin: explorer,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
`;
}

/** A host[:port] as a Host header may name it (a name, IPv4 or [IPv6]): anything else is not echoed into the policy. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The page's Content-Security-Policy: everything from this server, and its subscriptions over a
 * WebSocket to this same host ('self' covers ws: only in browsers that follow CSP 3, so it is named).
 */
export function graphiqlCsp(host: string | undefined): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return `default-src 'self'; connect-src 'self'${sockets}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:`;
}

export function graphiqlHtml(): string {
  const p = GRAPHIQL_ASSET_PREFIX;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Monitoring-data GraphQL gateway</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="${p}graphiql.min.css" />
  <link rel="stylesheet" href="${p}plugin-explorer.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${p}react.production.min.js"></script>
  <script src="${p}react-dom.production.min.js"></script>
  <script src="${p}graphiql.min.js"></script>
  <script src="${p}plugin-explorer.umd.js"></script>
  <script src="${p}init.js"></script>
</body>
</html>
`;
}

const initScripts = new Map<string, PrecompressedBody>();

/** The asset at `name` (below the prefix), or null. Files are read (and compressed) once and kept. */
export function graphiqlAsset(name: string, endpoint: string): { type: string; body: PrecompressedBody } | null {
  if (name === 'init.js') {
    let body = initScripts.get(endpoint);
    if (!body) initScripts.set(endpoint, (body = new PrecompressedBody(initScript(endpoint))));
    return { type: 'text/javascript; charset=utf-8', body };
  }
  const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
  if (!asset) return null;
  asset.body ??= new PrecompressedBody(readFileSync(asset.file));
  return { type: asset.type, body: asset.body };
}
