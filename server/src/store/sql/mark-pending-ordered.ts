import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The subscription became ordered (UpdateSubscription `ordered` false -> true): its pending
 * deliveries stay active (they may still go in parallel) but now take turns
 * (`deliveries.ordered`, ordered-turns.ts), so new ones wait until all of them ended. Run it in
 * the transaction that stores the change, holding the subscription row FOR UPDATE (no emit is
 * between its fan-out and its commit then). Returns how many were marked.
 */
export async function markPendingOrdered(db: Kysely<Database>, subscriptionId: string): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ ordered: true })
    .where("subscription_id", "=", subscriptionId)
    .where("state", "=", "pending")
    .where("ordered", "=", false)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
