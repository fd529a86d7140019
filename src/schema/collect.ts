import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLError } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { UpstreamAdapter } from '../upstreams/types.js';

/**
 * Runs `fetch` on each adapter. With one adapter its error is the field's error; with several, an
 * upstream that fails is left out and its error is added to the response, so one outage does not
 * blank the others' data.
 */
export async function collect<T>(
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  adapters: UpstreamAdapter[],
  fetch: (adapter: UpstreamAdapter) => Promise<T[]>,
): Promise<T[]> {
  if (adapters.length === 1) return fetch(adapters[0]!);
  const settled = await Promise.allSettled(adapters.map(fetch));
  const out: T[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') out.push(...r.value);
    else {
      const err = r.reason instanceof GraphQLError ? r.reason : new GraphQLError(String(r.reason));
      ctx.partialErrors.push(
        new GraphQLError(err.message, {
          path: responsePathAsArray(info.path),
          extensions: err.extensions,
          originalError: err,
        }),
      );
    }
  }
  return out;
}
