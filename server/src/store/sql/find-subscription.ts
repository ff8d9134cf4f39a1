import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * The live (not deleted) subscription `id`. With `forUpdate`, locks the row until the
 * transaction ends. Throws `NotFoundError` when there is none.
 */
export async function findSubscription(db: Kysely<Database>, id: string, forUpdate = false): Promise<SubscriptionRow> {
  let query = db.selectFrom("subscriptions").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError("subscription", id);
  return row;
}
