import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { findStalledTurns } from "./sql/find-stalled-turns.js";
import { insertPendingDeliveries, type InsertLease, type NewDelivery } from "./sql/insert-pending-deliveries.js";
import { lockOrderedTurns } from "./sql/lock-ordered-turns.js";
import { promoteWaiting } from "./sql/promote-waiting.js";
import { subscriptionsWithPending } from "./sql/subscriptions-with-pending.js";

/*
 * Ordered delivery (proto Subscription.ordered). Glossary:
 * - active: a pending delivery with a due time (`next_attempt_at` set): due, in flight, or
 *   waiting out its retry delay. The claim only ever sees active deliveries. Those of ordered
 *   subscriptions carry `deliveries.ordered` (set wherever one is made or re-queued for an ordered
 *   subscription, and on the pending ones when `ordered` is turned on), which puts them in the
 *   index that "is one active?" reads.
 * - waiting: a pending delivery with no due time (`next_attempt_at` NULL): it waits for its turn.
 * - turn: an ordered subscription has at most one active delivery; when it ends (succeeded,
 *   failed for good), the waiting one with the lowest `seq` (emit order) becomes due
 *   (`promoteWaiting`). Everything that changes who is active holds the subscription's turn lock
 *   (`lockOrderedTurns`) in the transaction that changes it.
 * The one exception to "at most one active": UpdateSubscription `ordered` false -> true leaves
 * the deliveries pending then active; new ones wait until all of those ended.
 */

/**
 * Inserts new pending deliveries (fan-out, SendTestEvent): a delivery to one of the
 * `orderedSubscriptions` is active only when that subscription has no pending delivery at all
 * (active or waiting) and it is the first of this call for it; the others wait, in the order of
 * `deliveries` (so their `seq` follows it: emit order). Takes the turn locks of those
 * subscriptions for the rest of the transaction `trx`, which serializes emits to one ordered
 * subscription (so `seq` order is commit order). Without an ordered subscription among them:
 * exactly `insertPendingDeliveries`, no other statement. `lease`: the lease of the `leased` rows
 * (never one of an ordered subscription).
 */
export async function insertDeliveriesInTurn(
  trx: Kysely<Database>,
  deliveries: readonly NewDelivery[],
  orderedSubscriptions: ReadonlySet<string>,
  now: Date,
  lease?: InsertLease,
): Promise<void> {
  await insertPendingDeliveries(trx, await takeTurns(trx, deliveries, orderedSubscriptions), now, lease);
}

/**
 * The first half of `insertDeliveriesInTurn`, for a caller that inserts the rows itself (in
 * the same transaction `trx`, right after): takes the turn locks and returns `deliveries` with
 * `ordered` and `waiting` set as they are to be inserted. Without an ordered subscription among
 * them: `deliveries` as they are, and no statement.
 */
export async function takeTurns(
  trx: Kysely<Database>,
  deliveries: readonly NewDelivery[],
  orderedSubscriptions: ReadonlySet<string>,
): Promise<readonly NewDelivery[]> {
  const ordered = [...new Set(deliveries.map((d) => d.subscription_id).filter((id) => orderedSubscriptions.has(id)))];
  if (ordered.length === 0) return deliveries;
  await lockOrderedTurns(trx, ordered);
  const busy = await subscriptionsWithPending(trx, ordered);
  return deliveries.map((delivery) => {
    if (!orderedSubscriptions.has(delivery.subscription_id)) return delivery;
    const waiting = busy.has(delivery.subscription_id);
    busy.add(delivery.subscription_id);
    return { ...delivery, ordered: true, waiting };
  });
}

/**
 * A delivery of each of `subscriptionIds` ended (or was re-queued as waiting): under their turn
 * locks, each one with no active delivery left gets its earliest waiting one made due at `now`.
 * Harmless for a subscription with nothing waiting (not ordered, or nothing emitted meanwhile).
 * Returns how many deliveries were made due (wake the workers after the commit when > 0).
 */
export async function passTurns(trx: Kysely<Database>, subscriptionIds: readonly string[], now: Date): Promise<number> {
  if (subscriptionIds.length === 0) return 0;
  await lockOrderedTurns(trx, subscriptionIds);
  return promoteWaiting(trx, subscriptionIds, now);
}

/**
 * The repair pass, a safety net (run by the lease sweeper): ordered subscriptions with waiting
 * deliveries and none active (`findStalledTurns`) get their earliest waiting one made due at
 * `now`, under their turn locks (which re-check). Returns how many were made due.
 */
export async function repairStalledTurns(db: Kysely<Database>, now: Date): Promise<number> {
  const stalled = await findStalledTurns(db);
  if (stalled.length === 0) return 0;
  return db.transaction().execute((trx) => passTurns(trx, stalled, now));
}
