import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Whether the deliveries partition `partition` (e.g. `deliveries_p20261204`) holds a pending
 * delivery. One probe of the partial index `deliveries_pending` (migration 0006).
 */
export async function hasPendingDeliveries(db: Kysely<Database>, partition: string): Promise<boolean> {
  const { rows } = await sql<{ pending: boolean }>`
    SELECT EXISTS (SELECT 1 FROM ${sql.id(partition)} WHERE state = 'pending') AS pending`.execute(db);
  return rows[0]!.pending;
}
