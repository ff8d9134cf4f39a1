import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { PartitionedTable } from "../partitions.js";

/**
 * Attaches table `name` to `table` again as the partition of [fromMs, toMs) (fromMs undefined:
 * MINVALUE), e.g. after the pruner detached it and then found a pending delivery in it. Takes
 * SHARE UPDATE EXCLUSIVE on the parent and reads the table once to check its rows fit the range.
 */
export async function attachPartition(db: Kysely<Database>, table: PartitionedTable, name: string, fromMs: number | undefined, toMs: number): Promise<void> {
  const from = fromMs === undefined ? sql`MINVALUE` : sql.lit(new Date(fromMs).toISOString());
  const to = sql.lit(new Date(toMs).toISOString());
  await sql`ALTER TABLE ${sql.id(table)} ATTACH PARTITION ${sql.id(name)} FOR VALUES FROM (${from}) TO (${to})`.execute(db);
}
