import { unixSeconds } from "../domain/operational-events.js";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { cancelPendingDeliveries } from "./sql/cancel-pending-deliveries.js";
import { emitOperationalEvents } from "./operational-events.js";

/** What a server-side disable did. */
export interface DisableOutcome {
  /** Pending deliveries canceled. */
  canceled: number;
  /** Deliveries of the `endpoint.disabled` operational event (0: none configured, or about the operator). */
  madeDue: number;
}

/**
 * The server disables a subscription (its endpoint answered 410 Gone, or failed for the whole
 * auto-disable window): `enabled` false with `reason` as its `disabled_reason`, its pending
 * deliveries canceled (`subscription disabled: <reason>`), and an `endpoint.disabled`
 * operational event to `operatorCustomerId`, all in the caller's transaction `trx`.
 * `failingSince`: the failing spell that led to it (null for 410 Gone). Returns undefined when
 * the subscription was not enabled (already disabled, or deleted): nothing is done then.
 * Re-enabling (UpdateSubscription `enabled`) clears the reason and the failure record.
 */
export async function disableSubscription(
  trx: Kysely<Database>,
  id: string,
  reason: string,
  now: Date,
  operatorCustomerId: string | undefined,
  failingSince: Date | null,
): Promise<DisableOutcome | undefined> {
  const row = await trx
    .updateTable("subscriptions")
    .set({ enabled: false, disabled_reason: reason, updated_at: now })
    .where("id", "=", id)
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .returning(["customer_id", "endpoint_url"])
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const canceled = await cancelPendingDeliveries(trx, id, `subscription disabled: ${reason}`, now);
  const madeDue = await emitOperationalEvents(
    trx,
    operatorCustomerId,
    [
      {
        type: "endpoint.disabled",
        data: {
          subscription_id: id,
          customer_id: row.customer_id,
          endpoint_url: row.endpoint_url,
          reason,
          failing_since: failingSince === null ? null : unixSeconds(failingSince),
          canceled_deliveries: canceled,
          disabled_at: unixSeconds(now),
        },
      },
    ],
    now,
  );
  return { canceled, madeDue };
}
