// GraphiQL, served by the gateway itself from the npm packages: no CDN, so it works offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
};

export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

const defaultQuery = `# Welcome to the monitoring-data gateway. Press the play button (Ctrl-Enter) to run.
query Dashboard {
  upstreams { name reachable apiVersion simulated }
  sensor(id: "meetnet:sensor:MP7WVC") {
    name
    unit
    location { name position { latitude longitude } }
    latest { time value }
  }
}
`;

function initScript(endpoint: string): string {
  return `(function () {
  var fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(defaultQuery)},
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
`;
}

export function graphiqlHtml(): string {
  const p = GRAPHIQL_ASSET_PREFIX;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Monitoring-data GraphQL gateway</title>
  <link rel="stylesheet" href="${p}graphiql.min.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${p}react.production.min.js"></script>
  <script src="${p}react-dom.production.min.js"></script>
  <script src="${p}graphiql.min.js"></script>
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
