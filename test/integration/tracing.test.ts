// OpenTelemetry over a real OTLP/HTTP receiver on loopback: with OTEL_EXPORTER_OTLP_ENDPOINT set, a
// span per GraphQL request continuing the caller's trace, a span per upstream call under it, and
// the W3C trace context passed on to the upstream (its request log shows the traceparent).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

const received: OtlpSpan[] = [];
const bodies: string[] = [];
let collector: Server;
let endpoint: string;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => collector.close(() => r())));

const attr = (s: OtlpSpan, key: string) => Object.values(s.attributes.find((a) => a.key === key)?.value ?? {})[0];

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it("a request span under the caller's trace, an upstream call span under it, the trace context passed to the upstream", async () => {
    const app = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gateway-under-test' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    try {
      app.simulators.meetnet!.clearLog();
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
        body: JSON.stringify({
          query:
            'query Dash { sensor(id: "meetnet:sensor:MP7WVC") { series(from: "2026-11-19T00:00:00Z", to: "2026-11-19T03:00:00Z") { count } } }',
        }),
      });
      expect(res.status).toBe(200);
      const upstreamSeen = app.simulators.meetnet!.requests('getData')[0]!;
      expect(String(upstreamSeen.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await app.stop(); // flushes the batched spans
    }
    expect(bodies[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const request = received.find((s) => s.name === 'query Dash')!;
    expect(request).toMatchObject({ traceId, parentSpanId: callerSpan, kind: 2 });
    expect(attr(request, 'graphql.operation.name')).toBe('Dash');
    expect(attr(request, 'http.response.status_code')).toBe(200);
    const getData = received.find((s) => s.name === 'Meetnet getData')!;
    expect(getData).toMatchObject({ traceId, parentSpanId: request.spanId, kind: 3 });
    expect(attr(getData, 'gateway.upstream')).toBe('meetnet');
    expect(attr(getData, 'http.response.status_code')).toBe(200);
  });

  it('unset: no span is sent, no traceparent goes to the upstreams', async () => {
    const before = received.length;
    const app = await startTestApp();
    try {
      app.simulators.meetnet!.clearLog();
      await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ sensor(id: "meetnet:sensor:MP7WVC") { series(from: "2026-11-18T00:00:00Z", to: "2026-11-18T03:00:00Z") { count } } }',
        }),
      });
      expect(app.simulators.meetnet!.requests('getData')[0]!.headers.traceparent).toBeUndefined();
    } finally {
      await app.stop();
    }
    expect(received.length).toBe(before);
  });
});
