// Subscriptions over Server-Sent Events (the GraphQL over SSE protocol, graphql-sse) at
// /graphql/stream, after the same CORS, authentication and body limit as POST /graphql. Both of
// its modes: "distinct connections" (one POST or GET with `Accept: text/event-stream` per
// subscription, the stream its answer), and "single connection" (PUT reserves a stream and
// answers its token, GET with the token opens it, POSTs with the token start operations in it,
// DELETE stops one). A token is made here (random, 122 bits), belongs to the client that reserved
// it (another client's requests with it are refused as unknown), and a stream not opened within
// RESERVATION_TTL_MS is dropped with the operations started in it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type Response } from 'graphql-sse';
import type { Client } from '../access/identity.js';
import { ErrorCode } from '../shared/errors.js';
import { tooManySubscriptions, type SubscriptionGate } from './operation.js';

/** Where the SSE transport listens. */
export const LIVE_STREAM_PATH = '/graphql/stream';

/** How long a reserved stream (single-connection mode) waits to be opened. */
const RESERVATION_TTL_MS = 30_000;
/** Reserved streams not opened yet, all clients together: a client that only reserves fills no memory. */
const MAX_PENDING_RESERVATIONS = 1000;

interface Reservation {
  owner: string;
  /** Operations running in it. */
  operations: number;
  expiry: NodeJS.Timeout | null;
}

interface RequestFacts {
  client: Client | null;
  requestId: string;
  /** The stream token the request names (single-connection mode). */
  token: string | null;
  /** Counted among its stream's operations. */
  counted: boolean;
}

const ownerOf = (client: Client) => `${client.kind}:${client.name}`;

const json = (status: number, statusText: string, errors: readonly GraphQLFormattedError[]): Response => [
  JSON.stringify({ errors }),
  { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8' } },
];

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' };

/** Resolves true once `res` can take more, false if it closes first (a client that stopped reading). */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (more: boolean) => () => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(more);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain).once('close', onClose);
  });
}

export interface SseOptions {
  gate: SubscriptionGate;
  maxSubscriptionsPerConnection: number;
}

export interface SseTransport {
  /** Answers a request for LIVE_STREAM_PATH from a known client (`body`: a POST's, as read). */
  handle(req: IncomingMessage, res: ServerResponse, request: { client: Client; requestId: string; body: string | null }): Promise<void>;
  close(): Promise<void>;
}

export function graphqlSse(o: SseOptions): SseTransport {
  const reservations = new Map<string, Reservation>();
  let pending = 0;
  /** Ends each open stream. */
  const open = new Set<() => void>();
  let closing = false;

  const handler = createHandler<IncomingMessage | null, RequestFacts, Record<PropertyKey, unknown>>({
    // onSubscribe has validated the operation already.
    validate: () => [],
    authenticate(req) {
      const { client, token } = req.context;
      if (client === null) return token; // the gateway's own request, dropping a reservation
      if (req.method === 'PUT') {
        if (pending >= MAX_PENDING_RESERVATIONS) {
          return json(503, 'Service Unavailable', [
            { message: 'too many event streams are reserved and not opened yet: try again shortly, or use distinct connections' },
          ]);
        }
        const made = randomUUID();
        const reservation: Reservation = { owner: ownerOf(client), operations: 0, expiry: null };
        reservation.expiry = setTimeout(() => void drop(made), RESERVATION_TTL_MS).unref();
        reservations.set(made, reservation);
        pending++;
        return made;
      }
      if (token === null) return null; // distinct connections
      // Another client's token is as good as none: it names no stream of this client's.
      return reservations.get(token)?.owner === ownerOf(client)
        ? token
        : json(404, 'Not Found', [
            { message: 'no event stream of yours has this token: reserve one with PUT', extensions: { code: 'BAD_REQUEST' } },
          ]);
    },
    async onSubscribe(req, params) {
      const facts = req.context;
      const reservation = facts.token ? reservations.get(facts.token) : undefined;
      if (reservation) {
        if (reservation.operations >= o.maxSubscriptionsPerConnection) {
          return json(400, 'Bad Request', o.gate.formatErrors([tooManySubscriptions(o.maxSubscriptionsPerConnection)]));
        }
        reservation.operations++;
        facts.counted = true;
      }
      const prepared = await o.gate.prepare(facts.client!, facts.requestId, params);
      if (prepared.ok) return prepared.args as never; // graphql-sse types its context as a record
      if (reservation) reservation.operations--;
      facts.counted = false;
      return json(prepared.status, STATUS_TEXT[prepared.status] ?? 'Bad Request', o.gate.formatErrors(prepared.errors));
    },
    // graphql-sse types what goes out as holding GraphQLErrors; it only serialises it.
    onNext: (_ctx, _req, result) => o.gate.formatResult(result as ExecutionResult) as never,
    onComplete(_ctx, req) {
      const { token, counted } = req.context;
      const reservation = token && counted ? reservations.get(token) : undefined;
      if (reservation) reservation.operations--;
    },
  });

  const settle = (token: string) => {
    const reservation = reservations.get(token);
    if (reservation?.expiry) {
      clearTimeout(reservation.expiry);
      reservation.expiry = null;
      pending--;
    }
    return reservation;
  };

  /** Drops a reservation: graphql-sse ends a stream when it closes, so it is opened and closed here. */
  async function drop(token: string): Promise<void> {
    if (!settle(token)) return;
    reservations.delete(token);
    const [body] = await handler({
      method: 'GET',
      url: `${LIVE_STREAM_PATH}?${TOKEN_QUERY_KEY}=${token}`,
      headers: { get: (key) => (key === 'accept' ? 'text/event-stream' : null) },
      body: null,
      raw: null,
      context: { client: null, requestId: 'reservation-expiry', token, counted: false },
    });
    if (body && typeof body !== 'string') await body.return(undefined);
  }

  return {
    async handle(req, res, { client, requestId, body }) {
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      const header = req.headers[TOKEN_HEADER_KEY];
      const token = (typeof header === 'string' ? header : null) ?? url.searchParams.get(TOKEN_QUERY_KEY);
      // graphql-sse compares the Accept header as a whole.
      const wantsStream = /\btext\/event-stream\b/i.test(req.headers.accept ?? '');
      const problem = closing
        ? ([503, 'the gateway is shutting down'] as const)
        : !wantsStream && token === null && req.method !== 'PUT'
          ? ([
              406,
              `${LIVE_STREAM_PATH} streams subscriptions as Server-Sent Events: send Accept: text/event-stream (queries and mutations: POST /graphql)`,
            ] as const)
          : null;
      if (problem) {
        res.writeHead(problem[0], { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: problem[1], extensions: { code: ErrorCode.BAD_USER_INPUT } }] }));
        return;
      }
      const [answer, init] = await handler({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: {
          get: (key) => {
            if (key === 'accept') return wantsStream ? 'text/event-stream' : req.headers.accept;
            const value = req.headers[key];
            return Array.isArray(value) ? value.join(', ') : value;
          },
        },
        body,
        raw: req,
        context: { client, requestId, token, counted: false },
      });
      res.writeHead(init.status, init.statusText, init.headers);
      if (!answer || typeof answer === 'string') {
        res.end(answer ?? undefined);
        return;
      }
      // An event stream: sent as it comes, ended when the client leaves or the gateway stops.
      const streamToken = wantsStream && token !== null && settle(token) ? token : null;
      const end = () => void answer.return(undefined);
      open.add(end);
      res.once('close', end);
      try {
        for await (const chunk of answer) {
          if (res.destroyed || (!res.write(chunk) && !(await drained(res)))) break;
        }
      } finally {
        open.delete(end);
        res.off('close', end);
        if (streamToken) reservations.delete(streamToken);
        res.end();
      }
    },
    async close() {
      closing = true;
      for (const end of [...open]) end();
      await Promise.all([...reservations.keys()].map((token) => drop(token)));
    },
  };
}
