import type { Kysely } from "kysely";
import type { OperationalEvent } from "../domain/operational-events.js";
import { buildEvent } from "./new-event.js";
import type { Database } from "./schema.js";
import { emitEvents } from "./sql/emit-events.js";

/**
 * Emits operational events (domain/operational-events.ts) to `operatorCustomerId`'s
 * subscriptions, inside the caller's transaction `trx`, so that an event is stored exactly when
 * what it reports is (a disable, an exhausted delivery): never one without the other. They take
 * the normal pipeline from there (stored, fanned out, signed, retried). Call it with the
 * transaction of the change; the caller wakes the workers (`deliveriesDue`) after the commit
 * when this returns more than 0, and has made sure the day partition of `now` exists
 * (`ensurePartitionsFor` before the transaction; the partition maintainer makes them ahead).
 *
 * Nothing is emitted when `operatorCustomerId` is undefined (not configured), nor for events
 * about the operator's own subscriptions (`data.customer_id` = the operator): those could
 * otherwise report their own failures forever. Events carry no idempotency key.
 *
 * Returns how many deliveries were created.
 */
export async function emitOperationalEvents(
  trx: Kysely<Database>,
  operatorCustomerId: string | undefined,
  events: readonly OperationalEvent[],
  now: Date,
): Promise<number> {
  if (operatorCustomerId === undefined) return 0;
  const about = events.filter((event) => event.data.customer_id !== operatorCustomerId);
  if (about.length === 0) return 0;
  const built = about.map((event) =>
    buildEvent(
      { type: event.type, customerId: operatorCustomerId, data: event.data as unknown as Record<string, unknown>, idempotencyKey: "" },
      now.getTime(),
    ),
  );
  const results = await emitEvents(trx, built, now, 0);
  return results.reduce((sum, result) => sum + ("matchedSubscriptions" in result ? result.matchedSubscriptions : 0), 0);
}
