// Identical queries in flight at the same time share one execution and one answer. Twenty screens
// showing one dashboard refresh on the same clock tick and send the same query within a few
// milliseconds: the upstream reads are already shared (UpstreamHttp.dedupe), and this shares the
// gateway's own work as well (execution, and the JSON text of the answer), so the twentieth waits
// for the first instead of queueing behind nineteen executions on the event loop.
//
// Same query text, operation name and variables, a query (never a mutation), and clients that may
// reach the same upstreams: every client reads through the same service accounts, so an answer
// holds nothing its twin could not see. The execution goes on while any of them waits, even when
// the client that started it has gone (ctx.hold). A
// request that joins gets the answer of the execution it joined, errors included: its data may
// come from reads that began before it arrived, never from before that execution. Nothing is kept
// once the answer is sent: this is not a cache.
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { GatewayContext } from './context.js';

interface InFlight {
  answer: Promise<GraphQLResponse | null>;
  settle(response: GraphQLResponse | null): void;
  waiting: number;
  /** Keeps the leader's work going while this request waits for it. */
  hold(): () => void;
}

export interface OperationSharing {
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Apollo's `stringifyResult`: an answer several requests share is written to JSON once. */
  stringify(result: { data?: unknown; errors?: unknown; extensions?: unknown }): string;
}

export function operationSharing(): OperationSharing {
  const inFlight = new Map<string, InFlight>();
  // The `data` of answers handed to more than one request, and their JSON once written.
  const shared = new WeakSet<object>();
  const written = new WeakMap<object, string>();
  // Requests executing for others, by Apollo's request context: released by willSendResponse, or
  // by unexpectedErrorProcessingRequest when the pipeline throws (then the others execute).
  const leaders = new WeakMap<object, { key: string; entry: InFlight }>();

  const finish = (rc: object, response: GraphQLResponse | null) => {
    const leading = leaders.get(rc);
    if (!leading) return;
    leaders.delete(rc);
    const { key, entry } = leading;
    if (inFlight.get(key) === entry) inFlight.delete(key);
    // Only a complete, single answer is handed on; for anything else, the others execute themselves.
    if (response?.body.kind !== 'single') return entry.settle(null);
    const data = response.body.singleResult.data;
    if (entry.waiting > 0 && data && typeof data === 'object') shared.add(data);
    // Status and headers as they are now: Apollo goes on setting the leader's own afterwards.
    entry.settle({ http: { status: response.http.status, headers: new HeaderMap(response.http.headers) }, body: response.body });
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          if (rc.operation?.operation !== 'query') return null;
          const reach = rc.contextValue.client.upstreams;
          const key = sharingKey(rc.queryHash, rc.operationName, rc.request.variables, reach ? [...reach].sort().join(',') : '*');
          if (key === null) return null;
          const entry = inFlight.get(key);
          if (entry) {
            entry.waiting++;
            const release = entry.hold();
            const stop = rc.contextValue.lifetime.onAbandon(release);
            void entry.answer.finally(() => {
              stop();
              release();
            });
            // Apollo copies the status and headers into this request's own (mergeHTTPGraphQLHead).
            return entry.answer;
          }
          let settle!: (r: GraphQLResponse | null) => void;
          const answer = new Promise<GraphQLResponse | null>((resolve) => (settle = resolve));
          const own: InFlight = { answer, settle, waiting: 0, hold: rc.contextValue.hold };
          leaders.set(rc, { key, entry: own });
          inFlight.set(key, own);
          return null;
        },
        // Registered after the plugin that adds partial errors: the answer handed on is complete.
        async willSendResponse(rc) {
          finish(rc, rc.response);
        },
      };
    },
    async unexpectedErrorProcessingRequest({ requestContext }) {
      finish(requestContext, null);
    },
  };

  return {
    plugin,
    stringify(result) {
      const data = result.data;
      // Apollo's own default, JSON and a newline, for everything not shared.
      if (!data || typeof data !== 'object' || !shared.has(data) || result.errors !== undefined || result.extensions !== undefined) {
        return `${JSON.stringify(result)}\n`;
      }
      let text = written.get(data);
      if (text === undefined) {
        text = `${JSON.stringify(result)}\n`;
        written.set(data, text);
      }
      return text;
    },
  };
}

/**
 * What makes two queries the same: the query text (its hash), the operation and the variables.
 * Null (not shared) when a variable holds a number JSON cannot write (Infinity, -0): JSON.stringify
 * would write it as another value's text (null, 0) and two different requests would meet.
 */
export function sharingKey(
  queryHash: string | undefined,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  /** The upstreams the client may reach ('*': all). */
  reach = '*',
): string | null {
  if (queryHash === undefined) return null;
  let odd = false;
  const json = JSON.stringify(variables ?? {}, (_k, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) odd = true;
    return v;
  });
  return odd ? null : `${queryHash}\u0000${operationName ?? ''}\u0000${reach}\u0000${json}`;
}
