// A capability of the upstream a client named, for the resolvers that need it: typed, or a
// BAD_USER_INPUT that says the upstream cannot do this.
import type { GatewayContext } from '../context.js';
import type { UpstreamName } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import type { Capability } from '../upstreams/capabilities.js';

export function requireCapability<T>(ctx: GatewayContext, upstream: UpstreamName, capability: Capability<T>, argument: string): T {
  const found = ctx.registry.get(upstream).capabilities.get(capability);
  if (found === undefined) {
    const can = ctx.registry.having(capability).map((h) => h.upstream.name);
    throw badInput(
      `${argument}: ${upstream} has no ${capability.name}${can.length > 0 ? ` (${can.join(', ')} ${can.length === 1 ? 'has' : 'have'})` : ''}`,
      { argument },
    );
  }
  return found;
}
