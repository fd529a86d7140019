// Subscription clients as a dashboard would use them: graphql-ws over `ws`, and graphql-sse (in
// either of its modes), each sending the tests' keys, and the events they receive.
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { print } from 'graphql';
import { LiveValuesDocument, type LiveValuesSubscription } from '../generated/graphql.js';
import { KEYS } from './access.js';

/** test/operations/live-values.graphql, as the clients send it. */
export const LATEST_VALUES = print(LiveValuesDocument);

export type LatestValueEvent = LiveValuesSubscription['latestValues'];

export interface EventResult {
  data?: LiveValuesSubscription | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A graphql-ws client with the key in its connectionParams (as a browser sends it); no retries. */
export function wsClient(
  graphqlUrl: string,
  key: string | null = KEYS.reader,
  o: { onClose?: (code: number, reason: string) => void } = {},
): WsClient {
  return createWsClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => o.onClose?.((event as { code: number }).code, String((event as { reason: unknown }).reason)) },
  });
}

/** A graphql-sse client at /graphql/stream: distinct connections, or one stream for all (`single`). */
export function sseClient(graphqlUrl: string, key: string | null = KEYS.reader, single = false): SseClient {
  return createSseClient({
    url: `${graphqlUrl}/stream`,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    singleConnection: single,
    retryAttempts: 0,
  });
}

/** Subscribes to `ids` and collects what arrives. */
export function subscribe(client: WsClient | SseClient, ids: string[], query = LATEST_VALUES): Subscription {
  const iterator = client.iterate({ query, variables: { ids } }) as AsyncIterableIterator<EventResult>;
  const sub: Subscription = {
    results: [],
    events: () => sub.results.flatMap((r) => (r.data?.latestValues ? [r.data.latestValues] : [])),
    error: null,
    done: false,
    stop: async () => void (await iterator.return?.()),
  };
  void (async () => {
    try {
      for await (const result of iterator) sub.results.push(result);
    } catch (err) {
      sub.error = err;
    } finally {
      sub.done = true;
    }
  })();
  return sub;
}

export interface Subscription {
  results: EventResult[];
  events(): LatestValueEvent[];
  /** What the client's iterator threw (graphql-ws: the `error` message's errors, or the close event). */
  error: unknown;
  done: boolean;
  stop(): Promise<void>;
}
