import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The subscription stopped being ordered (UpdateSubscription `ordered` true -> false): every
 * delivery of it waiting for its turn (ordered-turns.ts) is due at `now`, as if it had never
 * waited. Run it in the transaction that stores the change, holding the subscription row FOR
 * UPDATE (emits lock it FOR SHARE, so none is between its fan-out and its commit). Returns how
 * many were made due.
 */
export async function releaseWaitingDeliveries(db: Kysely<Database>, subscriptionId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ next_attempt_at: now, updated_at: now })
    .where("subscription_id", "=", subscriptionId)
    .where("state", "=", "pending")
    .where("next_attempt_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
