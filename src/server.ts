// createGateway(deps): the Apollo Server and the HTTP handler around it (GraphQL over HTTP,
// GraphiQL, health), and nothing that reads the environment or listens by itself. In order, a
// request meets: CORS (preflight answered), the routes, the method and content type, the client's
// credentials, the body limit, then Apollo (scopes and limits checked before anything runs).
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import cors from 'cors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { Unauthenticated, VerifierUnavailable, type Authenticator, type Client } from './access/identity.js';
import type { Config } from './config.js';
import { createContext, type GatewayContext } from './context.js';
import { GRAPHIQL_ASSET_PREFIX, graphiqlAsset, graphiqlCsp, graphiqlHtml } from './graphiql.js';
import { FRAME_PATHS, FrameParameterError, frameDownload, frameOperation } from './http/frame-route.js';
import { readBody, UploadAborted } from './http/body.js';
import { endCompressed } from './http/compress.js';
import { RequestsInFlight } from './http/lifetime.js';
import type { Readiness } from './health.js';
import type { LiveHub } from './live/hub.js';
import { LIVE_STREAM_PATH, liveTransports } from './live/transports.js';
import type { GatewayMetrics } from './metrics.js';
import type { Logger, SecretRegistry } from './logger.js';
import { operationSharing } from './operation-sharing.js';
import { buildGatewaySchema } from './schema/build-schema.js';
import { buildGatewaySubgraph } from './schema/subgraph.js';
import { formatError, redactError } from './schema/errors.js';
import { admissionPlugin, PointsGate } from './schema/admission.js';
import { operationGuardPlugin } from './schema/guard.js';
import { jitGateway } from './schema/jit.js';
import { trace } from '@opentelemetry/api';
import { RequestAbandoned } from './shared/abandoned.js';
import { inSpan, tracingEnabled } from './shared/tracing.js';
import { ErrorCode } from './shared/errors.js';
import type { UpstreamModule } from './upstreams/module.js';
import type { UpstreamObserver } from './upstreams/observer.js';
import type { UpstreamRegistry } from './upstreams/registry.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayDeps {
  config: Readonly<Config>;
  registry: UpstreamRegistry;
  /** The modules the registry's upstreams come from: they make the schema. */
  modules: readonly UpstreamModule[];
  /** Who is calling: API keys, JWTs, or anonymous reads. */
  authenticator: Authenticator;
  logger: Logger;
  /** Every secret the process knows: never in an error sent to a client, whatever an upstream echoed. */
  secrets: SecretRegistry;
  /** What `/readyz` answers (none: ready while the process runs). */
  readiness?: () => Promise<Readiness>;
  /** Counted requests; `/metrics` here unless METRICS_PORT serves it elsewhere. */
  metrics?: GatewayMetrics | null;
  /** Told of each loader's batch (metrics). */
  observer?: UpstreamObserver;
  /** Where automatic persisted queries live (Redis, for every replica); Apollo's in-memory cache when absent. */
  persistedQueryCache?: KeyValueCache<string>;
  /** Live values for subscriptions (graphql-ws at GRAPHQL_PATH, SSE at /graphql/stream); none: no subscriptions are served. */
  live?: LiveHub;
}

export interface Gateway {
  apollo: ApolloServer<GatewayContext>;
  server: http.Server;
  /** Listens on `port` (0: any free port) and resolves the GraphQL URL. */
  listen(port: number, host?: string): Promise<string>;
  /**
   * Stops accepting connections, lets the requests in flight finish for up to `graceMs`, then
   * ends their work (they answer what they have) and closes every connection.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Adds the errors of partial answers (an upstream left out of a list over all) to the response,
 * and `extensions.staleCatalogues` where a catalogue was served stale while its upstream fails.
 */
function partialErrorsPlugin(secrets: SecretRegistry): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          if (contextValue.staleCatalogues.size > 0) {
            const result = response.body.singleResult;
            result.extensions = {
              ...result.extensions,
              staleCatalogues: [...contextValue.staleCatalogues].map(([upstream, since]) => ({
                upstream,
                failingSince: new Date(since).toISOString(),
              })),
            };
          }
          if (contextValue.partialErrors.length === 0) return;
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

/** Names the request's span after its operation once it is known (`query Dashboard`). */
function operationSpanPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      if (!tracingEnabled()) return {};
      return {
        async didResolveOperation({ operation, operationName }) {
          const span = trace.getActiveSpan();
          if (!span || !operation) return;
          span.updateName(`${operation.operation} ${operationName ?? 'anonymous'}`);
          span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': operationName ?? '' });
        },
      };
    },
  };
}

/** The request headers a browser page may send (CORS), besides the safelisted ones. */
const CORS_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  // GraphQL over SSE's single-connection mode names its stream with it.
  'x-graphql-event-stream-token',
];

/** GraphQL over HTTP bodies are JSON: anything else (a form, text/plain) is what a cross-site page can send without asking. */
const JSON_BODY = /^application\/(?:graphql-response\+)?json\s*(?:;|$)/i;

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, logger } = deps;
  const schema = config.federation ? buildGatewaySubgraph(deps.modules) : buildGatewaySchema(deps.modules);
  const sharing = config.operationDeduplication ? operationSharing() : null;
  // Queries and each subscription event reserve their points in the same gate.
  const pointsGate = new PointsGate(config.maxPointsInFlight);
  const formatGraphQLError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const out = redactError(
      formatError(formatted, error, (err) => logger.error('internal error while resolving', { error: err })),
      deps.secrets,
    );
    // Apollo hides suggestions in validation errors only; variables that do not coerce ("Did you
    // mean the enum value BEMSERVER?") would still name enum values and input fields.
    return config.fieldSuggestions ? out : { ...out, message: withoutSuggestions(out.message) };
  };
  const apollo = new ApolloServer<GatewayContext>({
    // Precompiled execution (graphql-jit) unless GRAPHQL_JIT=off; graphql-js otherwise.
    ...(config.graphqlJit ? { gateway: jitGateway(schema) } : { schema }),
    introspection: config.introspection,
    // "Did you mean …?" names fields a client did not know of: off when the gateway is not open.
    hideSchemaDetailsFromClientErrors: !config.fieldSuggestions,
    // The process's signals are src/main.ts's: it drains the HTTP server, then stops Apollo. Apollo's
    // own handler (on outside NODE_ENV=test) would stop it first and signal the process again.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // Automatic persisted queries (PERSISTED_QUERIES): a hash found stands for its query, which then
    // meets the same guard and limits as any other; an unknown one is PERSISTED_QUERY_NOT_FOUND.
    persistedQueries: config.persistedQueries
      ? { ttl: config.persistedQueryTtlS, ...(deps.persistedQueryCache ? { cache: deps.persistedQueryCache } : {}) }
      : false,
    // Apollo's guard refuses GET queries without a special header, which urql and graphql-request
    // do not send. The handler below keeps what it protects: a POST must be JSON (a cross-site
    // page cannot send that without a CORS preflight) and a GET runs queries only (Apollo refuses
    // mutations over GET); credentials travel in headers, never cookies, so a cross-site GET
    // carries none and its answer is not readable without CORS allowing the origin.
    csrfPrevention: false,
    formatError: formatGraphQLError,
    // Cache control is off: the gateway sets no cache hints, and the plugin wraps every field's
    // resolver (each point's `time` and `value` included) to watch for them, which also keeps
    // graphql-jit from reading plain properties directly.
    // Sharing last: the answer it hands on already holds the partial errors.
    plugins: [
      ...(deps.metrics ? [deps.metrics.plugin()] : []),
      operationSpanPlugin(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // A subgraph would otherwise trace every field when a federation gateway asks (ftv1) for the
      // gateway's usage reports, and say so on stdout at start: nothing here reports usage.
      ApolloServerPluginInlineTraceDisabled(),
      operationGuardPlugin(schema, config),
      partialErrorsPlugin(deps.secrets),
      ...(sharing ? [sharing.plugin] : []),
      // After sharing: a request answered by another's execution reserves nothing.
      admissionPlugin(pointsGate),
    ],
    ...(sharing ? { stringifyResult: sharing.stringify } : {}),
  });
  await apollo.start();

  const inFlight = new RequestsInFlight();
  let stopping = false;
  const allowCors = config.corsOrigins
    ? cors({
        origin: config.corsOrigins === '*' ? '*' : config.corsOrigins.split(',').map((o) => o.trim().replace(/\/+$/, '')),
        // PUT and DELETE: GraphQL over SSE's single-connection mode reserves and stops streams with them.
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: CORS_HEADERS,
        exposedHeaders: ['x-request-id'],
        maxAge: 600,
      })
    : null;
  const live = deps.live
    ? liveTransports({
        schema,
        config,
        authenticator: deps.authenticator,
        hub: deps.live,
        pointsGate,
        contextBase: deps,
        format: (error: GraphQLError) => formatGraphQLError(error.toJSON(), error),
        logger,
        path: GRAPHQL_PATH,
      })
    : null;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    // Once stopping, every answer closes its connection: keep-alive would hold the process open.
    if (stopping) res.setHeader('connection', 'close');
    // The caller's request id, else its trace's, else one of ours: on every answer (refusals before
    // GraphQL too), on the request's log lines and on those of its upstream calls.
    const requestId = sanitizeRequestId(req.headers['x-request-id']) ?? traceIdOf(req.headers.traceparent) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const next = () => {
      handle(req, res, requestId).catch((err: unknown) => {
        if (err instanceof UploadAborted) {
          logger.debug('client went away while sending its request', { path: req.url, requestId });
          return;
        }
        logger.error('request failed outside GraphQL', { error: err, requestId });
        if (!res.headersSent)
          sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
        else res.destroy();
      });
    };
    // The middleware takes Express's request types; Node's own are what it reads and writes.
    if (allowCors) allowCors(req as never, res as never, next);
    else if (req.method === 'OPTIONS') res.writeHead(204, { allow: 'GET, POST, OPTIONS' }).end();
    else next();
  };

  /** The client of a request; null when it was refused (401, or 503 while tokens cannot be verified). */
  async function authenticated(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Client | null> {
    try {
      return await deps.authenticator.authenticate(req.headers);
    } catch (err) {
      if (err instanceof Unauthenticated) {
        res.setHeader('www-authenticate', 'Bearer realm="monitoring-gateway"');
        sendJson(res, 401, { errors: [{ message: err.message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
        return null;
      }
      if (err instanceof VerifierUnavailable) {
        logger.warn('cannot verify tokens: the JWKS did not answer', { error: err.cause, requestId });
        res.setHeader('retry-after', '5');
        sendJson(res, 503, {
          errors: [{ message: err.message, extensions: { code: ErrorCode.UNAUTHENTICATED, reason: 'JWKS_UNAVAILABLE' } }],
        });
        return null;
      }
      throw err;
    }
  }

  /** The body of a POST as text; undefined when it is over MAX_BODY_BYTES (413 answered). */
  async function bodyWithin(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    const read = await readBody(req, config.maxBodyBytes);
    if (read.kind === 'read') return read.text;
    // The rest of the body is not read: the connection closes after this answer.
    res.setHeader('connection', 'close');
    sendJson(res, 413, {
      errors: [
        {
          message: `request body larger than ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`,
          extensions: { code: ErrorCode.LIMIT_EXCEEDED, limit: 'MAX_BODY_BYTES', allowed: config.maxBodyBytes },
        },
      ],
    });
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    if (path === '/healthz') {
      // Alive: the event loop answers. A load balancer stops sending new requests here once the
      // gateway is shutting down.
      sendJson(res, stopping ? 503 : 200, { status: stopping ? 'stopping' : 'ok' });
      return;
    }
    if (path === '/metrics' && deps.metrics && config.metricsPort === 0 && req.method === 'GET') {
      await deps.metrics.serve(req, res, config.metricsToken);
      return;
    }
    if (path === '/readyz') {
      if (stopping) {
        sendJson(res, 503, { status: 'unavailable', failing: ['the gateway is shutting down'] });
        return;
      }
      const ready = deps.readiness ? await deps.readiness() : null;
      sendJson(res, ready?.status === 'unavailable' ? 503 : 200, ready ?? { status: 'ready', failing: [] });
      return;
    }
    if (config.graphiql && path.startsWith(GRAPHIQL_ASSET_PREFIX) && req.method === 'GET') {
      const asset = graphiqlAsset(path.slice(GRAPHIQL_ASSET_PREFIX.length), GRAPHQL_PATH);
      if (!asset) {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      res.setHeader('content-type', asset.type);
      res.setHeader('cache-control', 'public, max-age=3600');
      await asset.body.send(req, res);
      return;
    }
    if (live && path === LIVE_STREAM_PATH) {
      const client = await authenticated(req, res, requestId);
      const body = client && req.method === 'POST' ? await bodyWithin(req, res) : null;
      if (client && body !== undefined) await live.stream(req, res, { client, requestId, body });
      return;
    }
    // A frame as a file: the frame query, its arguments in the URL (GET, as any download). HEAD is
    // GET without the body (RFC 9110, section 9.3.2): the same checks, status and headers, so it runs the
    // query too; Node leaves out the body of an answer to HEAD.
    const download = Object.hasOwn(FRAME_PATHS, path) ? FRAME_PATHS[path] : undefined;
    if (!download && path !== GRAPHQL_PATH && path !== `${GRAPHQL_PATH}/`) {
      sendJson(res, 404, { error: `not found: the GraphQL endpoint is ${GRAPHQL_PATH}` });
      return;
    }
    if (!download && config.graphiql && req.method === 'GET' && url.search === '' && prefersHtml(req)) {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          // Everything GraphiQL needs comes from this server.
          'content-security-policy': graphiqlCsp(req.headers.host),
        })
        .end(graphiqlHtml());
      return;
    }
    // Downloads are GET (and HEAD), the GraphQL endpoint GET and POST: one refusal for both, in the
    // shape of every other error answer.
    const methods = download ? ['GET', 'HEAD'] : ['GET', 'POST'];
    if (!methods.includes(req.method ?? '')) {
      res.writeHead(405, { allow: methods.join(', '), 'content-type': 'application/json' }).end(
        JSON.stringify({
          errors: [{ message: `${req.method} is not supported: use ${methods.join(' or ')}`, extensions: { code: 'BAD_REQUEST' } }],
        }),
      );
      return;
    }
    if (req.method === 'POST' && !JSON_BODY.test(req.headers['content-type'] ?? '')) {
      sendJson(res, 415, {
        errors: [{ message: 'send the GraphQL request as JSON (content-type: application/json)', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }

    const client = await authenticated(req, res, requestId);
    if (!client) return;

    let body: unknown = undefined;
    if (download) {
      try {
        body = frameOperation(url.searchParams);
      } catch (err) {
        if (!(err instanceof FrameParameterError)) throw err;
        sendJson(res, 400, { errors: [{ message: err.message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
        return;
      }
    } else if (req.method === 'POST') {
      const text = await bodyWithin(req, res);
      if (text === undefined) return;
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }

    const lifetime = inFlight.begin(res, config.requestDeadlineMs, requestId);
    // A download runs its operation as a JSON POST would (nothing else gets this far).
    const method = req.method === 'POST' || download ? 'POST' : 'GET';
    if (download) headers.set('content-type', 'application/json');
    // One span per request, continuing the caller's trace; the plugin below names it after its operation.
    const result = await inSpan(
      'GraphQL request',
      'server',
      { 'http.request.method': method, 'gateway.request_id': requestId },
      async (span) => {
        const answer = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method, headers, search: download ? '' : url.search, body },
          context: async () => createContext(deps, { requestId, client, lifetime }),
        });
        span?.setAttribute('http.response.status_code', answer.status ?? 200);
        return answer;
      },
      req.headers,
    );
    if (res.destroyed) return; // the client left; its work was abandoned
    res.statusCode = result.status ?? 200;
    for (const [k, v] of result.headers) res.setHeader(k, v);
    if (download && result.body.kind === 'complete') {
      const file = frameDownload(download, res.statusCode, result.body.string);
      res.statusCode = file.status;
      res.setHeader('content-type', file.contentType);
      if (file.filename) res.setHeader('content-disposition', `attachment; filename="${file.filename}"`);
      await endCompressed(req, res, file.body);
    } else if (result.body.kind === 'complete') {
      await endCompressed(req, res, result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  const server = http.createServer(
    {
      // Silent or trickling clients are cut off: no headers after headersTimeout, no whole request
      // after requestTimeout, an idle kept-alive socket after keepAliveTimeout. Node checks these
      // every connectionsCheckingInterval (30 s by default), too seldom for a 10 s limit.
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      keepAliveTimeout: config.httpIdleTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.httpHeadersTimeoutMs),
    },
    handler,
  );
  // WebSockets (graphql-ws) on the GraphQL path; any other upgrade is refused.
  server.on('upgrade', (req, socket, head) => {
    if (live && !stopping) return live.upgrade(req, socket, head);
    const status = stopping ? '503 Service Unavailable' : '404 Not Found';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // A socket that broke or timed out is the client's business; a malformed request gets a 400.
    logger.debug('client connection error', { code: err.code });
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.writable) socket.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n\r\n');
    else if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  let stopped: Promise<void> | null = null;
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
    stop(graceMs = config.shutdownGraceMs) {
      stopped ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Subscriptions never finish by themselves: they end now, their connections with them.
        await live?.close();
        await inFlight.settled(graceMs);
        if (inFlight.size > 0) {
          logger.warn('shutdown grace period over: ending the requests still in flight', { requests: inFlight.size, graceMs });
          inFlight.abortAll(new RequestAbandoned('shutdown'));
          // Their upstream calls fail at once; give them a moment to send what they have.
          await inFlight.settled(2000);
        }
        server.closeAllConnections();
        await closed;
        await apollo.stop();
      })();
      return stopped;
    },
  };
}

function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

function prefersHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

function sanitizeRequestId(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^[\w.-]{1,64}$/.test(v) ? v : null;
}

/** The trace id of a W3C `traceparent` header (version-traceid-parentid-flags), if it is one. */
function traceIdOf(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(v.trim()) : null;
  return m && !/^0+$/.test(m[1]!) ? m[1]! : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Its length said outright: Node adds it from the body, which an answer to HEAD does not have.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}
