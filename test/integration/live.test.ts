// Live latest values (subscription latestValues) in one gateway process, without Redis: over
// graphql-ws and over GraphQL over SSE (both modes), the current value at once and each new one,
// the same scopes as queries, typed errors for bad IDs and requests, the limits, CORS, polling that
// stops with the last subscriber, and a stop that ends every subscription.
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { bearer, KEYS } from '../helpers/access.js';
import { gql } from '../helpers/graphql.js';
import { LATEST_VALUES, sseClient, subscribe, wsClient, type Subscription } from '../helpers/live.js';
import { until } from '../helpers/until.js';
import type { MeetnetSimulator } from '../../src/upstreams/meetnet/simulator/index.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const MINUTE = 60_000;
const ORIGIN = 'https://dashboards.example.org';

let app: TestApp;
let sim: MeetnetSimulator;
let now = NOW;
let meetnet: string[];

beforeAll(async () => {
  app = await startTestApp({ LIVE_POLL_INTERVAL_MS: '200', LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', CORS_ORIGINS: ORIGIN });
  sim = app.simulators.meetnet!;
  sim.setClock(() => now);
  const listed = await gql(app.url, '{ sensors(upstream: MEETNET, first: 200) { nodes { id intervalMinutes } } }');
  meetnet = (listed.data!.sensors.nodes as Array<{ id: string; intervalMinutes: number | null }>)
    .filter((s) => s.intervalMinutes === 10)
    .map((s) => s.id);
});
afterAll(() => app.stop());
beforeEach(async () => {
  // Every test starts with nothing watched or on its way to the upstream, the clock at NOW and an empty log.
  await until(() => app.live.size.sensors === 0 && app.live.size.busy === 0);
  now = NOW;
  sim.clearLog();
});

const idsOf = (body: unknown): string[] => (body as { IDs: string[] }).IDs;
const codes = (sub: Subscription) => [...sub.results.flatMap((r) => r.errors ?? []), ...(Array.isArray(sub.error) ? sub.error : [])];

describe('latestValues over graphql-ws', () => {
  it('sends the current value at once, then each new one, and nothing when nothing changed', async () => {
    const client = wsClient(app.url);
    const sub = subscribe(client, ['meetnet:sensor:MP7WVC']);
    await until(() => sub.events().length === 1);
    const [first] = sub.events();
    expect(first).toMatchObject({ sensorId: 'meetnet:sensor:MP7WVC', time: '2026-11-20T12:00:00.000Z', unit: 'm/s' });
    expect(typeof first!.value).toBe('number');
    expect(first!.sensor!.name).toContain('Westhinder');

    // The clock stands still: polls go on, the value is the same, nothing more is sent.
    const polls = sim.requests('currentData').length;
    await until(() => sim.requests('currentData').length >= polls + 3);
    expect(sub.events()).toHaveLength(1);

    now = NOW + 30 * MINUTE;
    await until(() => sub.events().length === 2);
    expect(sub.events()[1]!.time).toBe('2026-11-20T12:30:00.000Z');
    expect(sub.error).toBeNull();
    await sub.stop();
    await client.dispose();
  });

  it("each event is executed afresh: fields read through loaders are read again (not the first event's answer)", async () => {
    const client = wsClient(app.url);
    const query = 'subscription ($ids: [ID!]!) { latestValues(sensorIds: $ids) { time sensor { latest { time } } } }';
    const sub = subscribe(client, ['meetnet:sensor:MP7WVC'], query);
    await until(() => sub.results.length === 1);
    now = NOW + 30 * MINUTE;
    await until(() => sub.results.length === 2);
    for (const r of sub.results) {
      const event = r.data!.latestValues as unknown as { time: string; sensor: { latest: { time: string } } };
      expect(event.sensor.latest.time).toBe(event.time);
    }
    expect(sub.results.map((r) => (r.data!.latestValues as unknown as { time: string }).time)).toEqual([
      '2026-11-20T12:00:00.000Z',
      '2026-11-20T12:30:00.000Z',
    ]);
    await sub.stop();
    await client.dispose();
  });

  it('many sensors of one upstream: one currentData call per poll for all of them', async () => {
    const ids = meetnet.slice(0, 20);
    const client = wsClient(app.url);
    const sub = subscribe(client, ids);
    await until(() => new Set(sub.events().map((e) => e.sensorId)).size === ids.length);
    const before = sim.requests('currentData').length;
    await until(() => sim.requests('currentData').length >= before + 3);
    // Every poll after the first reads all twenty at once.
    for (const call of sim.requests('currentData').slice(before))
      expect(new Set(idsOf(call.body))).toEqual(new Set(ids.map((id) => id.split(':')[2])));
    await sub.stop();
    await client.dispose();
  });
});

describe('latestValues over SSE', () => {
  it('distinct connections: the current value at once, then the next one', async () => {
    const client = sseClient(app.url);
    const sub = subscribe(client, ['meetnet:sensor:MP7WVC', 'flexmeasures:sensor:1']);
    await until(() => sub.events().length === 2);
    expect(new Set(sub.events().map((e) => e.sensorId))).toEqual(new Set(['meetnet:sensor:MP7WVC', 'flexmeasures:sensor:1']));
    now = NOW + 30 * MINUTE;
    await until(() => sub.events().some((e) => e.time === '2026-11-20T12:30:00.000Z'));
    expect(sub.error).toBeNull();
    await sub.stop();
    client.dispose();
  });

  it('single-connection mode: several subscriptions on one stream', async () => {
    const client = sseClient(app.url, KEYS.reader, true);
    const a = subscribe(client, ['meetnet:sensor:MP7WVC']);
    const b = subscribe(client, [meetnet[0]!]);
    await until(() => a.events().length === 1 && b.events().length === 1);
    now = NOW + 30 * MINUTE;
    await until(() => a.events().length === 2 && b.events().length === 2);
    await a.stop();
    await b.stop();
    client.dispose();
  });

  it('as curl sends it: an event stream, with CORS for an allowed origin', async () => {
    const controller = new AbortController();
    const res = await fetch(`${app.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', origin: ORIGIN, ...bearer(KEYS.reader) },
      body: JSON.stringify({ query: LATEST_VALUES, variables: { ids: ['meetnet:sensor:MP7WVC'] } }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const reader = res.body!.getReader();
    let text = '';
    const event = /event: next\ndata: (.*)\n\n/;
    while (!event.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const data = JSON.parse(event.exec(text)![1]!);
    expect(data.data.latestValues).toMatchObject({ sensorId: 'meetnet:sensor:MP7WVC', time: '2026-11-20T12:00:00.000Z' });
    controller.abort();

    const preflight = await fetch(`${app.url}/stream`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-graphql-event-stream-token' },
    });
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-graphql-event-stream-token');
  });

  it("a stream's token is its client's: another client cannot use it", async () => {
    const reserved = await fetch(`${app.url}/stream`, { method: 'PUT', headers: bearer(KEYS.reader) });
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    const post = (key: string) =>
      fetch(`${app.url}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token, ...bearer(key) },
        body: JSON.stringify({ query: LATEST_VALUES, variables: { ids: ['meetnet:sensor:MP7WVC'] }, extensions: { operationId: 'a' } }),
      });
    expect((await post(KEYS.admin)).status).toBe(404);
    expect((await post(KEYS.reader)).status).toBe(202);
    // Opened, then closed by its client: the operation in it ends, and nothing stays watched.
    const controller = new AbortController();
    const stream = await fetch(`${app.url}/stream?token=${token}`, {
      headers: { accept: 'text/event-stream', ...bearer(KEYS.reader) },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();
    await until(() => app.live.size.sensors === 0);
  });

  it('a plain request is told what the endpoint is', async () => {
    const res = await fetch(`${app.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.reader) },
      body: JSON.stringify({ query: LATEST_VALUES, variables: { ids: ['meetnet:sensor:MP7WVC'] } }),
    });
    expect(res.status).toBe(406);
    expect((await res.json()).errors[0].message).toContain('Accept: text/event-stream');
  });
});

describe('who may subscribe', () => {
  it('a key without the read scope is refused (FORBIDDEN) on both transports', async () => {
    const ws = wsClient(app.url, KEYS.writer);
    const overWs = subscribe(ws, ['meetnet:sensor:MP7WVC']);
    await until(() => overWs.done);
    expect(codes(overWs).map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    await ws.dispose();

    const res = await fetch(`${app.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(KEYS.writer) },
      body: JSON.stringify({ query: LATEST_VALUES, variables: { ids: ['meetnet:sensor:MP7WVC'] } }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('a sensor of an upstream the key may not reach is refused (FORBIDDEN), and nothing is polled', async () => {
    for (const client of [wsClient(app.url, KEYS.meetnetReader), sseClient(app.url, KEYS.meetnetReader)]) {
      const sub = subscribe(client, ['meetnet:sensor:MP7WVC', 'bemserver:sensor:1']);
      await until(() => sub.done);
      expect(codes(sub).map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(codes(sub)[0]!.message).toContain('may not reach bemserver');
      void client.dispose();
    }
    expect(app.live.size.sensors).toBe(0);
    expect(sim.requests('currentData')).toHaveLength(0);
  });

  it('unknown credentials: the WebSocket is closed with the reason, the stream answers 401', async () => {
    let closed: [number, string] | null = null;
    const ws = wsClient(app.url, 'mgw_not-a-key', { onClose: (code, reason) => (closed = [code, reason]) });
    const sub = subscribe(ws, ['meetnet:sensor:MP7WVC']);
    await until(() => sub.done);
    expect(closed).toEqual([4403, 'this API key or token is not known here']);

    const res = await fetch(`${app.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer('mgw_not-a-key') },
      body: JSON.stringify({ query: LATEST_VALUES, variables: { ids: ['meetnet:sensor:MP7WVC'] } }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a page of an origin CORS_ORIGINS does not list cannot open a WebSocket; an allowed one can', async () => {
    const attempt = (origin: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(app.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin });
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.once('error', () => undefined);
      });
    expect(await attempt('https://elsewhere.example.com')).toBe(403);
    expect(await attempt(ORIGIN)).toBe(101);
  });
});

describe('bad input never breaks anything', () => {
  it('malformed and unknown IDs: BAD_USER_INPUT naming the argument, over both transports', async () => {
    const cases: Array<[string, string]> = [
      ['not-an-id', 'sensorIds[1]: "not-an-id" is not a sensor ID'],
      ['meetnet:sensor:NOPE42', 'sensorIds[1]: there is no sensor "meetnet:sensor:NOPE42"'],
      ['meetnet:sensor:bad!', 'sensorIds[1]: a Meetnet sensor ID is six capitals or digits'],
      ['meetnet:location:MP7', 'it names a location, not a sensor'],
    ];
    for (const make of [() => wsClient(app.url), () => sseClient(app.url)]) {
      for (const [id, message] of cases) {
        const client = make();
        const sub = subscribe(client, ['meetnet:sensor:MP7WVC', id]);
        await until(() => sub.done);
        const errors = codes(sub);
        expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
        expect(errors[0]!.message).toContain(message);
        void client.dispose();
      }
    }
    const none = subscribe(wsClient(app.url), []);
    await until(() => none.done);
    expect(codes(none)[0]!.message).toContain('name at least one sensor');
    expect(app.live.size.sensors).toBe(0);
  });

  it(`more sensors than a query may name, and more subscriptions than a connection may hold: refused`, async () => {
    const tooMany = subscribe(
      wsClient(app.url),
      Array.from({ length: 501 }, (_, i) => `meetnet:sensor:MP${String(i).padStart(4, '0')}`),
    );
    await until(() => tooMany.done);
    expect(codes(tooMany)[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(codes(tooMany)[0]!.message).toContain('at most 500 sensors per subscription');

    // What each event asks is counted like a query: four times ten years of points per event are refused.
    const tenYears = 'series(from: "2016-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { points { time value } }';
    const costly = subscribe(
      wsClient(app.url),
      ['meetnet:sensor:MP7WVC'],
      `subscription ($ids: [ID!]!) { latestValues(sensorIds: $ids) { sensor { a: ${tenYears} b: ${tenYears} c: ${tenYears} d: ${tenYears} } } }`,
    );
    await until(() => costly.done);
    expect(codes(costly)[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' } });

    for (const client of [wsClient(app.url), sseClient(app.url, KEYS.reader, true)]) {
      const held = [0, 1, 2].map((i) => subscribe(client, [meetnet[i]!]));
      await until(() => held.every((s) => s.events().length === 1));
      const fourth = subscribe(client, [meetnet[3]!]);
      await until(() => fourth.done);
      const errors = codes(fourth);
      // graphql-sse's client reports a refused operation as its HTTP status.
      if (errors.length > 0)
        expect(errors[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION' } });
      else expect(String(fourth.error)).toContain('400');
      expect(held.every((s) => !s.done)).toBe(true);
      for (const s of held) await s.stop();
      void client.dispose();
    }
  });

  it('requests that are not subscriptions, or not GraphQL: typed errors, and the gateway goes on', async () => {
    const ws = wsClient(app.url);
    const query = subscribe(ws, [], '{ upstreams { name } }');
    const broken = subscribe(ws, [], 'subscription { latestValues(');
    const wrong = subscribe(ws, [], 'subscription { latestValues(sensorIds: ["meetnet:sensor:MP7WVC"]) { nope } }');
    await until(() => query.done && broken.done && wrong.done);
    expect(codes(query)[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(codes(query)[0]!.message).toContain('send a query to POST /graphql');
    expect(codes(broken)[0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(codes(wrong)[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    await ws.dispose();

    const stream = (body: string) =>
      fetch(`${app.url}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(KEYS.reader) },
        body,
      });
    expect((await stream('{"query": ')).status).toBe(400);
    expect((await stream(JSON.stringify({ query: 'subscription { latestValues(' }))).status).toBe(400);
    expect((await stream('x'.repeat(2_000_000))).status).toBe(413);

    // Plain HTTP runs queries and mutations only: a subscription there says where to go.
    const overPost = await gql(app.url, 'subscription { latestValues(sensorIds: ["meetnet:sensor:MP7WVC"]) { value } }');
    expect(JSON.stringify(overPost.errors)).toMatch(/WebSocket|Server-Sent Events|subscription/i);

    const after = subscribe(wsClient(app.url), ['meetnet:sensor:MP7WVC']);
    await until(() => after.events().length === 1);
    await after.stop();
  });
});

describe('polling', () => {
  it('stops for a sensor when its last subscriber leaves, and altogether with the last subscriber', async () => {
    const [a, b] = [meetnet[0]!, meetnet[1]!];
    const native = (ids: string[]) => new Set(ids.map((id) => id.split(':')[2]));
    /** The sensors of the polls that start from now on (one already on its way is left out). */
    const nextPolls = async (count: number) => {
      const from = sim.requests('currentData').length + 1;
      await until(() => sim.requests('currentData').length >= from + count);
      return new Set(
        sim
          .requests('currentData')
          .slice(from)
          .flatMap((r) => idsOf(r.body)),
      );
    };
    const ws = wsClient(app.url);
    const sse = sseClient(app.url);
    const onA = [subscribe(ws, [a]), subscribe(sse, [a])];
    const onB = subscribe(ws, [b]);
    await until(() => onA.every((s) => s.events().length === 1) && onB.events().length === 1);
    expect(await nextPolls(3)).toEqual(native([a, b]));

    // One of A's two subscribers leaves: A is still polled.
    await onA[0]!.stop();
    expect(await nextPolls(3)).toEqual(native([a, b]));

    // The other leaves: B alone from then on.
    await onA[1]!.stop();
    await until(() => app.live.size.sensors === 1);
    expect(await nextPolls(3)).toEqual(native([b]));

    // The last subscriber leaves: nothing is polled, while another upstream's subscription (the
    // test's clock) is polled three more times.
    await onB.stop();
    await until(() => app.live.size.sensors === 0);
    const fm = app.simulators.flexmeasures!;
    const clock = subscribe(sse, ['flexmeasures:sensor:1']);
    await until(() => clock.events().length === 1);
    const meetnetPolls = sim.requests('currentData').length;
    const reads = fm.requests().length;
    await until(() => fm.requests().length >= reads + 3);
    // (A Meetnet poll on its way when B's subscriber left has arrived by the clock's first value.)
    expect(sim.requests('currentData').length).toBe(meetnetPolls);
    await clock.stop();
    await ws.dispose();
    sse.dispose();
  });
});

describe('metrics', () => {
  it('count the sensors watched, the subscribers and the values delivered, and fall back to 0 when all leave', async () => {
    const scrape = async () => {
      const text = await (await fetch(new URL('/metrics', app.url))).text();
      const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      return {
        sensors: read('gateway_live_sensors'),
        subscribers: read('gateway_live_subscribers'),
        delivered: read('gateway_live_values_delivered_total'),
      };
    };
    const before = (await scrape()).delivered;
    const ws = wsClient(app.url);
    const sse = sseClient(app.url);
    const subs = [subscribe(ws, [meetnet[0]!, meetnet[1]!]), subscribe(sse, [meetnet[0]!])];
    await until(() => subs[0]!.events().length >= 2 && subs[1]!.events().length >= 1);
    const during = await scrape();
    expect(during.sensors).toBe(2);
    expect(during.subscribers).toBe(3);
    expect(during.delivered - before).toBeGreaterThanOrEqual(3);
    await Promise.all(subs.map((s) => s.stop()));
    await until(() => app.live.size.sensors === 0);
    const after = await scrape();
    expect([after.sensors, after.subscribers]).toEqual([0, 0]);
    expect(after.delivered).toBeGreaterThanOrEqual(during.delivered);
    await ws.dispose();
    sse.dispose();
  });
});

describe('stopping the gateway', () => {
  it('ends every subscription and closes WebSockets and event streams: stop() does not wait for them', async () => {
    const other = await startTestApp({ LIVE_POLL_INTERVAL_MS: '200', SHUTDOWN_GRACE_MS: '60000' });
    let closed: number | null = null;
    const ws = wsClient(other.url, KEYS.reader, { onClose: (code) => (closed = code) });
    const subs = [subscribe(ws, ['meetnet:sensor:MP7WVC']), subscribe(sseClient(other.url), ['meetnet:sensor:MP7WVC'])];
    await until(() => subs.every((s) => s.events().length === 1));
    // A grace of a minute is for requests; subscriptions do not hold the stop up.
    await other.stop();
    await until(() => subs.every((s) => s.done));
    expect(closed).toBe(1001);
    expect(other.live.size).toEqual({ sensors: 0, listeners: 0, busy: 0 });
  });
});
