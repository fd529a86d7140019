// `npm run dashboard`: serves the example dashboard (examples/dashboard) on a port of its own, so
// that it calls the gateway from another origin as any real dashboard does (the gateway's
// CORS_ORIGINS must name this one). DASHBOARD_PORT (4001) and DASHBOARD_HOST (127.0.0.1) say where
// it listens, GATEWAY_URL (http://localhost:4000/graphql) which gateway the page calls; the page's
// `?gateway=` overrides that. It serves a fixed list of files: the page, its script, and the
// browser builds of uPlot and the graphql-ws client from node_modules (nothing from a CDN).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const packageDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
const pageDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'dashboard');

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** URL path → file. The graphql-ws client is an ES module that imports a chunk beside it: both are listed. */
function servedFiles(): Map<string, string> {
  const uplot = join(packageDir('uplot'), 'dist');
  const graphqlWs = join(packageDir('graphql-ws'), 'dist');
  const files = new Map([
    ['/dashboard.js', join(pageDir, 'dashboard.js')],
    ['/vendor/uplot/uPlot.esm.js', join(uplot, 'uPlot.esm.js')],
    ['/vendor/uplot/uPlot.min.css', join(uplot, 'uPlot.min.css')],
    ['/vendor/graphql-ws/client.js', join(graphqlWs, 'client.js')],
  ]);
  for (const [, chunk] of readFileSync(join(graphqlWs, 'client.js'), 'utf8').matchAll(/from '\.\/([\w.-]+\.js)'/g))
    files.set(`/vendor/graphql-ws/${chunk}`, join(graphqlWs, chunk!));
  return files;
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** http(s)://host[:port] of a URL, or null when it is not an http(s) URL. */
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The page may run its own script and the two libraries, and talk to the one gateway it calls
 * (GraphQL over HTTP and its WebSocket): `?gateway=` when it names one, else GATEWAY_URL.
 */
function contentSecurityPolicy(gateway: string): string {
  const origin = originOf(gateway);
  const sockets = origin ? ` ${origin} ${origin.replace(/^http/, 'ws')}` : '';
  return `default-src 'self'; connect-src 'self'${sockets}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`;
}

export interface DashboardServer {
  /** Where the page is, e.g. http://127.0.0.1:4001/ */
  url: string;
  close(): Promise<void>;
}

/** Serves the dashboard on `port` (0: any free port); the page calls `gatewayUrl` unless `?gateway=` says otherwise. */
export async function startDashboard(options: { port: number; host: string; gatewayUrl: string }): Promise<DashboardServer> {
  const files = servedFiles();
  const page = readFileSync(join(pageDir, 'index.html'), 'utf8').replace(
    /<meta name="gateway" content="[^"]*"/,
    `<meta name="gateway" content="${escapeAttribute(options.gatewayUrl)}"`,
  );
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const gateway = url.searchParams.get('gateway') ?? options.gatewayUrl;
      res.writeHead(200, {
        'content-type': TYPES.html,
        'cache-control': 'no-cache',
        'content-security-policy': contentSecurityPolicy(gateway),
      });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    const file = files.get(url.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${url.pathname}\n`);
      return;
    }
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    // Read at each request: an edit of the page's script shows at the next reload.
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.DASHBOARD_PORT ?? 4001);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`DASHBOARD_PORT must be a port number (0 to 65535); got "${process.env.DASHBOARD_PORT}"\n`);
    process.exit(2);
  }
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://localhost:4000/graphql';
  if (!originOf(gatewayUrl)) {
    process.stderr.write(`GATEWAY_URL must be an http(s) URL such as http://localhost:4000/graphql; got "${gatewayUrl}"\n`);
    process.exit(2);
  }
  const host = process.env.DASHBOARD_HOST ?? '127.0.0.1';
  startDashboard({ port, host, gatewayUrl }).then(
    (dashboard) => {
      const shown = dashboard.url.replace('//127.0.0.1:', '//localhost:');
      process.stdout.write(
        `Example dashboard: ${shown} (calls ${gatewayUrl})\n` +
          `The gateway must allow this origin: CORS_ORIGINS=${shown.replace(/\/$/, '')} npm start\n`,
      );
    },
    (err: NodeJS.ErrnoException) => {
      process.stderr.write(
        `cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'it is in use; set DASHBOARD_PORT' : err.message}\n`,
      );
      process.exit(1);
    },
  );
}
