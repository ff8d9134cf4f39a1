import { Counter, Histogram, type Registry } from "prom-client";

/**
 * gRPC server metrics named and labelled as go-grpc-prometheus names them
 * (github.com/grpc-ecosystem/go-grpc-prometheus, `server_metrics.go`), so the dashboards and
 * alerts written for it (and for its successor, go-grpc-middleware's `providers/prometheus`)
 * work unchanged: `grpc_server_started_total`, `grpc_server_handled_total` and
 * `grpc_server_handling_seconds`, labelled `grpc_type`, `grpc_service`, `grpc_method` (and
 * `grpc_code` on handled).
 */
export interface GrpcServerMetrics {
  /** RPCs started (after the request arrived; before authentication). */
  started: Counter<GrpcLabel>;
  /** RPCs finished, by status code (Go's spelling: `OK`, `InvalidArgument`, `Unauthenticated`, …). */
  handled: Counter<GrpcLabel | "grpc_code">;
  /** Time from start to the status being sent, in seconds. */
  handlingSeconds: Histogram<GrpcLabel>;
}

export type GrpcLabel = "grpc_type" | "grpc_service" | "grpc_method";

/** gRPC's call types as go-grpc-prometheus spells them in `grpc_type`. */
export type GrpcType = "unary" | "client_stream" | "server_stream" | "bidi_stream";

/** One RPC of a served service, e.g. `{ service: "posthorn.v1.WebhookService", method: "Emit", type: "unary" }`. */
export interface RpcMethod {
  service: string;
  method: string;
  type: GrpcType;
}

/**
 * gRPC status codes 0–16 by number, as Go's `codes.Code.String()` spells them: the values of
 * `grpc_code` in go-grpc-prometheus, which dashboards filter on (e.g. `grpc_code!="OK"`).
 */
export const GRPC_CODE_NAMES = [
  "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
  "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
  "DataLoss", "Unauthenticated",
] as const;

/** `grpc_code`'s value for a numeric status code (`Unknown` for a number outside 0–16). */
export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? "Unknown";
}

/**
 * Registers the three metrics on `registry` and pre-initialises every series of `methods`
 * (handled: every method × all 17 codes, as go-grpc-prometheus's `InitializeMetrics` does; 20
 * methods give 340 series), so rates and alerts have a zero to start from before the first call.
 * Buckets are Prometheus's defaults (5 ms–10 s), go-grpc-prometheus's too.
 */
export function createGrpcServerMetrics(registry: Registry, methods: readonly RpcMethod[]): GrpcServerMetrics {
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  const metrics: GrpcServerMetrics = {
    started: new Counter({ name: "grpc_server_started_total", help: "Total number of RPCs started on the server.", labelNames, registers: [registry] }),
    handled: new Counter({
      name: "grpc_server_handled_total",
      help: "Total number of RPCs completed on the server, regardless of success or failure.",
      labelNames: [...labelNames, "grpc_code"],
      registers: [registry],
    }),
    handlingSeconds: new Histogram({
      name: "grpc_server_handling_seconds",
      help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
  for (const { service, method, type } of methods) {
    const labels = { grpc_type: type, grpc_service: service, grpc_method: method };
    metrics.started.inc(labels, 0);
    metrics.handlingSeconds.zero(labels);
    for (const grpc_code of GRPC_CODE_NAMES) metrics.handled.inc({ ...labels, grpc_code }, 0);
  }
  return metrics;
}
