import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import { partitionKeys, type LeasedDelivery } from "./release-leases.js";

/**
 * Fails claimed deliveries whose event's payload expired, WITHOUT an attempt: there is no body
 * to send, and an empty POST would tell the endpoint nothing (or be taken as an event). The
 * lease is dropped, the attempt number the claim took is returned (`attempt_count − 1`), and
 * `final_reason` names the event and the setting. Only rows still leased by `owner` and pending
 * change. Returns how many were failed.
 */
export async function failPayloadExpiredDeliveries(
  db: Kysely<Database>,
  owner: string,
  deliveries: readonly LeasedDelivery[],
  now: Date,
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await db
    .updateTable("deliveries")
    .set({
      state: "failed",
      lease_owner: null,
      lease_expires_at: null,
      leased_at: null,
      next_attempt_at: null,
      attempt_count: sql<number>`attempt_count - 1`,
      final_reason: sql<string>`'payload expired: event ' || event_id || ' is older than POSTHORN_PAYLOAD_RETENTION_DAYS and its body was removed; nothing was sent'`,
      updated_at: now,
    })
    .where("id", "in", deliveries.map((d) => d.id))
    .where("created_at", "in", partitionKeys(deliveries))
    .where("lease_owner", "=", owner)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
