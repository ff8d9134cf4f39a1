import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** The customer of subscription `id`, deleted ones included; "" when there is none. */
export async function customerOfSubscription(db: Kysely<Database>, id: string): Promise<string> {
  const row = await db.selectFrom("subscriptions").select("customer_id").where("id", "=", id).executeTakeFirst();
  return row?.customer_id ?? "";
}
