import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** The endpoint's failed attempts in a spell. */
export interface FailedAttempts {
  /** Failed attempts started at or after the spell's start. */
  count: number;
  /** Start of the latest of them; null: none. */
  lastStartedAt: Date | null;
}

/**
 * Counts the subscription's attempts that failed on the endpoint's side (see
 * `isEndpointFailure`: not `abandoned`, not `shutdown`) and started at or after `since`.
 * `deliveriesFrom` bounds the deliveries looked at by their `created_at` (the partition key of
 * deliveries and attempts, so only those day partitions are read): the caller passes `since`
 * minus the longest time a delivery is retried, so the retries of older deliveries count. A
 * manual RetryDelivery of an older delivery is missed: the count errs low, never high.
 */
export async function countFailedAttempts(
  db: Kysely<Database>,
  subscriptionId: string,
  since: Date,
  deliveriesFrom: Date,
): Promise<FailedAttempts> {
  const { rows } = await sql<{ count: string | number; last_started_at: Date | null }>`
    SELECT count(*) AS count, max(a.started_at) AS last_started_at
    FROM deliveries AS d
    JOIN attempts AS a ON a.delivery_id = d.id AND a.delivery_created_at = d.created_at
    WHERE d.subscription_id = ${subscriptionId} AND d.created_at >= ${deliveriesFrom} AND a.delivery_created_at >= ${deliveriesFrom}
      AND a.started_at >= ${since} AND NOT a.succeeded
      AND (a.error_kind IS NULL OR a.error_kind NOT IN ('abandoned', 'shutdown'))`.execute(db);
  const row = rows[0]!;
  return { count: Number(row.count), lastStartedAt: row.last_started_at };
}
