import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Locks the subscription for a health transition (the `endpoint.failing` warning, or the
 * disable) if it is still as the health check saw it: enabled, live, failing since
 * `failingSince`, and (with `unwarned`) not warned yet. Under READ COMMITTED a second process
 * doing the same waits for the first one's transaction and then re-checks these conditions on
 * the row as committed, so of two health checks running at once only one warns or disables.
 * Call it in the transaction that makes the change. Returns whether the row is taken.
 */
export async function takeFailingSubscription(
  trx: Kysely<Database>,
  id: string,
  failingSince: Date,
  unwarned: boolean,
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM subscriptions
    WHERE id = ${id} AND enabled AND deleted_at IS NULL AND failing_since = ${failingSince}
      AND (${!unwarned} OR failing_warned_at IS NULL)
    FOR UPDATE`.execute(trx);
  return rows.length === 1;
}
