import { performance } from "node:perf_hooks";
import { status } from "@grpc/grpc-js";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { Caller } from "../auth/caller.js";
import type { Logger } from "../observability/logger.js";
import { grpcCodeName, type RpcMethod } from "../observability/grpc-server-metrics.js";
import { EMIT_METHODS, type Metrics } from "../observability/metrics.js";
import { followCalls, type RpcFailure, type RpcHandler } from "./rpc-completion.js";

/** What the observer needs: where the numbers and the access-log lines go. */
export interface RpcObserverDeps {
  metrics: Pick<Metrics, "grpc" | "emitDuration">;
  logger: Logger;
}

const GRPC_TYPES = { unary: "unary", server_streaming: "server_stream", client_streaming: "client_stream", bidi_streaming: "bidi_stream" } as const;

/** An RPC's labels: its service's full name, its name and its call type, e.g. `posthorn.v1.WebhookService`, `Emit`, `unary`. */
export function rpcMethodOf(method: DescMethod): RpcMethod {
  return { service: method.parent.typeName, method: method.name, type: GRPC_TYPES[method.methodKind] };
}

/** The RPCs of `service` (for the metrics' pre-initialised series). */
export function rpcMethodsOf(service: DescService): RpcMethod[] {
  return service.methods.map(rpcMethodOf);
}

/** The authenticated caller of each call in flight, noted by the handler once it is known. */
const callers = new WeakMap<object, Pick<Caller, "keyId" | "role">>();

/** Notes who makes `call` (after authentication), for its access-log line. */
export function noteCaller(call: object, caller: Pick<Caller, "keyId" | "role">): void {
  callers.set(call, caller);
}

/**
 * Codes logged at `warn`: the server's side failed (or gave up), an operator should look.
 * Everything else that is not OK is the caller's doing (bad input, missing rights), logged at
 * `info`, except these, `debug` like OK: CANCELLED (a client that went away; how a watch ends),
 * UNAUTHENTICATED (counted and logged at warn, rate-limited, by the authenticator) and
 * UNAVAILABLE (the database outage is logged once by the availability monitor; every call
 * meanwhile gets it), so that neither key-less callers nor an outage under load floods the log.
 * Each is counted in `grpc_server_handled_total` all the same.
 */
const WARN_CODES = new Set<number>([status.UNKNOWN, status.DEADLINE_EXCEEDED, status.ABORTED, status.UNIMPLEMENTED, status.INTERNAL, status.DATA_LOSS]);
const DEBUG_CODES = new Set<number>([status.OK, status.CANCELLED, status.UNAUTHENTICATED, status.UNAVAILABLE]);

/** One call being recorded (see `recordRpc`). */
export interface RpcRecord {
  /** The call ended with `code` (gRPC status code); `failure` when it failed. Call once. */
  end(code: number, failure?: RpcFailure): void;
}

/**
 * Starts recording one call of `method` (either transport): counts it started now, and on `end`
 * records the gRPC server metrics (`grpc_server_handled_total` with the status code,
 * `grpc_server_handling_seconds`; for Emit and EmitBatch answered OK also
 * `posthorn_emit_duration_seconds`) and writes the access-log line (`"rpc"`): `method`, `code`
 * (Go's spelling: `OK`, `InvalidArgument`, …), `duration_ms`, `peer`, the caller's `key_id` and
 * `role` once authenticated (`noteCaller` with `call`), the `requestId` of an INTERNAL answer, and
 * the `fields` given (the HTTP listener adds its `protocol`). The line is `debug` for OK, `info`
 * for the caller's errors, `warn` for the server's (see `WARN_CODES`), so the default `info`
 * level is not flooded by 1,000 Emits a second. Durations are wall time (`performance.now()`),
 * not the injected clock.
 */
export function recordRpc(method: RpcMethod, deps: RpcObserverDeps, call: object, peer: () => string, fields: object = {}): RpcRecord {
  const labels = { grpc_type: method.type, grpc_service: method.service, grpc_method: method.method };
  deps.metrics.grpc.started.inc(labels);
  const startMs = performance.now();
  return {
    end(code, failure) {
      const seconds = (performance.now() - startMs) / 1000;
      const grpc_code = grpcCodeName(code);
      deps.metrics.grpc.handled.inc({ ...labels, grpc_code });
      deps.metrics.grpc.handlingSeconds.observe(labels, seconds);
      if (code === status.OK && (EMIT_METHODS as readonly string[]).includes(method.method)) deps.metrics.emitDuration.observe({ method: method.method }, seconds);
      const level = DEBUG_CODES.has(code) ? "debug" : WARN_CODES.has(code) ? "warn" : "info";
      if (!deps.logger.isLevelEnabled(level)) return;
      const caller = callers.get(call);
      deps.logger[level](
        {
          method: method.method,
          code: grpc_code,
          duration_ms: Math.round(seconds * 1e6) / 1000,
          peer: peer(),
          ...fields,
          ...(caller ? { key_id: caller.keyId, role: caller.role } : {}),
          ...(failure?.requestId ? { requestId: failure.requestId } : {}),
        },
        "rpc",
      );
    },
  };
}

/**
 * Wraps one RPC's grpc-js handler (unary or server-streaming, per `method.type`) and returns a
 * handler of the same shape that records each call with `recordRpc` when its status is sent.
 * Composable: the result can be wrapped again (e.g. by tracing).
 */
export function observeRpc<H extends RpcHandler>(method: RpcMethod, handler: H, deps: RpcObserverDeps): H {
  return followCalls(handler, method.type !== "unary", (call) => recordRpc(method, deps, call, () => safePeer(call)));
}

/** The call's peer address; "" once the connection is gone (grpc-js may throw then). */
function safePeer(call: { getPeer(): string }): string {
  try {
    return call.getPeer();
  } catch {
    return "";
  }
}
