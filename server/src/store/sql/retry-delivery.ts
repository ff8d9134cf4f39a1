import { sql, type Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../../domain/errors.js";
import type { DeliveryRow } from "../rows.js";
import { lookupById } from "../partitions.js";
import type { Database } from "../schema.js";
import { ALL_CUSTOMERS, type Scope } from "../scope.js";
import { passTurns } from "../ordered-turns.js";

/**
 * RetryDelivery: makes the delivery `id` pending and due `now`, whatever its state; the next
 * attempt is numbered after the last one and the retry schedule continues from there (one that
 * used the whole schedule gets this one attempt; see `decideAfterAttempt`). A
 * delivery a worker holds right now keeps its lease (it is being attempted already).
 * Throws `NotFoundError` (also for another customer's delivery when `scope` names one), or `FailedPreconditionError` when its subscription is deleted or
 * disabled (a disabled endpoint receives nothing; enable it first) or its event's payload expired
 * (POSTHORN_PAYLOAD_RETENTION_DAYS: there is no body left to send). Run it in a transaction:
 * the subscription and event rows are read FOR SHARE so a concurrent disable or payload expiry
 * cannot slip in between.
 *
 * Ordered subscription (ordered-turns.ts): the delivery keeps its place in emit order. One that
 * ended is re-queued as waiting and is due at once only when no other delivery of the
 * subscription is active (its `seq` is lower than every waiting one's, so it goes next); one
 * waiting already keeps waiting; an active one is due now as above.
 */
export async function retryDelivery(db: Kysely<Database>, id: string, now: Date, scope: Scope = ALL_CUSTOMERS): Promise<DeliveryRow> {
  const delivery = await lookupById(id, (day) => {
    let query = db.selectFrom("deliveries").select(["subscription_id", "event_id", "created_at"]).where("id", "=", id);
    if (day) query = query.where("created_at", ">=", day.from).where("created_at", "<", day.to);
    if (scope.customerId !== undefined) query = query.where("customer_id", "=", scope.customerId);
    return query.executeTakeFirst();
  });
  if (!delivery) throw new NotFoundError("delivery", id);
  await checkPayloadKept(db, id, delivery);
  const subscription = await db
    .selectFrom("subscriptions")
    .select(["deleted_at", "enabled", "ordered"])
    .where("id", "=", delivery.subscription_id)
    .forShare()
    .executeTakeFirstOrThrow();
  if (subscription.deleted_at) {
    throw new FailedPreconditionError(`delivery ${id}: its subscription ${delivery.subscription_id} was deleted`);
  }
  if (!subscription.enabled) {
    throw new FailedPreconditionError(
      `delivery ${id}: its subscription ${delivery.subscription_id} is disabled; enable it (UpdateSubscription) first`,
    );
  }
  const find = () => db.selectFrom("deliveries").selectAll().where("id", "=", id).where("created_at", "=", delivery.created_at).executeTakeFirstOrThrow();
  // Ordered: due now only while active (decided on the row as it is when updated); else waiting.
  const dueAt = subscription.ordered ? sql<Date | null>`CASE WHEN state = 'pending' AND next_attempt_at IS NOT NULL THEN ${now}::timestamptz END` : now;
  let query = db
    .updateTable("deliveries")
    .set({ state: "pending", next_attempt_at: dueAt, final_reason: "", updated_at: now, ...(subscription.ordered ? { ordered: true } : {}) })
    .where("id", "=", id)
    .where("created_at", "=", delivery.created_at);
  // A waiting one is left alone (not even locked: a promotion may be making it due right now).
  if (subscription.ordered) query = query.where(sql<boolean>`NOT (state = 'pending' AND next_attempt_at IS NULL)`);
  const row = await query.returningAll().executeTakeFirst();
  if (row === undefined) return find();
  // Re-queued as waiting: the turn lock is taken only now, after the row (as everywhere: rows, then turn locks).
  if (row.next_attempt_at !== null || (await passTurns(db, [delivery.subscription_id], now)) === 0) return row;
  return find();
}

/** Throws `FailedPreconditionError` when the payload of the delivery's event expired: a retry would have nothing to send. */
async function checkPayloadKept(db: Kysely<Database>, id: string, delivery: { event_id: string; created_at: Date }): Promise<void> {
  const event = await db
    .selectFrom("events")
    .select("payload_expired_at")
    .where("id", "=", delivery.event_id)
    .where("created_at", "=", delivery.created_at)
    .forShare()
    .executeTakeFirst();
  if (event?.payload_expired_at) {
    throw new FailedPreconditionError(
      `delivery ${id}: the payload of its event ${delivery.event_id} expired at ${event.payload_expired_at.toISOString()} ` +
        "(older than POSTHORN_PAYLOAD_RETENTION_DAYS); there is no body left to send",
    );
  }
}
