// The points gate (MAX_POINTS_IN_FLIGHT) on its own: first come first served, a request larger than
// the gate runs alone, a waiter that gives up leaves the queue and lets the next in, and the plugin
// answers one that could not get in with a 503 naming the limit. The HTTP behaviour (a second large
// request reading only after the first) is in test/integration/abort.test.ts.
import { describe, expect, it } from 'vitest';
import { admissionPlugin, PointsGate } from '../../src/schema/admission.js';
import { abandonmentOf, RequestAbandoned } from '../../src/shared/abandoned.js';

const never = abandonmentOf(new AbortController().signal);
const settled = async (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise((r) => setTimeout(() => r(false), 10)),
  ]);

describe('PointsGate', () => {
  it('lets requests in while their points fit, in the order they came, and releases once', async () => {
    const gate = new PointsGate(100);
    const a = await gate.admit(60, never);
    const b = gate.admit(60, never);
    const c = gate.admit(10, never); // would fit, but waits behind b: first come, first served
    expect(await settled(b)).toBe(false);
    expect(await settled(c)).toBe(false);
    a();
    a(); // a second release changes nothing
    const releaseB = await b;
    const releaseC = await c;
    expect(gate.reserved).toBe(70);
    releaseB();
    releaseC();
    expect(gate.reserved).toBe(0);
  });

  it('runs a request larger than the gate alone; requests without points never wait', async () => {
    const gate = new PointsGate(100);
    const big = await gate.admit(500, never);
    expect(gate.reserved).toBe(500);
    const small = gate.admit(1, never);
    expect(await settled(small)).toBe(false);
    await gate.admit(0, never); // no series: in at once
    big();
    (await small)();
    expect(gate.reserved).toBe(0);
  });

  it('a waiter whose request is abandoned leaves the queue with the reason, and the next gets in', async () => {
    const gate = new PointsGate(100);
    const first = await gate.admit(100, never);
    const controller = new AbortController();
    const leaving = gate.admit(50, abandonmentOf(controller.signal));
    const next = gate.admit(50, never);
    controller.abort(new RequestAbandoned('deadline', 1000));
    await expect(leaving).rejects.toBeInstanceOf(RequestAbandoned);
    first();
    (await next)();
    expect(gate.reserved).toBe(0);
  });

  it('the plugin answers a request that could not get in with 503, LIMIT_EXCEEDED and Retry-After', async () => {
    const gate = new PointsGate(100);
    const hold = await gate.admit(100, never);
    const controller = new AbortController();
    const listener = (await admissionPlugin(gate).requestDidStart!({} as never))!;
    const rc = { contextValue: { estimate: { cost: 60, points: 60 }, lifetime: abandonmentOf(controller.signal) } };
    const answer = listener.responseForOperation!(rc as never);
    controller.abort(new RequestAbandoned('deadline', 1000));
    const response = (await answer)!;
    expect(response.http.status).toBe(503);
    expect(response.http.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({
      kind: 'single',
      singleResult: {
        errors: [
          {
            message:
              'the gateway is busy with other large requests: this one needs 60 points, 100 are in flight, 100 allowed at once (MAX_POINTS_IN_FLIGHT); retry shortly or ask for fewer points',
            extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_POINTS_IN_FLIGHT', asked: 60, allowed: 100 },
          },
        ],
      },
    });
    hold();
  });
});
