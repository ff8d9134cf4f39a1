import { SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from "@opentelemetry/semantic-conventions";
import { contextWithParent, parseTraceparent, posthornTracer, traceHeadersOf, type TraceHeaders } from "../observability/trace-context.js";
import type { ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import type { AttemptOutcome } from "./transport.js";

/** One attempt's CLIENT span, the context it is active in, and the W3C headers to send with it. */
export interface AttemptSpan {
  span: Span;
  /** The context to run the attempt in (its log lines carry the span's ids). */
  active: Context;
  /** `traceparent` (and `tracestate`) for the request; undefined when the event has no trace and tracing is off. */
  headers: TraceHeaders | undefined;
}

/**
 * Starts the CLIENT span of one attempt (`POST`, HTTP client semantic conventions) in the trace
 * of the Emit that stored the event: its parent is the event's stored `traceparent`, so the
 * receiver's span (which continues the `traceparent` sent) joins the caller's trace, and every
 * attempt of a delivery sits under the one Emit. The claim that took the delivery is a span
 * link, not the parent: one claim serves many events of many traces (the OpenTelemetry messaging
 * conventions link a batch receive to each message's own context the same way).
 *
 * With tracing off the span is a no-op carrying the stored context, so the stored `traceparent`
 * is sent unchanged. `url.full` is the origin with the path and query replaced by `REDACTED`: an
 * endpoint's path or query often holds a token, and spans leave the process (the same rule as the
 * `attempt` log line, which names the origin only).
 */
export function startAttemptSpan(delivery: ClaimedDelivery, claim: SpanContext | undefined): AttemptSpan {
  const parent = contextWithParent(parseTraceparent(delivery.traceparent ?? undefined, delivery.tracestate ?? undefined));
  const links = claim && trace.isSpanContextValid(claim) ? [{ context: claim }] : [];
  const span = posthornTracer().startSpan("POST", { kind: SpanKind.CLIENT, links }, parent);
  // With tracing off the span records nothing: the attributes (a URL parse) are not worked out.
  if (span.isRecording()) {
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: "POST",
      ...urlAttributes(delivery.endpoint_url),
      // Attempt n is the (n-1)th resend of the same request (semantic conventions, HTTP client).
      [ATTR_HTTP_REQUEST_RESEND_COUNT]: delivery.attempt_number - 1,
      "posthorn.event.id": delivery.event_id,
      "posthorn.delivery.id": delivery.id,
      "posthorn.subscription.id": delivery.subscription_id,
      "posthorn.attempt.number": delivery.attempt_number,
    });
  }
  return { span, active: trace.setSpan(parent, span), headers: traceHeadersOf(span.spanContext()) };
}

/**
 * Ends an attempt's span with its outcome: the status code, and for an attempt that failed (no
 * response, or a 4xx/5xx status: an error for an HTTP client span) `error.type` (the attempt's
 * error kind, else the status code) and the error status. `outcome` is what follows (`succeeded`,
 * `retry`, `failed`).
 */
export function endAttemptSpan(span: Span, outcome: AttemptOutcome, decision: string): void {
  if (!span.isRecording()) return;
  if (outcome.statusCode !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.statusCode);
  span.setAttribute("posthorn.attempt.outcome", decision);
  const errorType = outcome.errorKind ?? (outcome.statusCode !== undefined && outcome.statusCode >= 400 ? String(outcome.statusCode) : undefined);
  if (errorType !== undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
  }
  span.end();
}

/** `url.full` (the origin and `/REDACTED` when there is a path or query), `server.address`, `server.port`. */
function urlAttributes(endpointUrl: string): Record<string, string | number> {
  try {
    const url = new URL(endpointUrl);
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    const hidden = url.pathname !== "/" || url.search !== "";
    return { [ATTR_URL_FULL]: `${url.origin}/${hidden ? "REDACTED" : ""}`, [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}
