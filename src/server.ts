// createGateway(deps): the Apollo Server, the HTTP handler around it (GraphQL over HTTP, GraphiQL,
// health), and nothing that reads the environment or listens by itself.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import type { Config } from './config.js';
import { createContext, type GatewayContext } from './context.js';
import { formatError, redactError } from './schema/errors.js';
import { GRAPHIQL_ASSET_PREFIX, graphiqlAsset, graphiqlHtml } from './graphiql.js';
import type { Logger, SecretRegistry } from './logger.js';
import { operationSharing } from './operation-sharing.js';
import { buildGatewaySchema } from './schema/build-schema.js';
import { jitGateway } from './schema/jit.js';
import type { UpstreamModule } from './upstreams/module.js';
import type { UpstreamRegistry } from './upstreams/registry.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayDeps {
  config: Readonly<Config>;
  registry: UpstreamRegistry;
  /** The modules the registry's upstreams come from: they make the schema. */
  modules: readonly UpstreamModule[];
  logger: Logger;
  /** Every secret the process knows: never in an error sent to a client, whatever an upstream echoed. */
  secrets: SecretRegistry;
}

export interface Gateway {
  apollo: ApolloServer<GatewayContext>;
  server: http.Server;
  /** Listens on `port` (0: any free port) and resolves the GraphQL URL. */
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Adds the errors of partial answers (an upstream left out of a list over all) to the response. */
function partialErrorsPlugin(secrets: SecretRegistry): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue.partialErrors.length === 0 || response.body.kind !== 'single') return;
          const extra: GraphQLFormattedError[] = contextValue.partialErrors.map((e) =>
            redactError({ message: e.message, ...(e.path ? { path: e.path } : {}), extensions: e.extensions }, secrets),
          );
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...extra];
        },
      };
    },
  };
}

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger } = deps;
  const schema = buildGatewaySchema(deps.modules);
  const sharing = config.operationDeduplication ? operationSharing() : null;
  const apollo = new ApolloServer<GatewayContext>({
    // Precompiled execution (graphql-jit) unless GRAPHQL_JIT=off; graphql-js otherwise.
    ...(config.graphqlJit ? { gateway: jitGateway(schema) } : { schema }),
    introspection: true,
    // The process's signals are src/main.ts's: it drains the HTTP server, then stops Apollo. Apollo's
    // own handler (on outside NODE_ENV=test) would stop it first and signal the process again.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // Browsers cannot send cross-site GET queries with credentials here (there are none), but keep
    // Apollo's CSRF guard: it only asks non-browser clients for a JSON content type or a header.
    csrfPrevention: true,
    formatError: (formatted, error) =>
      redactError(
        formatError(formatted, error, (err) => logger.error('internal error while resolving', { error: err })),
        deps.secrets,
      ),
    // Cache control is off: the gateway sets no cache hints, and the plugin wraps every field's
    // resolver (each point's `time` and `value` included) to watch for them, which also keeps
    // graphql-jit from reading plain properties directly.
    // Sharing last: the answer it hands on already holds the partial errors.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      partialErrorsPlugin(deps.secrets),
      ...(sharing ? [sharing.plugin] : []),
    ],
    ...(sharing ? { stringifyResult: sharing.stringify } : {}),
  });
  await apollo.start();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('request failed outside GraphQL', { error: err });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path.startsWith(GRAPHIQL_ASSET_PREFIX) && req.method === 'GET') {
      const asset = graphiqlAsset(path.slice(GRAPHIQL_ASSET_PREFIX.length), GRAPHQL_PATH);
      if (!asset) {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' }).end(asset.body);
      return;
    }
    if (path !== GRAPHQL_PATH && path !== `${GRAPHQL_PATH}/`) {
      sendJson(res, 404, { error: `not found: the GraphQL endpoint is ${GRAPHQL_PATH}` });
      return;
    }
    if (req.method === 'GET' && url.search === '' && prefersHtml(req)) {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          // Everything GraphiQL needs comes from this server.
          'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
        })
        .end(graphiqlHtml());
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res
        .writeHead(405, { allow: 'GET, POST', 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: `${req.method} is not supported: use GET or POST` }] }));
      return;
    }

    const raw = req.method === 'POST' ? await readBody(req, config.maxBodyBytes) : '';
    if (raw === null) {
      sendJson(res, 413, { errors: [{ message: `request body larger than ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)` }] });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const type = headers.get('content-type') ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(type) || /\+json\b/i.test(type)) {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
      } else {
        body = raw;
      }
    }

    const requestId = sanitizeRequestId(req.headers['x-request-id']);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => createContext(deps, requestId),
    });
    const out: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of result.headers) out[k] = v;
    res.statusCode = result.status ?? 200;
    for (const [k, v] of Object.entries(out)) res.setHeader(k, v);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  return {
    apollo,
    server,
    listen(port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
          resolve(`http://${shownHost}:${address.port}${GRAPHQL_PATH}`);
        });
      });
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}

function prefersHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

function sanitizeRequestId(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^[\w.-]{1,64}$/.test(v) ? v : randomUUID();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The body as text, or null when it is larger than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
