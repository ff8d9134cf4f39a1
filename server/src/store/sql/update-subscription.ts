import type { Kysely, Updateable } from "kysely";
import type { SubscriptionRow } from "../rows.js";
import type { Database, SubscriptionTable } from "../schema.js";

/** Writes `patch` to the subscription `id` and returns the row as stored. */
export async function updateSubscription(
  db: Kysely<Database>,
  id: string,
  patch: Updateable<SubscriptionTable>,
): Promise<SubscriptionRow> {
  return db.updateTable("subscriptions").set(patch).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
}
