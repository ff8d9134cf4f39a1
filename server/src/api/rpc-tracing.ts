import { status, type Metadata, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME, RPC_SYSTEM_NAME_VALUE_GRPC } from "@opentelemetry/semantic-conventions";
import { contextWithParent, parseTraceparent, posthornTracer } from "../observability/trace-context.js";
import { followCalls, type RpcHandler } from "./rpc-completion.js";

/**
 * Codes that mark a gRPC SERVER span as an error: the server's own failures. The others (a bad
 * argument, a missing object, a refused key) are the caller's and leave the span unset
 * (OpenTelemetry semantic conventions, "gRPC": status for server spans).
 */
const SERVER_ERROR_CODES: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/**
 * Wraps every unary and server-streaming method of `implementation` (methods as named in
 * `definition`) so each call runs in its own SERVER span, named `posthorn.v1.WebhookService/Emit`
 * (`rpc.method`), with `rpc.system.name=grpc` and `rpc.status_code` (the code's name) at its end.
 * The span continues the caller's trace when the call's metadata carries a W3C `traceparent`
 * (and `tracestate`), and is the active span while the handler runs, so what the handler does —
 * an Emit storing its trace context, a log line — sees it. Returns a new implementation; with
 * tracing off the spans are no-ops that only carry the caller's context.
 */
export function tracedService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (method === undefined || method.requestStream) wrapped[name] = handler;
    else wrapped[name] = traced(method.path, method.responseStream, handler as RpcHandler) as typeof handler;
  }
  return wrapped;
}

/** `handler` with each call in a SERVER span, active while the handler runs, ended with the call's status (rpc-completion.ts). */
function traced<H extends RpcHandler>(path: string, streaming: boolean, handler: H): H {
  return followCalls(handler, streaming, (call) => {
    const { span, active } = startRpcSpan(path, call.metadata);
    return { around: (run) => context.with(active, run), end: (code) => endRpcSpan(span, code) };
  });
}

/** The SERVER span of a call to `path` (`/package.Service/Method`), child of the caller's `traceparent` when valid. */
function startRpcSpan(path: string, metadata: Metadata): { span: Span; active: ReturnType<typeof context.active> } {
  const tracestate = metadata.get("tracestate").map(String).join(",");
  const parent = contextWithParent(parseTraceparent(metadata.get("traceparent").map(String)[0], tracestate));
  const name = path.startsWith("/") ? path.slice(1) : path;
  const span = posthornTracer().startSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC, [ATTR_RPC_METHOD]: name } },
    parent,
  );
  return { span, active: trace.setSpan(parent, span) };
}

/** Ends `span` with the call's status code. */
function endRpcSpan(span: Span, code: status): void {
  const codeName = status[code] ?? String(code);
  span.setAttribute(ATTR_RPC_STATUS_CODE, codeName);
  if (SERVER_ERROR_CODES.has(code)) {
    span.setAttribute(ATTR_ERROR_TYPE, codeName);
    span.setStatus({ code: SpanStatusCode.ERROR, message: codeName });
  }
  span.end();
}
