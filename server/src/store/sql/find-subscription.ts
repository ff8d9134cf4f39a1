import type { Kysely } from "kysely";
import { NotFoundError } from "../../domain/errors.js";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";
import { ALL_CUSTOMERS, type Scope } from "../scope.js";

/**
 * The live (not deleted) subscription `id`, if it belongs to `scope.customerId` (when set: for a
 * customer's key, another customer's subscription does not exist). With a `lock`, the row stays locked until the
 * transaction ends: "update" FOR UPDATE (to change it), "share" FOR SHARE (to act on
 * its current state). Throws `NotFoundError` when there is none.
 */
export async function findSubscription(
  db: Kysely<Database>,
  id: string,
  lock: false | "update" | "share" = false,
  scope: Scope = ALL_CUSTOMERS,
): Promise<SubscriptionRow> {
  let query = db.selectFrom("subscriptions").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (scope.customerId !== undefined) query = query.where("customer_id", "=", scope.customerId);
  if (lock === "update") query = query.forUpdate();
  if (lock === "share") query = query.forShare();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError("subscription", id);
  return row;
}
