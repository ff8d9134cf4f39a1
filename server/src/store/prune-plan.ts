import type { Kysely } from "kysely";
import { parsePartitionName, PARTITIONED_TABLES, type PartitionedTable } from "./partitions.js";
import type { Database } from "./schema.js";
import { countPendingByPartition } from "./sql/count-pending-by-partition.js";
import { listPartitionSizes } from "./sql/list-partition-sizes.js";

/** One partition table of a day in the plan. */
export interface PrunePartition {
  table: PartitionedTable;
  name: string;
  /** `pg_total_relation_size` (heap, indexes, TOAST), bytes. */
  bytes: number;
  /** `pg_class.reltuples`; undefined when unknown (never vacuumed or analyzed). */
  rowsEstimate: number | undefined;
}

/** One day (or a converted database's `_until_` group) of events, deliveries and attempts. */
export interface PruneDay {
  /** Inclusive lower bound, unix ms; undefined for an `_until_` group (MINVALUE). */
  fromMs: number | undefined;
  /** Exclusive upper bound, unix ms. */
  toMs: number;
  /** Its partition tables (usually three), in `PARTITIONED_TABLES` order. */
  partitions: PrunePartition[];
  /** Sum of the partitions' bytes. */
  bytes: number;
  /** Whether the next prune drops it: past retention and no pending delivery. */
  prunable: boolean;
  /** Why (not): "within retention until <ISO>", "N pending deliveries" or "prunable". */
  reason: string;
  /** Pending deliveries in its deliveries partition; counted only for days past retention (0 for the others, which stay anyway). */
  pendingDeliveries: number;
}

/** What a prune would do now: every day, oldest first. */
export interface PrunePlan {
  days: PruneDay[];
}

/**
 * Plans a prune (issue 14): for each day of the partitions, whether it can be dropped. A day is
 * prunable when its whole range ends at or before `nowMs - retentionMs` (its newest row is past
 * retention; an `_until_` group goes whole once its newest day is) and no delivery in it is
 * pending (a pending delivery keeps its event, deliveries and attempts). Reads the catalog and
 * the `deliveries_pending` index of the days past retention; never locks. Tables detached but
 * not yet dropped by an interrupted prune are listed too, so the next prune finishes them.
 * `nowMs` and `retentionMs` in ms.
 */
export async function planPrune(db: Kysely<Database>, nowMs: number, retentionMs: number): Promise<PrunePlan> {
  const cutoffMs = nowMs - retentionMs;
  const [sizes, pending] = await Promise.all([listPartitionSizes(db), countPendingByPartition(db, new Date(cutoffMs))]);
  const groups = new Map<string, { fromMs: number | undefined; toMs: number; partitions: PrunePartition[]; pending: number }>();
  for (const size of sizes) {
    const partition = parsePartitionName(size.name);
    if (!partition) continue;
    const key = `${partition.fromMs ?? "min"}-${partition.toMs}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { fromMs: partition.fromMs, toMs: partition.toMs, partitions: [], pending: 0 }));
    group.partitions.push({ table: partition.table, name: size.name, bytes: size.bytes, rowsEstimate: size.reltuples < 0 ? undefined : size.reltuples });
    group.pending += pending.get(size.name) ?? 0;
  }
  const days = [...groups.values()]
    .sort((a, b) => (a.fromMs ?? -Infinity) - (b.fromMs ?? -Infinity) || a.toMs - b.toMs)
    .map(({ fromMs, toMs, partitions, pending: pendingDeliveries }): PruneDay => {
      partitions.sort((a, b) => PARTITIONED_TABLES.indexOf(a.table) - PARTITIONED_TABLES.indexOf(b.table));
      const bytes = partitions.reduce((sum, p) => sum + p.bytes, 0);
      const past = toMs <= cutoffMs;
      const reason = !past
        ? `within retention until ${new Date(toMs + retentionMs).toISOString()}`
        : pendingDeliveries > 0
          ? `${pendingDeliveries} pending ${pendingDeliveries === 1 ? "delivery" : "deliveries"}`
          : "prunable";
      return { fromMs, toMs, partitions, bytes, prunable: past && pendingDeliveries === 0, reason, pendingDeliveries };
    });
  return { days };
}
