// The context of one subscription. It is made once, when the client subscribes (the client, its
// share of the upstreams, the hub), and graphql-js executes every event with that same object; so
// before each event the per-request parts (loaders, response budget, partial errors) are made
// afresh: an event's `sensor { latest }` is read now, not answered from the first event's loader.
import type { Client } from '../access/identity.js';
import { createContext, type GatewayContext } from '../context.js';
import type { RequestLifetime } from '../http/lifetime.js';
import type { PointsGate } from '../schema/admission.js';
import { abandonmentOf, type RequestAbandoned } from '../shared/abandoned.js';
import type { LiveHub } from './hub.js';

type ContextBase = Parameters<typeof createContext>[0];

export interface LiveContext extends GatewayContext {
  live: {
    hub: LiveHub;
    /**
     * Fresh per-request parts for the next event, and its points reserved in MAX_POINTS_IN_FLIGHT
     * (waiting while other work holds them); resolves what gives them back.
     */
    renew(): Promise<() => void>;
    /** The subscription ended: work still in flight for it is abandoned. */
    end(reason: RequestAbandoned): void;
  };
}

/**
 * How long a subscription's work goes on: until it ends (its client completes or leaves, or the
 * gateway stops). Nothing shares a subscription's execution (operation sharing is for queries):
 * `hold` holds nothing.
 */
function subscriptionLifetime(controller: AbortController): RequestLifetime {
  const abandonment = abandonmentOf(controller.signal);
  return {
    get reason() {
      return abandonment.reason;
    },
    onAbandon: (leave) => abandonment.onAbandon(leave),
    signal: controller.signal,
    hold: () => () => undefined,
  };
}

export function liveContext(
  base: ContextBase,
  hub: LiveHub,
  points: PointsGate,
  request: { requestId: string; client: Client },
): LiveContext {
  const controller = new AbortController();
  const facts = { ...request, lifetime: subscriptionLifetime(controller) };
  const ctx = createContext(base, facts) as LiveContext;
  const live: LiveContext['live'] = {
    hub,
    renew: () => {
      // The estimate of the subscription's checks is each event's: what it may write.
      const { estimate } = ctx;
      Object.assign(ctx, createContext(base, facts), { live, estimate });
      return points.admit(estimate?.points ?? 0, facts.lifetime);
    },
    end: (reason) => controller.abort(reason),
  };
  ctx.live = live;
  return ctx;
}

export function isLiveContext(ctx: GatewayContext): ctx is LiveContext {
  return 'live' in ctx;
}
