import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import { partitionKeys, type LeasedDelivery } from "./release-leases.js";

/** A claimed delivery given back to wait for the rate-limit slot reserved for it at `slotAt`. */
export interface ThrottledDelivery extends LeasedDelivery {
  slotAt: Date;
}

/**
 * Gives throttled deliveries back WITHOUT an attempt, each due at its own reserved slot
 * (take-rate-slots.ts): the lease is dropped, the attempt number the claim took is returned,
 * and `next_attempt_at = rate_slot_at = slotAt`, so the claim that takes it then sends it without
 * taking another slot. Like `releaseLeases`, only rows still leased by `owner` change. ONE
 * statement for the whole batch. Returns how many were released.
 */
export async function releaseThrottled(
  db: Kysely<Database>,
  owner: string,
  deliveries: readonly ThrottledDelivery[],
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await sql`
    UPDATE deliveries AS d
    SET lease_owner = NULL, lease_expires_at = NULL, leased_at = NULL, attempt_count = d.attempt_count - 1,
        next_attempt_at = w.slot_at, rate_slot_at = w.slot_at
    FROM unnest(${deliveries.map((d) => d.id)}::text[], ${deliveries.map((d) => d.created_at.toISOString())}::timestamptz[],
                ${deliveries.map((d) => d.slotAt.toISOString())}::timestamptz[]) AS w(id, created_at, slot_at)
    WHERE d.id = w.id AND d.created_at = w.created_at AND d.created_at = ANY(${partitionKeys(deliveries)}::timestamptz[])
      AND d.lease_owner = ${owner} AND d.state = 'pending'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
