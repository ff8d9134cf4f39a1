import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Locks the rows of those of `ids` that have a rate limit (FOR NO KEY UPDATE, in id order, so
 * two callers over the same subscriptions cannot deadlock; Emit's FOR SHARE on them is waited
 * for) and returns their ids. Run in the transaction of `takeRateSlots`: the lock makes the
 * take's read-modify-write of `rate_limit_tat` exclusive across processes.
 */
export async function lockRateLimitedSubscriptions(trx: Kysely<Database>, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom("subscriptions")
    .select("id")
    .where("id", "in", ids)
    .where("rate_limit_per_second", ">", 0)
    .orderBy("id")
    .forNoKeyUpdate()
    .execute();
  return rows.map((row) => row.id);
}
