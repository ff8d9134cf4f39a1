import type { Kysely } from "kysely";
import type { Database, StoredSecretEntry } from "../schema.js";

/** The stored secrets of subscription `id` (deleted or not), or undefined when there is no such row. */
export async function findSubscriptionSecrets(db: Kysely<Database>, id: string): Promise<StoredSecretEntry[] | undefined> {
  const row = await db.selectFrom("subscriptions").select("secrets").where("id", "=", id).executeTakeFirst();
  return row?.secrets;
}
