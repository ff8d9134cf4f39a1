import type { Insertable, Kysely } from "kysely";
import type { AttemptRow, DeliveryRow } from "../rows.js";
import type { AttemptTable, Database, DeliveryStateName } from "../schema.js";
import { cancelPendingDeliveries } from "./cancel-pending-deliveries.js";

/** What an attempt did to its delivery. */
export interface AttemptResult {
  attempt: Insertable<AttemptTable>;
  /** The delivery's new state. */
  state: DeliveryStateName;
  /** When the next attempt is due (state pending only). */
  nextAttemptAt: Date | null;
  finalReason: string;
  /** Disable the subscription (410 Gone), with this reason. */
  disableSubscription?: { id: string; reason: string };
}

/**
 * Records one attempt and its consequence, in the transaction the caller opened: the attempt
 * row; the delivery's count, state, due time (the lease is dropped) — only if `owner` still
 * holds the lease, so a delivery canceled meanwhile stays canceled; and, for 410 Gone, the
 * subscription disabled and its other pending deliveries canceled.
 * Returns the delivery after the change, or undefined when the lease was lost.
 */
export async function recordAttempt(
  trx: Kysely<Database>,
  owner: string,
  result: AttemptResult,
  now: Date,
): Promise<{ delivery: DeliveryRow | undefined; attempt: AttemptRow }> {
  const attempt = await trx.insertInto("attempts").values(result.attempt).returningAll().executeTakeFirstOrThrow();
  const delivery = await trx
    .updateTable("deliveries")
    .set({
      attempt_count: result.attempt.attempt_number,
      state: result.state,
      next_attempt_at: result.nextAttemptAt,
      final_reason: result.finalReason,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where("id", "=", result.attempt.delivery_id)
    .where("lease_owner", "=", owner)
    .returningAll()
    .executeTakeFirst();
  if (result.disableSubscription) {
    const { id, reason } = result.disableSubscription;
    await trx
      .updateTable("subscriptions")
      .set({ enabled: false, disabled_reason: reason, updated_at: now })
      .where("id", "=", id)
      .where("enabled", "=", true)
      .execute();
    await cancelPendingDeliveries(trx, id, `subscription disabled: ${reason}`, now);
  }
  return { delivery, attempt };
}
