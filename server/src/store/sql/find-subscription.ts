import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * The live (not deleted) subscription `id`. With a `lock`, the row stays locked until the
 * transaction ends: "update" FOR UPDATE (to change it), "share" FOR SHARE (to act on
 * its current state). Throws `NotFoundError` when there is none.
 */
export async function findSubscription(
  db: Kysely<Database>,
  id: string,
  lock: false | "update" | "share" = false,
): Promise<SubscriptionRow> {
  let query = db.selectFrom("subscriptions").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (lock === "update") query = query.forUpdate();
  if (lock === "share") query = query.forShare();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError("subscription", id);
  return row;
}
