import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The next turn of ordered subscriptions: for each of `subscriptionIds` that has no active
 * pending delivery left (none due, none in flight), its waiting delivery with the lowest `seq`
 * (the earliest emitted) is made due at `now` (function `posthorn_promote_waiting`, migration
 * 0012). One statement for all ids. Call it under the turn lock (`lockOrderedTurns`), in a
 * statement after the lock was taken. Returns how many were made due (at most one per subscription).
 */
export async function promoteWaiting(trx: Kysely<Database>, subscriptionIds: readonly string[], now: Date): Promise<number> {
  if (subscriptionIds.length === 0) return 0;
  const { rows } = await sql<{ made_due: string | number | null }>`
    SELECT sum(posthorn_promote_waiting(s.id, ${now}::timestamptz)) AS made_due
    FROM unnest(${[...new Set(subscriptionIds)].sort()}::text[]) AS s (id)`.execute(trx);
  return Number(rows[0]?.made_due ?? 0);
}
