import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * RecoverFailedDeliveries: makes every failed delivery of the subscription created at or
 * after `since` pending and due `now`, each continuing the retry schedule as RetryDelivery does.
 * Returns how many.
 */
export async function recoverFailedDeliveries(
  db: Kysely<Database>,
  subscriptionId: string,
  since: Date,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ state: "pending", next_attempt_at: now, final_reason: "", updated_at: now })
    .where("subscription_id", "=", subscriptionId)
    .where("state", "=", "failed")
    .where("created_at", ">=", since)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
