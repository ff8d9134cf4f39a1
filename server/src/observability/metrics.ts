import { createServer } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "./logger.js";

/** Prometheus metrics (prom-client), one registry per process. Names carry the `posthorn_` prefix. */
export interface Metrics {
  registry: Registry;
  /** Events stored by Emit/EmitBatch (replays not counted), by type. */
  eventsEmitted: Counter<"type">;
  /** Finished attempts by outcome: `succeeded`, `retry` (another attempt scheduled), `failed` (final). */
  attempts: Counter<"outcome">;
  /** Wall time of attempts in seconds, by outcome. */
  attemptDuration: Histogram<"outcome">;
  /** Retries scheduled after a failed attempt. */
  retriesScheduled: Counter;
  /** Subscriptions the server disabled (410 Gone). */
  subscriptionsDisabled: Counter;
  /** Calls refused UNAUTHENTICATED, by reason: missing, malformed, unknown, revoked, expired. */
  authFailures: Counter<"reason">;
}

/** The numbers behind the pending-deliveries gauges. */
export interface PendingBacklog {
  /** Deliveries waiting for an attempt. */
  pending: number;
  /** Creation time of the oldest of them, epoch ms; undefined when none is pending. */
  oldestCreatedMs: number | undefined;
}

/**
 * `backlog` gives the pending-deliveries numbers for each scrape (both gauges come from one
 * call, the store's query, not a counter that drifts across processes); it resolves to
 * undefined when they cannot be had now (database unreachable) and may reject. Meanwhile the two
 * gauges keep their last values and everything else is served; `logger` gets one warning when
 * `backlog` starts failing (once per run of failures).
 */
export function createMetrics(backlog: () => Promise<PendingBacklog | undefined>, logger?: Pick<Logger, "warn">): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "posthorn_process_" });
  let scraping: Promise<PendingBacklog | undefined> | undefined;
  let failing = false;
  const scrape = () =>
    (scraping ??= backlog()
      .then((numbers) => {
        if (numbers) failing = false;
        return numbers;
      })
      .catch((error: unknown) => {
        if (!failing) logger?.warn({ err: error }, "pending-deliveries gauges unavailable; serving their last values");
        failing = true;
        return undefined;
      })
      .finally(() => (scraping = undefined)));
  new Gauge({
    name: "posthorn_deliveries_pending",
    help: "Deliveries waiting for an attempt",
    registers: [registry],
    async collect() {
      const numbers = await scrape();
      if (numbers) this.set(numbers.pending);
    },
  });
  new Gauge({
    name: "posthorn_oldest_pending_delivery_age_seconds",
    help: "Age of the oldest pending delivery, in seconds (0 when none)",
    registers: [registry],
    async collect() {
      const numbers = await scrape();
      if (numbers) this.set(numbers.oldestCreatedMs === undefined ? 0 : Math.max(0, (Date.now() - numbers.oldestCreatedMs) / 1000));
    },
  });
  return {
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
    retriesScheduled: new Counter({ name: "posthorn_retries_scheduled_total", help: "Retries scheduled", registers: [registry] }),
    authFailures: new Counter({
      name: "posthorn_auth_failures_total",
      help: "API calls refused UNAUTHENTICATED, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    subscriptionsDisabled: new Counter({
      name: "posthorn_subscriptions_disabled_total",
      help: "Subscriptions disabled by the server (410 Gone)",
      registers: [registry],
    }),
  };
}

export interface MetricsServer {
  address: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (Prometheus text format) on `listenAddress` (`host:port`). */
export async function startMetricsServer(metrics: Metrics, listenAddress: string): Promise<MetricsServer> {
  const at = listenAddress.lastIndexOf(":");
  const host = listenAddress.slice(0, at).replace(/^\[|\]$/g, "");
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404).end("not found; metrics are at /metrics\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(String(error.message)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(listenAddress.slice(at + 1)), host, resolve);
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return {
    address: `${listenAddress.slice(0, at)}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
