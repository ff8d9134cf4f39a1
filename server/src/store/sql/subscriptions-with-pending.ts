import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Which of `subscriptionIds` have a pending delivery, active (due or in flight) or waiting for
 * its turn: two index probes each (`deliveries_active`, `deliveries_waiting`), in the function
 * `posthorn_has_pending` (migration 0012: its plans are kept per connection). Call it under the
 * turn lock (`lockOrderedTurns`), in a statement after the lock was taken.
 */
export async function subscriptionsWithPending(trx: Kysely<Database>, subscriptionIds: readonly string[]): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT s.id FROM unnest(${[...new Set(subscriptionIds)]}::text[]) AS s (id) WHERE posthorn_has_pending(s.id)`.execute(trx);
  return new Set(rows.map((row) => row.id));
}
