import { sql, type Kysely } from "kysely";
import { newId } from "../../domain/ids.js";
import type { DeliveryStateName } from "../../domain/delivery-state.js";
import type { ExhaustedDelivery } from "../report-exhausted-deliveries.js";
import type { Database } from "../schema.js";
import { passTurns } from "../ordered-turns.js";

/** What follows an abandoned attempt (decided by the retry policy, `delivery/retry-policy.ts`). */
export interface AfterAbandoned {
  state: Extract<DeliveryStateName, "pending" | "failed">;
  /** When the next attempt is due (state pending only). */
  nextAttemptAt: Date | null;
  finalReason: string;
}

/** The attempt error text of an abandoned attempt (no secrets: the lease owner is a process id). */
export function abandonedMessage(owner: string): string {
  return (
    `the worker holding the lease (${owner}) did not record this attempt's outcome before the lease ran out ` +
    `(it crashed, stalled or lost the database); the request may or may not have reached the endpoint`
  );
}

/**
 * The lease sweeper: deliveries whose lease expired at `now` (their worker crashed, stalled
 * past its heartbeat or lost the database) get their started attempt — number
 * `attempt_count`, taken at the claim — recorded as `abandoned`, and are freed: pending again
 * when `decide(attemptNumber)` says so (due at once: the endpoint is not at fault), or failed
 * when that was the last attempt. So the attempts list still matches the requests sent, and a
 * delivery that crashes its worker every time ends after the schedule's number of attempts.
 *
 * One transaction over at most `limit` rows, locked `FOR UPDATE SKIP LOCKED` so several
 * sweepers never double-record. If the late worker records the real outcome afterwards, it
 * replaces the `abandoned` row (see `recordAttempts`). `reportFailed` runs in the same
 * transaction with the deliveries failed for good (`delivery.exhausted`, see
 * report-exhausted-deliveries.ts) and returns how many deliveries it made due; then (last: turn
 * locks) a delivery failed here lets the next one of its ordered subscription go (`passTurns`).
 * Returns the ids of the freed deliveries and of the attempt rows written (for
 * WatchDeliveries), and `madeDue` (both kinds).
 */
export async function abandonExpiredLeases(
  db: Kysely<Database>,
  now: Date,
  decide: (attemptNumber: number) => AfterAbandoned,
  /** Deliveries the sweeping process is attempting right now: never swept by it (a late heartbeat is not a crash). */
  runningHere: readonly string[],
  reportFailed?: (trx: Kysely<Database>, failed: ExhaustedDelivery[]) => Promise<number>,
  limit = 500,
): Promise<{ deliveryIds: string[]; attemptIds: string[]; madeDue: number }> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom("deliveries")
      .select(["id", "created_at", "attempt_count", "lease_owner", "leased_at", "event_id", "event_type", "subscription_id", "customer_id", "endpoint_url", "ordered"])
      .where("lease_owner", "is not", null)
      .where("lease_expires_at", "<", now)
      .where("id", "not in", runningHere.length > 0 ? runningHere : [""])
      .orderBy("lease_expires_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (expired.length === 0) return { deliveryIds: [], attemptIds: [], madeDue: 0 };
    // A delivery whose count is 0 was leased by a version that did not number at the claim.
    const started = expired.filter((row) => row.attempt_count > 0);
    const decisions = expired.map((row) => decide(Math.max(1, row.attempt_count)));
    let attemptIds: string[] = [];
    if (started.length > 0) {
      const inserted = await trx
        .insertInto("attempts")
        .values(
          started.map((row) => {
            const decision = decisions[expired.indexOf(row)]!;
            return {
              id: newId("attempt", row.created_at.getTime()),
              delivery_id: row.id,
              delivery_created_at: row.created_at,
              attempt_number: row.attempt_count,
              started_at: row.leased_at ?? now,
              status_code: null,
              duration_ms: 0,
              error_kind: "abandoned",
              error_message: abandonedMessage(row.lease_owner!),
              response_excerpt: "",
              signature: "",
              succeeded: false,
              will_retry: decision.state === "pending",
            };
          }),
        )
        // The worker recorded the outcome at the last moment: its row stands.
        .onConflict((oc) => oc.columns(["delivery_id", "attempt_number", "delivery_created_at"]).doNothing())
        .returning("id")
        .execute();
      attemptIds = inserted.map((row) => row.id);
    }
    await sql`
      UPDATE deliveries AS d
      SET state = v.state, next_attempt_at = v.next_attempt_at, final_reason = v.final_reason,
          lease_owner = NULL, lease_expires_at = NULL, leased_at = NULL, updated_at = ${now}
      FROM unnest(${expired.map((r) => r.id)}::text[], ${expired.map((r) => r.created_at)}::timestamptz[], ${decisions.map((d) => d.state)}::text[],
                  ${decisions.map((d) => d.nextAttemptAt)}::timestamptz[], ${decisions.map((d) => d.finalReason)}::text[])
           AS v (id, created_at, state, next_attempt_at, final_reason)
      WHERE d.id = v.id AND d.created_at = v.created_at`.execute(trx);
    const failed = expired
      .map((row, i) => ({ ...row, attempts: Math.max(1, row.attempt_count), final_reason: decisions[i]!.finalReason }))
      .filter((_row, i) => decisions[i]!.state === "failed");
    const reported = failed.length > 0 && reportFailed ? await reportFailed(trx, failed) : 0;
    // A delivery failed for good lets the next one of its ordered subscription go (ordered-turns.ts).
    const madeDue = reported + (await passTurns(trx, failed.filter((row) => row.ordered).map((row) => row.subscription_id), now));
    return { deliveryIds: expired.map((row) => row.id), attemptIds, madeDue };
  });
}
