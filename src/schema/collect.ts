import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import { toGraphQLError } from './errors.js';

/**
 * Runs `fetch` on each source (an upstream, or an upstream with a capability). With one source its
 * error is the field's error; with several, a source that fails is left out and its error is added
 * to the response, so one outage does not blank the others' data. Errors outside the closed set are
 * logged and masked, as formatError masks them in the rest of the answer.
 */
export async function collect<S, T>(
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
  sources: S[],
  fetch: (source: S) => Promise<T[]>,
): Promise<T[]> {
  if (sources.length === 1) return fetch(sources[0]!);
  const settled = await Promise.allSettled(sources.map(fetch));
  const out: T[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') out.push(...r.value);
    else {
      const path = responsePathAsArray(info.path);
      if (r.reason instanceof GatewayError) ctx.partialErrors.push(toGraphQLError(r.reason, path));
      else {
        ctx.logger.error('internal error while resolving', { error: r.reason });
        ctx.partialErrors.push(toGraphQLError(new GatewayError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'), path));
      }
    }
  }
  return out;
}
