import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Which of `subscriptionIds` have a pending delivery, active (due or in flight) or waiting for
 * its turn: two index probes each (`deliveries_active`, `deliveries_waiting`). Call it under the
 * turn lock (`lockOrderedTurns`), in a statement after the lock was taken.
 */
export async function subscriptionsWithPending(trx: Kysely<Database>, subscriptionIds: readonly string[]): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT s.id FROM unnest(${[...new Set(subscriptionIds)]}::text[]) AS s (id)
    WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending' AND d.next_attempt_at IS NOT NULL)
       OR EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending' AND d.next_attempt_at IS NULL)`.execute(trx);
  return new Set(rows.map((row) => row.id));
}
