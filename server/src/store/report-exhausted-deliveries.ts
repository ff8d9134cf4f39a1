import type { Kysely } from "kysely";
import type { OperationalEvent } from "../domain/operational-events.js";
import { emitOperationalEvents } from "./operational-events.js";
import type { Database } from "./schema.js";
import type { AttemptBatchEffect, AttemptResult } from "./sql/record-attempts.js";

/**
 * A delivery that failed for good after an attempt, as `delivery.exhausted` reports it. Two
 * places fail deliveries that way, and both report: the attempt batch (`exhaustedDeliveriesEffect`)
 * and the lease sweeper, when the abandoned attempt of a crashed worker was the schedule's last
 * (`abandonExpiredLeases`). Not reported: a delivery failed WITHOUT an attempt because its
 * event's payload expired (`failPayloadExpiredDeliveries`): no attempt was made, only a race
 * with RetryDelivery gets there (a day with pending deliveries keeps its payloads), and the
 * claim path that fails it has no transaction to share; the server logs it as an error.
 */
export interface ExhaustedDelivery {
  id: string;
  event_id: string;
  event_type: string;
  subscription_id: string;
  customer_id: string;
  /** The subscription's URL as the claim read it (the sweeper: the delivery's, from its fan-out). */
  endpoint_url: string;
  /** Attempts made (the number of the last one). */
  attempts: number;
  final_reason: string;
}

/**
 * Emits `delivery.exhausted` (domain/operational-events.ts) for each of `exhausted` to
 * `operatorCustomerId`, in the transaction `trx` that failed them, so the event exists exactly
 * when the delivery is failed. Nothing for the operator's own deliveries (`emitOperationalEvents`).
 * Returns how many deliveries it created (the caller wakes the workers after the commit).
 */
export function reportExhaustedDeliveries(
  trx: Kysely<Database>,
  operatorCustomerId: string | undefined,
  exhausted: readonly ExhaustedDelivery[],
  now: Date,
): Promise<number> {
  const events = exhausted.map(
    (delivery): OperationalEvent => ({
      type: "delivery.exhausted",
      data: {
        subscription_id: delivery.subscription_id,
        customer_id: delivery.customer_id,
        endpoint_url: delivery.endpoint_url,
        delivery_id: delivery.id,
        event_id: delivery.event_id,
        event_type: delivery.event_type,
        attempts: delivery.attempts,
        final_reason: delivery.final_reason,
      },
    }),
  );
  return emitOperationalEvents(trx, operatorCustomerId, events, now);
}

/**
 * The attempt-batch effect (store/sql/record-attempts.ts) of deliveries that failed for good
 * with an attempt (the schedule ran out, or a final status such as 404 or 410 Gone): one
 * `delivery.exhausted` each, in the transaction that records the attempt. Only deliveries that
 * took the outcome (`updated`) count: one whose lease was lost meanwhile was canceled or taken
 * over, and is not failed by this attempt.
 *
 * The hot path stays one statement: the effect applies (and the batch takes a transaction) only
 * when an operator is configured and a result failed a delivery of another customer. Its day
 * partition is one the partition maintainer made ahead (7 days), as for the 410 Gone effect.
 */
export function exhaustedDeliveriesEffect(operatorCustomerId: string | undefined): AttemptBatchEffect {
  const reported = (result: AttemptResult) =>
    result.state === "failed" && result.delivery.customer_id !== operatorCustomerId;
  return {
    applies: (results) => operatorCustomerId !== undefined && results.some(reported),
    apply(trx, results, updated, now) {
      const exhausted = results
        .filter((result) => reported(result) && updated.has(result.attempt.delivery_id))
        .map(({ delivery, attempt, finalReason }) => ({
          ...delivery,
          attempts: attempt.attempt_number,
          final_reason: finalReason,
        }));
      return reportExhaustedDeliveries(trx, operatorCustomerId, exhausted, now);
    },
  };
}
