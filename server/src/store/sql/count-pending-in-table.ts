import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Pending deliveries in one deliveries partition table, attached or detached (the pruner's
 * check before and after detaching it). `table` is a partition name from store/partitions.ts.
 */
export async function countPendingInTable(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ pending: number }>`SELECT count(*)::int AS pending FROM ${sql.id(table)} WHERE state = 'pending'`.execute(db);
  return Number(rows[0]?.pending ?? 0);
}
