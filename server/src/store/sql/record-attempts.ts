import { sql, type Insertable, type Kysely } from "kysely";
import type { AttemptRow, DeliveryRow } from "../rows.js";
import type { AttemptTable, Database, DeliveryStateName } from "../schema.js";
import { cancelPendingDeliveries } from "./cancel-pending-deliveries.js";

/** What an attempt did to its delivery. */
export interface AttemptResult {
  attempt: Insertable<AttemptTable> & { id: string; delivery_id: string; attempt_number: number };
  /** The delivery's new state. */
  state: DeliveryStateName;
  /** When the next attempt is due (state pending only). */
  nextAttemptAt: Date | null;
  finalReason: string;
  /** Disable the subscription (410 Gone), with this reason. */
  disableSubscription?: { id: string; reason: string };
}

export interface RecordedAttempt {
  attempt: AttemptRow;
  /** The delivery after the change; undefined when `owner` had lost the lease (canceled meanwhile, or swept). */
  delivery: DeliveryRow | undefined;
}

/**
 * Records a batch of finished attempts, in the transaction the caller opened, with two
 * statements whatever the batch size: one multi-row INSERT of the attempt rows, and one
 * UPDATE … FROM (VALUES …) of their deliveries (count, state, due time; the lease dropped) —
 * only where `owner` still holds the lease, so a delivery canceled meanwhile stays canceled.
 * For 410 Gone, the subscription is disabled and its other pending deliveries canceled.
 * Results come back in input order.
 */
export async function recordAttempts(
  trx: Kysely<Database>,
  owner: string,
  results: readonly AttemptResult[],
  now: Date,
): Promise<RecordedAttempt[]> {
  if (results.length === 0) return [];
  const attempts = await trx
    .insertInto("attempts")
    .values(results.map((result) => result.attempt))
    .returningAll()
    .execute();
  const values = results.map(
    (r) =>
      sql`(${r.attempt.delivery_id}, ${r.attempt.attempt_number}::integer, ${r.state}, ${r.nextAttemptAt}::timestamptz, ${r.finalReason})`,
  );
  const { rows: deliveries } = await sql<DeliveryRow>`
    UPDATE deliveries AS d
    SET attempt_count = v.attempt_number, state = v.state, next_attempt_at = v.next_attempt_at,
        final_reason = v.final_reason, lease_owner = NULL, lease_expires_at = NULL, updated_at = ${now}
    FROM (VALUES ${sql.join(values)}) AS v (id, attempt_number, state, next_attempt_at, final_reason)
    WHERE d.id = v.id AND d.lease_owner = ${owner}
    RETURNING d.*`.execute(trx);
  for (const result of results) {
    if (!result.disableSubscription) continue;
    const { id, reason } = result.disableSubscription;
    await trx
      .updateTable("subscriptions")
      .set({ enabled: false, disabled_reason: reason, updated_at: now })
      .where("id", "=", id)
      .where("enabled", "=", true)
      .execute();
    await cancelPendingDeliveries(trx, id, `subscription disabled: ${reason}`, now);
  }
  const attemptById = new Map(attempts.map((a) => [a.id, a]));
  const deliveryById = new Map(deliveries.map((d) => [d.id, d]));
  return results.map((r) => ({ attempt: attemptById.get(r.attempt.id)!, delivery: deliveryById.get(r.attempt.delivery_id) }));
}
