import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The table label values: the three partitioned tables (store/partitions.ts). */
const TABLES = ["events", "deliveries", "attempts"] as const;

/**
 * Metrics of the partition maintenance (issue 14), set by the worker processes' maintainer
 * after each run (delivery/partition-maintainer.ts); a process without workers leaves them at 0.
 */
export interface RetentionMetrics {
  /** Partitions of each table after the last run. */
  partitions: Gauge<"table">;
  /** Day partitions dropped by this process (each table's counts). */
  partitionsDropped: Counter<"table">;
  /** Wall time of each prune (plan and drops), seconds. */
  pruneDuration: Histogram;
  /** Bytes of each table (all its partitions, indexes and TOAST) after the last run. */
  storageBytes: Gauge<"table">;
}

/** Registers the retention metrics on `registry`, every table's series at 0. */
export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  const metrics: RetentionMetrics = {
    partitions: new Gauge({ name: "posthorn_partitions", help: "Partitions of each partitioned table", labelNames: ["table"], registers: [registry] }),
    partitionsDropped: new Counter({
      name: "posthorn_partitions_dropped_total",
      help: "Partitions dropped by retention, by table",
      labelNames: ["table"],
      registers: [registry],
    }),
    pruneDuration: new Histogram({
      name: "posthorn_prune_duration_seconds",
      help: "Wall time of a retention prune (plan and drops) in seconds",
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    storageBytes: new Gauge({
      name: "posthorn_storage_bytes",
      help: "Bytes of each partitioned table (partitions, indexes, TOAST)",
      labelNames: ["table"],
      registers: [registry],
    }),
  };
  for (const table of TABLES) {
    metrics.partitions.set({ table }, 0);
    metrics.partitionsDropped.inc({ table }, 0);
    metrics.storageBytes.set({ table }, 0);
  }
  return metrics;
}
