// Subscriptions over WebSocket (the graphql-ws protocol, `graphql-transport-ws`) on the GraphQL
// port and path. The client is authenticated when it says hello (connection_init) with what its
// connectionParams carry (`authorization` or `x-api-key`, as the HTTP headers are named; browsers
// cannot set headers on a WebSocket), else with the upgrade request's own headers. A page of an
// origin CORS_ORIGINS does not allow is refused at the upgrade, as a fetch from it would be.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Unauthenticated, VerifierUnavailable, type Authenticator, type Client } from '../access/identity.js';
import type { Logger } from '../logger.js';
import { internalError, tooManySubscriptions, type SubscriptionGate } from './operation.js';

/** How long clients get to close their WebSocket when the gateway stops, before it is cut. */
const CLOSE_WAIT_MS = 1000;
/** The WebSocket close code of a verifier that cannot check tokens now: the client may try again. */
const TRY_AGAIN_LATER = 1013;

export interface WsOptions {
  gate: SubscriptionGate;
  authenticator: Authenticator;
  logger: Logger;
  maxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  /** Whether a page of this origin may connect (CORS_ORIGINS). */
  allowOrigin(origin: string | undefined, host: string | undefined): boolean;
}

/** The credentials of a connection: those its connectionParams carry, else its upgrade request's. */
function credentials(params: Readonly<Record<string, unknown>> | undefined, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const fromParams: IncomingHttpHeaders = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    const name = key.toLowerCase();
    if ((name === 'authorization' || name === 'x-api-key') && typeof value === 'string') fromParams[name] = value;
  }
  if (Object.keys(fromParams).length > 0) return fromParams;
  return { authorization: headers.authorization, 'x-api-key': headers['x-api-key'] };
}

export interface WsTransport {
  /** Takes the upgrade of a request for the GraphQL path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export function graphqlWs(o: WsOptions): WsTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayloadBytes });
  let closing = false;
  useServer<Record<string, unknown>, { client: Client; connectionId: string }>(
    {
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        try {
          ctx.extra.client = await o.authenticator.authenticate(credentials(ctx.connectionParams, request.headers));
          ctx.extra.connectionId = randomUUID();
          return true;
        } catch (err) {
          if (err instanceof Unauthenticated) socket.close(CloseCode.Forbidden, err.message);
          else if (err instanceof VerifierUnavailable) {
            o.logger.warn('cannot verify tokens: the JWKS did not answer', { error: err.cause });
            socket.close(TRY_AGAIN_LATER, err.message);
          } else {
            o.logger.error('authenticating a WebSocket failed', { error: err });
            socket.close(CloseCode.InternalServerError, 'internal error');
          }
          return false; // graphql-ws closes the socket too: the first close is the one sent
        }
      },
      // Never throws: graphql-ws would close the whole connection for this one subscription.
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > o.maxSubscriptionsPerConnection)
          return [tooManySubscriptions(o.maxSubscriptionsPerConnection)];
        try {
          const prepared = await o.gate.prepare(ctx.extra.client!, `${ctx.extra.connectionId}:${id}`, payload);
          return prepared.ok ? prepared.args : prepared.errors;
        } catch (err) {
          o.logger.error('preparing a subscription failed', { error: err });
          return [internalError()];
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => o.gate.formatResult(result),
      onError: (_ctx, _id, _payload, errors) => o.gate.formatErrors(errors),
    },
    wss,
  );

  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
  };

  return {
    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy()); // a client that breaks off its handshake is its business
      if (closing) return refuse(socket, '503 Service Unavailable');
      if (!o.allowOrigin(req.headers.origin, req.headers.host)) return refuse(socket, '403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close() {
      closing = true;
      const clients = [...wss.clients];
      for (const ws of clients) ws.close(1001, 'the gateway is shutting down');
      const closed = Promise.all(clients.map((ws) => (ws.readyState === ws.CLOSED ? undefined : once(ws, 'close'))));
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
