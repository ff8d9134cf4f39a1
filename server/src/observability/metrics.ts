import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { ATTEMPT_ERROR_KINDS } from "../domain/attempt-error-kind.js";
import { UNAUTHENTICATED_REASONS } from "../domain/errors.js";
import { registerBacklogGauges, type PendingBacklog } from "./backlog-gauges.js";
import { createGrpcServerMetrics, type GrpcServerMetrics, type RpcMethod } from "./grpc-server-metrics.js";
import type { Logger } from "./logger.js";
import { registerPoolGauges, type PoolStats } from "./pool-gauges.js";
import { createRetentionMetrics, type RetentionMetrics } from "./retention-metrics.js";

export type { PendingBacklog } from "./backlog-gauges.js";
export type { PoolStats } from "./pool-gauges.js";
export type { RpcMethod } from "./grpc-server-metrics.js";
export type { RetentionMetrics } from "./retention-metrics.js";

/**
 * Prometheus metrics (prom-client), one registry per process. Ours carry the `posthorn_` prefix;
 * Node's process metrics keep prom-client's conventional names (`process_*`, `nodejs_*`), and
 * the gRPC server metrics go-grpc-prometheus's (`grpc_server_*`), so stock dashboards work.
 * Every series whose label values are known in advance exists from the start at 0. The full list
 * is in README.md, "Metrics".
 */
export interface Metrics {
  registry: Registry;
  /** Events stored by Emit/EmitBatch (replays not counted), by type. */
  eventsEmitted: Counter<"type">;
  /** Finished attempts by outcome: `succeeded`, `retry` (another attempt scheduled), `failed` (final). */
  attempts: Counter<"outcome">;
  /** Wall time of attempts in seconds, by outcome. */
  attemptDuration: Histogram<"outcome">;
  /** Attempts without a complete HTTP exchange, by error kind (domain/attempt-error-kind.ts). */
  attemptErrors: Counter<"error_kind">;
  /** Retries scheduled after a failed attempt. */
  retriesScheduled: Counter;
  /** Subscriptions the server disabled (410 Gone, or failing for the auto-disable window). */
  subscriptionsDisabled: Counter;
  /** Failing endpoints warned about (`endpoint.failing`, the endpoint health check). */
  endpointsWarned: Counter;
  /** Claimed deliveries given back to wait for their subscription's rate-limit slot (no label per subscription: unbounded). */
  deliveriesThrottled: Counter;
  /** Calls refused UNAUTHENTICATED, by reason: missing, malformed, unknown, revoked, expired. */
  authFailures: Counter<"reason">;
  /** Server-side time of successful Emit and EmitBatch calls in seconds, by `method`. */
  emitDuration: Histogram<"method">;
  /** Per-RPC gRPC server metrics (go-grpc-prometheus names). */
  grpc: GrpcServerMetrics;
  /** Partitions, their bytes and the prunes (retention-metrics.ts). */
  retention: RetentionMetrics;
}

/** Outcomes of a finished attempt: the `outcome` label values (delivery/retry-policy.ts's decisions). */
export const ATTEMPT_OUTCOMES = ["succeeded", "retry", "failed"] as const;

/** The RPCs whose Emit latency `emitDuration` measures: its `method` label values. */
export const EMIT_METHODS = ["Emit", "EmitBatch"] as const;

export interface MetricsOptions {
  /** The pending-deliveries numbers, per scrape; see backlog-gauges.ts. */
  backlog: () => Promise<PendingBacklog | undefined>;
  /** Gets one warning when `backlog` starts failing. */
  logger?: Pick<Logger, "warn">;
  /** The accepted event types (the `type` label values pre-initialised). */
  eventTypes?: readonly string[];
  /** The RPCs served, for the gRPC metrics' pre-initialised series. */
  rpcMethods?: readonly RpcMethod[];
  /** The PostgreSQL pool's numbers; absent on PGlite (no pool gauges then). */
  pool?: (() => PoolStats) | undefined;
}

/** Creates the process's registry and every metric on it; see `Metrics`. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  // No prefix: `process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, as every Node exporter names them.
  collectDefaultMetrics({ register: registry });
  registerBacklogGauges(registry, options.backlog, options.logger);
  if (options.pool) registerPoolGauges(registry, options.pool);
  const metrics: Metrics = {
    registry,
    eventsEmitted: new Counter({ name: "posthorn_events_emitted_total", help: "Events stored", labelNames: ["type"], registers: [registry] }),
    attempts: new Counter({ name: "posthorn_attempts_total", help: "Delivery attempts by outcome", labelNames: ["outcome"], registers: [registry] }),
    attemptDuration: new Histogram({
      name: "posthorn_attempt_duration_seconds",
      help: "Delivery attempt wall time in seconds",
      labelNames: ["outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    attemptErrors: new Counter({
      name: "posthorn_attempt_errors_total",
      help: "Delivery attempts without a complete HTTP exchange, by error kind",
      labelNames: ["error_kind"],
      registers: [registry],
    }),
    retriesScheduled: new Counter({ name: "posthorn_retries_scheduled_total", help: "Retries scheduled", registers: [registry] }),
    authFailures: new Counter({
      name: "posthorn_auth_failures_total",
      help: "API calls refused UNAUTHENTICATED, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    deliveriesThrottled: new Counter({
      name: "posthorn_deliveries_throttled_total",
      help: "Claimed deliveries given back without an attempt to wait for their subscription's rate-limit slot",
      registers: [registry],
    }),
    subscriptionsDisabled: new Counter({
      name: "posthorn_subscriptions_disabled_total",
      help: "Subscriptions disabled by the server (410 Gone, or failing for the auto-disable window)",
      registers: [registry],
    }),
    endpointsWarned: new Counter({
      name: "posthorn_endpoints_warned_total",
      help: "Failing endpoints warned about (endpoint.failing)",
      registers: [registry],
    }),
    emitDuration: new Histogram({
      name: "posthorn_emit_duration_seconds",
      help: "Server-side time of successful Emit and EmitBatch calls in seconds (arrival to answer)",
      labelNames: ["method"],
      // 1 ms (an Emit under group commit) to 10 s (a 4 MiB batch on a slow database).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    grpc: createGrpcServerMetrics(registry, options.rpcMethods ?? []),
    retention: createRetentionMetrics(registry),
  };
  for (const type of options.eventTypes ?? []) metrics.eventsEmitted.inc({ type }, 0);
  for (const outcome of ATTEMPT_OUTCOMES) {
    metrics.attempts.inc({ outcome }, 0);
    metrics.attemptDuration.zero({ outcome });
  }
  for (const error_kind of ATTEMPT_ERROR_KINDS) metrics.attemptErrors.inc({ error_kind }, 0);
  for (const reason of UNAUTHENTICATED_REASONS) metrics.authFailures.inc({ reason }, 0);
  for (const method of EMIT_METHODS) metrics.emitDuration.zero({ method });
  return metrics;
}
