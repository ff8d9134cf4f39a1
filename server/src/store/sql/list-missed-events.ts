import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** An event a subscription matches but has no delivery of. */
export interface MissedEvent {
  id: string;
  type: string;
  created_at: Date;
}

/**
 * The events of `customerId` created at or after `from` that the subscription matches (its
 * `eventTypes`; empty = all) and that have no delivery to it: those emitted while it was
 * disabled (fan-out skips disabled subscriptions). Events whose payload expired are left out
 * (nothing to send). Oldest first (emit order). `from` bounds `created_at`, the partition key of
 * events and deliveries; the caller passes at least the subscription's creation.
 */
export async function listMissedEvents(
  db: Kysely<Database>,
  subscriptionId: string,
  customerId: string,
  eventTypes: readonly string[],
  from: Date,
): Promise<MissedEvent[]> {
  const { rows } = await sql<MissedEvent>`
    SELECT e.id, e.type, e.created_at FROM events AS e
    WHERE e.customer_id = ${customerId} AND e.created_at >= ${from} AND e.payload_expired_at IS NULL
      AND (cardinality(${eventTypes}::text[]) = 0 OR e.type = ANY(${eventTypes}::text[]))
      AND NOT EXISTS (
        SELECT 1 FROM deliveries AS d
        WHERE d.event_id = e.id AND d.created_at = e.created_at AND d.subscription_id = ${subscriptionId} AND d.created_at >= ${from}
      )
    ORDER BY e.created_at, e.seq`.execute(db);
  return rows;
}
