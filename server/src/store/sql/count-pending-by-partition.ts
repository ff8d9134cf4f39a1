import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Pending deliveries created before `before`, counted per deliveries partition (name → count;
 * partitions without any are absent). Reads the partial index `deliveries_pending` (migration
 * 0006) of the partitions that end before `before` only, so its cost is the pending backlog
 * past retention, not the table size.
 */
export async function countPendingByPartition(db: Kysely<Database>, before: Date): Promise<Map<string, number>> {
  const { rows } = await sql<{ name: string; pending: number }>`
    SELECT c.relname AS name, p.pending
    FROM (
      SELECT tableoid, count(*)::int AS pending FROM deliveries WHERE state = 'pending' AND created_at < ${before} GROUP BY tableoid
    ) AS p
    JOIN pg_class AS c ON c.oid = p.tableoid`.execute(db);
  return new Map(rows.map((row) => [row.name, Number(row.pending)]));
}
