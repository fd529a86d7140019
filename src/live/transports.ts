// The two ways subscriptions reach clients, as the HTTP server sees them: the WebSocket upgrade of
// the GraphQL path (graphql-ws) and the event streams of LIVE_STREAM_PATH (graphql-sse). Both run
// operations through one gate (operation.ts) and close every subscription when the gateway stops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import type { Authenticator, Client } from '../access/identity.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { LiveHub } from './hub.js';
import { SubscriptionGate, type FormatError, type GateOptions } from './operation.js';
import { graphqlSse } from './sse.js';
import { graphqlWs } from './ws.js';

export { LIVE_STREAM_PATH } from './sse.js';

export interface LiveTransports {
  /** An upgrade request to the HTTP server (only the GraphQL path's are taken). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** A request for LIVE_STREAM_PATH from a known client (`body`: a POST's, as read). */
  stream(req: IncomingMessage, res: ServerResponse, request: { client: Client; requestId: string; body: string | null }): Promise<void>;
  /** Ends every subscription and closes every WebSocket and event stream. */
  close(): Promise<void>;
}

export interface LiveTransportOptions {
  schema: GraphQLSchema;
  config: Readonly<Config>;
  authenticator: Authenticator;
  hub: LiveHub;
  pointsGate: GateOptions['pointsGate'];
  contextBase: GateOptions['contextBase'];
  format: FormatError;
  logger: Logger;
  /** The GraphQL path, where WebSockets connect. */
  path: string;
}

/** Whether a page of `origin` may connect: no origin (not a browser), its own, or one CORS_ORIGINS lists. */
function originAllowed(corsOrigins: string | null): (origin: string | undefined, host: string | undefined) => boolean {
  const listed = corsOrigins && corsOrigins !== '*' ? new Set(corsOrigins.split(',').map((o) => o.trim().replace(/\/+$/, ''))) : null;
  return (origin, host) => {
    if (!origin || corsOrigins === '*' || listed?.has(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  };
}

export function liveTransports(o: LiveTransportOptions): LiveTransports {
  const gate = new SubscriptionGate({
    schema: o.schema,
    limits: o.config,
    contextBase: o.contextBase,
    hub: o.hub,
    pointsGate: o.pointsGate,
    format: o.format,
  });
  const ws = graphqlWs({
    gate,
    authenticator: o.authenticator,
    logger: o.logger,
    maxPayloadBytes: o.config.maxBodyBytes,
    maxSubscriptionsPerConnection: o.config.liveMaxSubscriptionsPerConnection,
    allowOrigin: originAllowed(o.config.corsOrigins),
  });
  const sse = graphqlSse({ gate, maxSubscriptionsPerConnection: o.config.liveMaxSubscriptionsPerConnection });
  return {
    upgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
      if (path === o.path || path === `${o.path}/`) ws.upgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy());
    },
    stream: (req, res, request) => sse.handle(req, res, request),
    async close() {
      await Promise.all([ws.close(), sse.close()]);
    },
  };
}
