import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import { passTurns } from "../ordered-turns.js";

/** What bringing back a subscription's failed and canceled-by-disable deliveries did. */
export interface RecoveredDeliveries {
  /** Failed (or canceled-by-disable) deliveries made pending. */
  recovered: number;
  /** Of those in the range, the ones left as they were because their event's payload expired (nothing to send). */
  skippedPayloadExpired: number;
}

/** The final reason of a delivery canceled because its subscription was disabled (by a call, 410 Gone or the health check). */
const DISABLED_PREFIX = "subscription disabled";

/** The delivery's event had its payload expired (POSTHORN_PAYLOAD_RETENTION_DAYS). */
function payloadExpired(eb: ExpressionBuilder<Database, "deliveries">) {
  return eb.exists(
    eb
      .selectFrom("events")
      .select(sql<number>`1`.as("one"))
      .whereRef("events.id", "=", "deliveries.event_id")
      .whereRef("events.created_at", "=", "deliveries.created_at")
      .where("events.payload_expired_at", "is not", null),
  );
}

/** Failed, or canceled because the subscription was disabled (`cancelPendingDeliveries` reason `subscription disabled…`). */
function recoverable(eb: ExpressionBuilder<Database, "deliveries">) {
  return eb.or([
    eb("state", "=", "failed"),
    eb.and([eb("state", "=", "canceled"), eb(sql<string>`left(final_reason, ${DISABLED_PREFIX.length})`, "=", DISABLED_PREFIX)]),
  ]);
}

/**
 * Makes every failed delivery of the subscription created at or after `since`, and every one
 * canceled because the subscription was disabled, pending and due `now`, each continuing the
 * retry schedule as RetryDelivery does (its attempt count is kept). Deliveries whose event's
 * payload expired are skipped (left as they are) and counted: a bulk recovery after an outage
 * recovers what it can instead of failing on the oldest ones. `since` bounds `created_at`, the
 * partition key. Call it in the caller's transaction (with the subscription locked).
 * `ordered` (the subscription's, read under its lock): the recovered deliveries wait for their
 * turn instead (ordered-turns.ts), in emit order; the earliest is due now unless another one is
 * active.
 */
export async function recoverFailedDeliveries(
  db: Kysely<Database>,
  subscriptionId: string,
  since: Date,
  now: Date,
  ordered = false,
): Promise<RecoveredDeliveries> {
  const result = await db
    .updateTable("deliveries")
    .set({ state: "pending", next_attempt_at: ordered ? null : now, final_reason: "", updated_at: now, ...(ordered ? { ordered: true } : {}) })
    .where("subscription_id", "=", subscriptionId)
    .where(recoverable)
    .where("created_at", ">=", since)
    .where((eb) => eb.not(payloadExpired(eb)))
    .executeTakeFirst();
  if (ordered && result.numUpdatedRows > 0n) await passTurns(db, [subscriptionId], now);
  const skipped = await db
    .selectFrom("deliveries")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("subscription_id", "=", subscriptionId)
    .where(recoverable)
    .where("created_at", ">=", since)
    .where(payloadExpired)
    .executeTakeFirstOrThrow();
  return { recovered: Number(result.numUpdatedRows), skippedPayloadExpired: Number(skipped.count) };
}
