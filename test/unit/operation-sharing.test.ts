// The sharing plugin's own rules, on Apollo's hook calls as Apollo makes them (the HTTP behaviour
// is in batching.test.ts): a leader whose pipeline throws releases those waiting on it.
import { HeaderMap, type GraphQLResponse } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { operationSharing, sharingKey } from '../../src/operation-sharing.js';
import { abandonmentOf } from '../../src/shared/abandoned.js';

/** A request's context as the plugin reads it: the client's reach, its lifetime, and its holds. */
function context(upstreams: Set<string> | null = null) {
  const controller = new AbortController();
  const ctx = {
    client: { upstreams },
    lifetime: abandonmentOf(controller.signal),
    holds: 0,
    hold() {
      ctx.holds++;
      return () => void ctx.holds--;
    },
    controller,
  };
  return ctx;
}

/** The parts of Apollo's request context the plugin reads. */
function request(variables: Record<string, unknown> = { a: 1 }, contextValue = context()) {
  return {
    contextValue,
    queryHash: 'h1',
    operationName: null,
    operation: { operation: 'query' },
    request: { variables },
    response: { http: { status: undefined, headers: new HeaderMap() }, body: undefined as GraphQLResponse['body'] | undefined },
  };
}

async function listener(sharing: ReturnType<typeof operationSharing>) {
  const l = await sharing.plugin.requestDidStart!({} as never);
  return l as { responseForOperation(rc: unknown): Promise<GraphQLResponse | null>; willSendResponse(rc: unknown): Promise<void> };
}

describe('operationSharing', () => {
  it("hands the leader's answer to a twin, with its own copy of the headers", async () => {
    const sharing = operationSharing();
    const lead = request();
    const twin = request();
    expect(await (await listener(sharing)).responseForOperation(lead)).toBeNull(); // executes
    const waiting = (await listener(sharing)).responseForOperation(twin);
    lead.response.body = { kind: 'single', singleResult: { data: { x: 1 } } };
    lead.response.http.headers.set('x-a', '1');
    await (await listener(sharing)).willSendResponse(lead);
    lead.response.http.headers.set('x-b', 'set later for the leader alone');
    const answer = (await waiting)!;
    expect(answer.body).toBe(lead.response.body);
    expect([...answer.http.headers]).toEqual([['x-a', '1']]);
    // Written once for both.
    const text = sharing.stringify({ data: (answer.body as { singleResult: { data: object } }).singleResult.data });
    expect(text).toBe('{"data":{"x":1}}\n');
    expect(sharing.stringify({ data: (answer.body as { singleResult: { data: object } }).singleResult.data })).toBe(text);
  });

  it('a leader whose pipeline throws releases those waiting (they execute), and leaves nothing behind', async () => {
    const sharing = operationSharing();
    const lead = request();
    expect(await (await listener(sharing)).responseForOperation(lead)).toBeNull();
    const waiting = (await listener(sharing)).responseForOperation(request());
    await sharing.plugin.unexpectedErrorProcessingRequest!({ requestContext: lead as never, error: new Error('boom') });
    expect(await waiting).toBeNull();
    // The next identical query leads at once instead of waiting on the failed one.
    expect(await (await listener(sharing)).responseForOperation(request())).toBeNull();
  });

  it('an incremental answer is not handed on', async () => {
    const sharing = operationSharing();
    const lead = request();
    await (await listener(sharing)).responseForOperation(lead);
    const waiting = (await listener(sharing)).responseForOperation(request());
    lead.response.body = {
      kind: 'incremental',
      initialResult: { data: {}, hasNext: true },
      subsequentResults: (async function* () {})(),
    } as never;
    await (await listener(sharing)).willSendResponse(lead);
    expect(await waiting).toBeNull();
  });

  it('clients that reach different upstreams never share an answer', async () => {
    const sharing = operationSharing();
    expect(await (await listener(sharing)).responseForOperation(request())).toBeNull();
    // Same query, a client limited to Meetnet: it executes on its own.
    expect(await (await listener(sharing)).responseForOperation(request({ a: 1 }, context(new Set(['meetnet']))))).toBeNull();
    expect(sharingKey('h', null, {}, 'meetnet')).not.toBe(sharingKey('h', null, {}));
  });

  it("a twin keeps the leader's work going while it waits, and lets go when its own client leaves", async () => {
    const sharing = operationSharing();
    const lead = request();
    await (await listener(sharing)).responseForOperation(lead);
    const twin = request();
    void (await listener(sharing)).responseForOperation(twin);
    expect(lead.contextValue.holds).toBe(1);
    twin.contextValue.controller.abort();
    expect(lead.contextValue.holds).toBe(0);
  });

  it('mutations, and variables JSON would confuse, are never shared', async () => {
    const sharing = operationSharing();
    const m = { ...request(), operation: { operation: 'mutation' } };
    await (await listener(sharing)).responseForOperation(m);
    expect(await (await listener(sharing)).responseForOperation({ ...request(), operation: { operation: 'mutation' } })).toBeNull();
    expect(sharingKey('h', null, { a: Infinity })).toBeNull();
    expect(sharingKey('h', null, { a: [1, -Infinity] })).toBeNull();
    expect(sharingKey('h', null, { a: -0 })).toBeNull();
    expect(sharingKey(undefined, null, {})).toBeNull();
    expect(sharingKey('h', null, { a: null })).not.toBe(sharingKey('h', 'Op', { a: null }));
    expect(sharingKey('h', null, { a: 1, b: 2 })).toBe(sharingKey('h', null, { a: 1, b: 2 }));
  });
});
