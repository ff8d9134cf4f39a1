import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Cancels the subscription's pending deliveries (it was disabled or deleted), recording
 * `reason`. A delivery a worker is attempting right now is canceled too; the worker's attempt
 * row is still written, but the delivery stays canceled (see `recordAttempts`). Returns how
 * many were canceled.
 */
export async function cancelPendingDeliveries(
  db: Kysely<Database>,
  subscriptionId: string,
  reason: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ state: "canceled", next_attempt_at: null, lease_owner: null, lease_expires_at: null, final_reason: reason, updated_at: now })
    .where("subscription_id", "=", subscriptionId)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
