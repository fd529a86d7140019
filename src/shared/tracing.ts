// Spans, through the OpenTelemetry API only: without a provider (OTEL_EXPORTER_OTLP_ENDPOINT unset)
// nothing is recorded and these calls are skipped. src/telemetry.ts installs the SDK.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

let enabled = false;

/** Whether spans are recorded (the SDK is installed). */
export function tracingEnabled(): boolean {
  return enabled;
}

export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

const tracer = () => trace.getTracer('monitoring-graphql-gateway');

/**
 * Runs `work` in a span of kind `kind`, its child spans under it; the span ends when the work
 * settles, with an error status if it throws. `finish` sets attributes from the outcome.
 */
export async function inSpan<T>(
  name: string,
  /** `none`: no span (the work runs as it is). */
  kind: 'server' | 'client' | 'none',
  attributes: Attributes,
  work: (span: Span | null) => Promise<T>,
  parentHeaders?: Record<string, string | string[] | undefined>,
): Promise<T> {
  if (!enabled || kind === 'none') return work(null);
  // A server span continues the caller's trace (its traceparent), a client span the current one.
  const parent = parentHeaders ? propagation.extract(context.active(), parentHeaders) : context.active();
  const span = tracer().startSpan(name, { kind: kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** The W3C trace context of the current span, as headers for an upstream call (none when tracing is off). */
export function traceHeaders(): Record<string, string> {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
