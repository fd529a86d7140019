// OpenTelemetry's SDK, installed when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans (one per GraphQL
// request, one per upstream call) batched to the collector over OTLP/HTTP, W3C trace context taken
// from the caller and passed on to the upstreams. Nothing else is instrumented, and nothing is sent
// anywhere when the endpoint is unset.
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger.js';
import { redactUrl } from './settings.js';
import { setTracingEnabled } from './shared/tracing.js';

export interface Telemetry {
  /** Sends the spans still batched, then stops. */
  shutdown(): Promise<void>;
}

export function startTelemetry(o: { endpoint: string; serviceName: string; logger: Logger }): Telemetry {
  // The collector's base: a URL already ending in /v1/traces is taken as it is.
  const url = /\/v1\/traces\/?$/.test(o.endpoint) ? o.endpoint : `${o.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // Spans that cannot be sent (the collector down, refusing them) are said in the log, not dropped silently.
  const warn = (message: string, ...args: unknown[]) =>
    o.logger.warn(`tracing: ${message}`, { detail: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') });
  diag.setLogger({ error: warn, warn, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
  setTracingEnabled(true);
  o.logger.info('tracing: spans sent over OTLP/HTTP', { endpoint: redactUrl(o.endpoint) });
  return {
    async shutdown() {
      setTracingEnabled(false);
      await provider.shutdown().catch((err: unknown) => o.logger.warn('tracing: the last spans could not be sent', { error: err }));
      // Unregistered: another gateway in the same process (tests) may install its own.
      trace.disable();
      diag.disable();
      propagation.disable();
      context.disable();
    },
  };
}
