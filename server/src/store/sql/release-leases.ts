import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** A leased delivery as the lease functions find it: its id and `created_at` (the partition key). */
export interface LeasedDelivery {
  id: string;
  created_at: Date;
}

/** The distinct `created_at` values of `deliveries`: as constants in the WHERE, they let the planner read only their partitions. */
export function partitionKeys(deliveries: readonly LeasedDelivery[]): Date[] {
  return [...new Set(deliveries.map((d) => d.created_at.getTime()))].map((ms) => new Date(ms));
}

/**
 * Gives claimed deliveries back WITHOUT an attempt (shutdown before sending, an endpoint at its
 * concurrency limit, a claim that arrived after its lease ran out): the lease is dropped, the
 * attempt number the claim took is returned (`attempt_count − 1`), and the delivery is due at
 * `dueAt`. Only rows still leased by `owner` change, so a delivery another worker took over is
 * left alone. Never call it for a delivery whose request may have been sent: record an attempt
 * instead. Returns how many were released.
 */
export async function releaseLeases(
  db: Kysely<Database>,
  owner: string,
  deliveries: readonly LeasedDelivery[],
  dueAt: Date,
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await db
    .updateTable("deliveries")
    .set({
      lease_owner: null,
      lease_expires_at: null,
      leased_at: null,
      next_attempt_at: dueAt,
      attempt_count: sql<number>`attempt_count - 1`,
    })
    .where("id", "in", deliveries.map((d) => d.id))
    .where("created_at", "in", partitionKeys(deliveries))
    .where("lease_owner", "=", owner)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
