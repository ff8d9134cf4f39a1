import { sql, type Kysely } from "kysely";
import type { Store } from "./database.js";
import { forgetPartitions, PARTITION_LOCK_KEY, PARTITIONED_TABLES, partitionNameOf, type Partition } from "./partitions.js";
import type { PruneDay } from "./prune-plan.js";
import type { Database } from "./schema.js";
import { attachPartition } from "./sql/attach-partition.js";
import { countPendingInTable } from "./sql/count-pending-in-table.js";
import { detachPartition } from "./sql/detach-partition.js";
import { dropTables } from "./sql/drop-tables.js";
import { listPartitionSizes, type PartitionSize } from "./sql/list-partition-sizes.js";

/**
 * What `dropDay` did: `dropped` (the day's tables are gone), `kept` (a delivery in it is pending:
 * it stays, attached), `skipped` (a lock was not had within the lock timeout; the next prune
 * tries again) or `gone` (nothing left to drop: another process dropped it first).
 */
export interface DropDayResult {
  outcome: "dropped" | "kept" | "skipped" | "gone";
  /** The tables dropped (outcome `dropped`). */
  dropped: string[];
  /** Pending deliveries found in the day (outcome `kept`). */
  pendingDeliveries: number;
  /** For `skipped`: what timed out. */
  reason?: string;
}

export interface DropDayOptions {
  /** `lock_timeout` of each statement, ms (default 2000): a lock held by someone else never stalls us, or them, longer. */
  lockTimeoutMs?: number;
  /** Tests: runs on the pruner's connection after the detach, before the re-check for pending deliveries. */
  onDetached?: (db: Kysely<Database>) => Promise<void>;
}

/** Default `lock_timeout` of the prune's statements, ms. */
const LOCK_TIMEOUT_MS = 2000;
/** The order in which a day's partitions are detached. */
const DETACH_ORDER = ["attempts", "deliveries", "events"] as const;

/**
 * Drops one day's three partitions (a `PruneDay` from `planPrune`, or any range it names)
 * without blocking delivery. On one connection, under the session advisory lock
 * `PARTITION_LOCK_KEY` (so `ensurePartitions` and other pruners wait for this one day; a second
 * pruner then finds the day `gone`): counts the pending deliveries in it (none expected: the plan
 * said so, but a RetryDelivery may have come since); detaches attempts, deliveries and events
 * (`CONCURRENTLY` on PostgreSQL: SHARE UPDATE EXCLUSIVE on the parents, so inserts and claims go
 * on; plain on PGlite's single connection; a detach left pending by a crash is FINALIZEd); counts
 * again in the detached deliveries table, which nothing can write any more, and if a delivery
 * became pending meanwhile attaches all three again (`kept`); else drops them. Every statement
 * runs with a short `lock_timeout`; on a timeout the day is `skipped`, what was detached is
 * attached again when possible, and a later call resumes from whatever state is left. Errors
 * other than lock timeouts (SQLSTATE 55P03) are thrown.
 */
export async function dropDay(store: Store, day: Pick<PruneDay, "fromMs" | "toMs">, options: DropDayOptions = {}): Promise<DropDayResult> {
  const lockTimeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? LOCK_TIMEOUT_MS));
  const result = await store.db.connection().execute(async (db) => {
    // Waiting here blocks nobody but the next partition change, which would wait for us anyway.
    await sql`SELECT pg_advisory_lock(${PARTITION_LOCK_KEY})`.execute(db);
    try {
      await sql`SET lock_timeout = ${sql.lit(`${lockTimeoutMs}ms`)}`.execute(db);
      return await dropLocked(db, store.kind, day, options);
    } finally {
      await sql`RESET lock_timeout`.execute(db);
      await sql`SELECT pg_advisory_unlock(${PARTITION_LOCK_KEY})`.execute(db);
    }
  });
  if (result.outcome === "dropped" || result.outcome === "gone") {
    forgetPartitions(store.db, PARTITIONED_TABLES.map((table): Partition => ({ table, name: partitionNameOf(table, day), ...day })));
  }
  return result;
}

async function dropLocked(db: Kysely<Database>, kind: Store["kind"], day: Pick<PruneDay, "fromMs" | "toMs">, options: DropDayOptions): Promise<DropDayResult> {
  const names = new Map(PARTITIONED_TABLES.map((table) => [table, partitionNameOf(table, day)]));
  const deliveries = names.get("deliveries")!;
  const states = await stateOf(db, [...names.values()]);
  if (states.size === 0) return { outcome: "gone", dropped: [], pendingDeliveries: 0 };
  try {
    const before = states.has(deliveries) ? await countPendingInTable(db, deliveries) : 0;
    if (before > 0) {
      await reattach(db, day, names);
      return { outcome: "kept", dropped: [], pendingDeliveries: before };
    }
    for (const table of DETACH_ORDER) {
      const state = states.get(names.get(table)!);
      if (state?.detachPending) await detachPartition(db, table, state.name, "finalize");
      else if (state?.attached) await detachPartition(db, table, state.name, kind === "postgres" ? "concurrently" : "plain");
    }
    await options.onDetached?.(db);
    const after = states.has(deliveries) ? await countPendingInTable(db, deliveries) : 0;
    if (after > 0) {
      await reattach(db, day, names);
      return { outcome: "kept", dropped: [], pendingDeliveries: after };
    }
    const dropped = [...states.keys()];
    await dropTables(db, dropped);
    return { outcome: "dropped", dropped, pendingDeliveries: 0 };
  } catch (error) {
    if (!isLockTimeout(error)) throw error;
    // Best effort: leave the day readable. If this times out too, the next prune resumes.
    await reattach(db, day, names).catch(() => {});
    return { outcome: "skipped", dropped: [], pendingDeliveries: 0, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The day's tables that exist now, by name. */
async function stateOf(db: Kysely<Database>, names: readonly string[]): Promise<Map<string, PartitionSize>> {
  const all = await listPartitionSizes(db);
  return new Map(all.filter((size) => names.includes(size.name)).map((size) => [size.name, size]));
}

/** Attaches every table of the day that is detached (finishing a pending detach first), so its rows are visible again. */
async function reattach(db: Kysely<Database>, day: Pick<PruneDay, "fromMs" | "toMs">, names: Map<(typeof PARTITIONED_TABLES)[number], string>): Promise<void> {
  const states = await stateOf(db, [...names.values()]);
  for (const table of PARTITIONED_TABLES) {
    const state = states.get(names.get(table)!);
    if (!state) continue;
    if (state.detachPending) await detachPartition(db, table, state.name, "finalize");
    if (state.detachPending || !state.attached) await attachPartition(db, table, state.name, day.fromMs, day.toMs);
  }
}

/** SQLSTATE 55P03 lock_not_available: `lock_timeout` ran out. */
function isLockTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "55P03";
}
