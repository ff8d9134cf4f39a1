import type { Kysely } from "kysely";
import type { Database, SubscriptionTable } from "../schema.js";
import type { SubscriptionRow } from "../rows.js";
import type { Insertable } from "kysely";

/** Inserts a new subscription and returns it as stored. */
export async function insertSubscription(db: Kysely<Database>, row: Insertable<SubscriptionTable>): Promise<SubscriptionRow> {
  return db.insertInto("subscriptions").values(row).returningAll().executeTakeFirstOrThrow();
}
