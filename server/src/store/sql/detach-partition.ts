import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { PartitionedTable } from "../partitions.js";

/**
 * How a partition is detached (PostgreSQL docs, ALTER TABLE … DETACH PARTITION):
 * - `concurrently`: two transactions taking SHARE UPDATE EXCLUSIVE on the parent, so inserts,
 *   the claim and reads go on; PostgreSQL 14+, not inside a transaction block. Interrupted, it
 *   leaves the partition "detach pending";
 * - `finalize`: completes such a pending detach;
 * - `plain`: one step under ACCESS EXCLUSIVE on the parent (PGlite: one connection, nobody waits).
 */
export type DetachMode = "concurrently" | "finalize" | "plain";

/** Detaches partition `name` from `table`; the table stays, with its rows and indexes. */
export async function detachPartition(db: Kysely<Database>, table: PartitionedTable, name: string, mode: DetachMode): Promise<void> {
  const suffix = mode === "concurrently" ? sql` CONCURRENTLY` : mode === "finalize" ? sql` FINALIZE` : sql``;
  await sql`ALTER TABLE ${sql.id(table)} DETACH PARTITION ${sql.id(name)}${suffix}`.execute(db);
}
