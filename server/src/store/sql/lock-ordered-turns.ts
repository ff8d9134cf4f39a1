import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Takes the turn lock of each ordered subscription in `subscriptionIds` for the rest of the
 * caller's transaction `trx`: a transaction-scoped advisory lock keyed by the subscription id
 * (64-bit hash, `hashtextextended`). Everything that decides which delivery of an ordered
 * subscription is active — an emit's fan-out, the end of a delivery (promotion), RetryDelivery,
 * RecoverFailedDeliveries, the repair pass — holds it, so two of them never both see "none
 * active" and both make one due. Locks are taken in id order (no deadlock between two callers
 * with several ids). Read what the lock guards in a LATER statement: a statement's snapshot is
 * taken when it starts (READ COMMITTED), so it could miss what the previous holder committed.
 * Lock order, so that none of this deadlocks: change the delivery rows you change (an attempt's
 * outcome, a re-queue) BEFORE taking the lock, and while holding it only insert deliveries or
 * change waiting ones (which nobody else locks without holding it, except a cancel or the
 * `ordered` switch, and those wait for nothing held under it).
 *
 * Why not `FOR UPDATE` on the subscription row: fan-out locks the rows FOR SHARE in one
 * statement before it knows which are ordered, and upgrading a share lock that another emit
 * also holds deadlocks (PostgreSQL aborts one after `deadlock_timeout`).
 */
export async function lockOrderedTurns(trx: Kysely<Database>, subscriptionIds: readonly string[]): Promise<void> {
  const ids = [...new Set(subscriptionIds)].sort();
  if (ids.length === 0) return;
  await sql`
    SELECT pg_advisory_xact_lock(hashtextextended('posthorn.ordered.' || id, 0))
    FROM unnest(${ids}::text[]) WITH ORDINALITY AS t (id, n)
    ORDER BY n`.execute(trx);
}
