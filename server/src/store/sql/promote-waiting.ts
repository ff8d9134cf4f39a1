import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The next turn of ordered subscriptions: for each of `subscriptionIds` that has no active
 * pending delivery left (none due, none in flight), its waiting delivery with the lowest `seq`
 * (the earliest emitted) is made due at `now`. One statement for all ids. Call it under the turn
 * lock (`lockOrderedTurns`), in a statement after the lock was taken. Returns how many were made
 * due (at most one per subscription).
 */
export async function promoteWaiting(trx: Kysely<Database>, subscriptionIds: readonly string[], now: Date): Promise<number> {
  if (subscriptionIds.length === 0) return 0;
  const result = await sql`
    UPDATE deliveries AS d
    SET next_attempt_at = ${now}, updated_at = ${now}
    FROM unnest(${[...new Set(subscriptionIds)]}::text[]) AS s (id),
         LATERAL (SELECT w.id, w.created_at FROM deliveries w
                  WHERE w.subscription_id = s.id AND w.state = 'pending' AND w.next_attempt_at IS NULL
                  ORDER BY w.seq LIMIT 1) AS head
    WHERE d.id = head.id AND d.created_at = head.created_at AND d.state = 'pending' AND d.next_attempt_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries a WHERE a.subscription_id = s.id AND a.state = 'pending' AND a.next_attempt_at IS NOT NULL)`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}
