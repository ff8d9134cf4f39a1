/**
 * STAND-IN until i14-retention's `planPrune` / `dropDay` (server/src/store) are merged: the days
 * a prune at `nowMs` drops, and dropping one day's three partitions the way the server will
 * (DETACH PARTITION … CONCURRENTLY, then DROP TABLE: the parents are never locked against
 * inserts or the claim).
 */
import { sql } from "kysely";
import type { Store } from "../server/src/store/database.js";
import { dayPartitionName, listPartitions, PARTITIONED_TABLES } from "../server/src/store/partitions.js";

/** Start (unix ms) of every day whose partitions all lie before `nowMs − retentionMs`, oldest first. */
export async function planPrune(store: Store, nowMs: number, retentionMs: number): Promise<number[]> {
  const days = new Set((await listPartitions(store.db)).filter((p) => p.fromMs !== undefined && p.toMs <= nowMs - retentionMs).map((p) => p.fromMs!));
  return [...days].sort((a, b) => a - b);
}

/** Detaches and drops the three partitions of the day starting at `dayMs`. */
export async function dropDay(store: Store, dayMs: number): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    const name = dayPartitionName(table, dayMs);
    await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(name)} CONCURRENTLY`.execute(store.db);
    await sql`DROP TABLE ${sql.id(name)}`.execute(store.db);
  }
}
