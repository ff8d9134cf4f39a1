import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * After a subscription's rate limit changed: makes every delivery of it waiting for a reserved
 * slot (release-throttled.ts) due `now` without it (those already due too: their old slot no longer counts), so the new limit (or none) applies to them at
 * once instead of the old one's schedule. Deliveries waiting for a retry keep their time. Run it
 * in the Update's transaction, which also resets the subscription's `rate_limit_tat` (the
 * reservations it counted are gone). Returns how many deliveries were made due.
 */
export async function dropRateReservations(db: Kysely<Database>, subscriptionId: string, now: Date): Promise<number> {
  const result = await sql`
    UPDATE deliveries
    SET next_attempt_at = ${now}, rate_slot_at = NULL
    WHERE subscription_id = ${subscriptionId} AND state = 'pending' AND lease_owner IS NULL
      AND rate_slot_at IS NOT NULL AND next_attempt_at = rate_slot_at`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
