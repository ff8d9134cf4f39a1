import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Locks the subscription rows `ids` FOR UPDATE for the rest of the caller's transaction `trx`,
 * in id order (two callers over the same subscriptions wait for each other instead of
 * deadlocking). Ids that name no row are ignored. A recorded batch's effects take it before
 * they touch delivery rows (see `AttemptBatchEffect.subscriptionsToLock`).
 */
export async function lockSubscriptionsForUpdate(trx: Kysely<Database>, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  await trx.selectFrom("subscriptions").select("id").where("id", "in", unique).orderBy("id").forUpdate().execute();
}
