import {
  context,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
  type Tracer,
} from "@opentelemetry/api";

/**
 * The W3C Trace Context headers of one span (https://www.w3.org/TR/trace-context/): `traceparent`
 * always, `tracestate` when the trace carries vendor state. Stored with an event (Emit) and sent
 * on each of its attempts, so a receiver can join the caller's trace.
 */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/** Posthorn's tracer. Through the API's proxy: a no-op until `startTracing` registers the SDK. */
export function posthornTracer(): Tracer {
  return trace.getTracer("posthorn");
}

/**
 * `traceparent` as W3C Trace Context §3.2 writes it: version `00`, 32 lowercase hex trace id,
 * 16 lowercase hex parent id, 2 hex flags. Other versions are read by the same prefix (§3.2.4:
 * a higher version may append fields after a dash).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Longest `tracestate` kept (W3C Trace Context §3.3.1.5: at least 512 characters must be propagated). */
export const MAX_TRACESTATE_CHARS = 512;

/**
 * The span context named by a `traceparent` header (and its `tracestate`), or undefined when the
 * header is missing or malformed: version `ff`, all-zero ids, or version `00` with trailing
 * fields are refused (W3C Trace Context §3.2.2). A `tracestate` longer than
 * `MAX_TRACESTATE_CHARS` is dropped, not cut (a cut entry would be wrong).
 */
export function parseTraceparent(traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent?.trim() ?? "");
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & 0x01, isRemote: true };
  if (!isSpanContextValid(spanContext)) return undefined;
  const state = tracestate?.trim();
  if (state && state.length <= MAX_TRACESTATE_CHARS) spanContext.traceState = createTraceState(state);
  return spanContext;
}

/** A context whose parent span is `spanContext` (a remote caller's, or one stored with an event); the root context without one. */
export function contextWithParent(spanContext: SpanContext | undefined): Context {
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** The W3C headers of `spanContext`, version `00`; undefined when it is not valid (no trace). */
export function traceHeadersOf(spanContext: SpanContext | undefined): TraceHeaders | undefined {
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0x01).toString(16).padStart(2, "0");
  const headers: TraceHeaders = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) headers.tracestate = state;
  return headers;
}

/**
 * The W3C headers of the span active now (the RPC's SERVER span inside a handler), or undefined.
 * With tracing off it is the caller's own span context, passed through unchanged.
 */
export function activeTraceHeaders(): TraceHeaders | undefined {
  return traceHeadersOf(trace.getSpanContext(context.active()));
}
