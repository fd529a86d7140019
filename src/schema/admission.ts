// How many points the gateway reads and writes at once, across requests (MAX_POINTS_IN_FLIGHT):
// what bounds its memory when several large requests arrive together. Each request that executes
// reserves the points its estimate found (src/schema/limits.ts) and gives them back when its answer
// is sent; one that does not fit waits, first come first served, until enough is free, and gives up
// (503, LIMIT_EXCEEDED) when its deadline passes or its client leaves. Requests without series
// (most of them) never wait. No library offers a weighted FIFO semaphore that takes an AbortSignal
// in these forty lines; p-limit and p-queue count tasks, not their weight.
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { Abandonment } from '../shared/abandoned.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import { extensionsOf } from './errors.js';

interface Waiter {
  points: number;
  admit(): void;
}

export class PointsGate {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly max: number) {}

  get reserved(): number {
    return this.inFlight;
  }

  /** Reserves `points` (a request larger than the whole gate runs alone); resolves the release. */
  async admit(points: number, lifetime: Abandonment): Promise<() => void> {
    if (points <= 0) return () => undefined;
    if (this.queue.length === 0 && this.fits(points)) this.inFlight += points;
    else {
      if (lifetime.reason) throw lifetime.reason;
      // wake() reserves the points before it lets the waiter in.
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          points,
          admit: () => {
            stop();
            resolve();
          },
        };
        this.queue.push(waiter);
        const stop = lifetime.onAbandon(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          this.wake();
          reject(lifetime.reason);
        });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= points;
      this.wake();
    };
  }

  private fits(points: number): boolean {
    return this.inFlight + points <= this.max || this.inFlight === 0;
  }

  /** Lets in, in order, the waiters that fit now. */
  private wake(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.points)) {
      const next = this.queue.shift()!;
      this.inFlight += next.points;
      next.admit();
    }
  }
}

/**
 * The plugin: after operation sharing (a request that shares another's answer executes nothing and
 * reserves nothing), before execution.
 */
export function admissionPlugin(gate: PointsGate): ApolloServerPlugin<GatewayContext> {
  const releases = new WeakMap<object, () => void>();
  const release = (rc: GraphQLRequestContext<GatewayContext>) => {
    releases.get(rc.contextValue)?.();
    releases.delete(rc.contextValue);
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation(rc) {
          const points = rc.contextValue.estimate?.points ?? 0;
          if (points <= 0) return null; // most requests: nothing to reserve
          try {
            releases.set(rc.contextValue, await gate.admit(points, rc.contextValue.lifetime));
            return null;
          } catch {
            const err = new GatewayError(
              ErrorCode.LIMIT_EXCEEDED,
              `the gateway is busy with other large requests: this one needs ${points} points, ${gate.reserved} are in flight, ${gate.max} allowed at once (MAX_POINTS_IN_FLIGHT); retry shortly or ask for fewer points`,
              { limit: 'MAX_POINTS_IN_FLIGHT', asked: points, allowed: gate.max },
            );
            // A response, not a throw: Apollo answers an exception here with a bare 500.
            return {
              http: { status: 503, headers: new HeaderMap([['retry-after', '5']]) },
              body: { kind: 'single', singleResult: { errors: [{ message: err.message, extensions: extensionsOf(err) }] } },
            };
          }
        },
        async willSendResponse(rc) {
          release(rc);
        },
      };
    },
    async unexpectedErrorProcessingRequest({ requestContext }) {
      release(requestContext);
    },
  };
}
