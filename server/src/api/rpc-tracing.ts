import {
  status,
  type Metadata,
  type ServiceDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME, RPC_SYSTEM_NAME_VALUE_GRPC } from "@opentelemetry/semantic-conventions";
import { contextWithParent, parseTraceparent, posthornTracer } from "../observability/trace-context.js";

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
  const traced: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (method === undefined || method.requestStream) traced[name] = handler;
    else if (method.responseStream) traced[name] = tracedServerStream(method.path, handler as never);
    else traced[name] = tracedUnary(method.path, handler as never);
  }
  return traced;
}

/** A unary handler whose call runs in a SERVER span ended with the code given to `callback`. */
export function tracedUnary(path: string, handler: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void): UntypedHandleCall {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const { span, active } = startRpcSpan(path, call.metadata);
    context.with(active, () =>
      handler(call, (error, value, trailer, flags) => {
        endRpcSpan(span, error ? ((error as { code?: status }).code ?? status.UNKNOWN) : status.OK);
        callback(error, value, trailer, flags);
      }),
    );
  };
}

/** A server-streaming handler whose call runs in a SERVER span ended when the stream ends, fails or is cancelled. */
export function tracedServerStream(path: string, handler: (call: ServerWritableStream<unknown, unknown>) => void): UntypedHandleCall {
  return (call: ServerWritableStream<unknown, unknown>) => {
    const { span, active } = startRpcSpan(path, call.metadata);
    let ended = false;
    const end = (code: status) => {
      if (ended) return;
      ended = true;
      endRpcSpan(span, code);
    };
    call.on("error", (error: { code?: status }) => end(error.code ?? status.UNKNOWN));
    call.on("cancelled", () => end(status.CANCELLED));
    call.on("finish", () => end(status.OK));
    context.with(active, () => handler(call));
  };
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
