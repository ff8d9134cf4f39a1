import type { Kysely } from "kysely";
import { partitionKeys, type LeasedDelivery } from "./release-leases.js";
import type { Database } from "../schema.js";

/**
 * The worker heartbeat: extends the leases `owner` holds on `ids` (the attempts running now) to
 * `until`, so a lease only has to outlive the time between two heartbeats (not an attempt's
 * deadline) and a crashed process's deliveries are swept soon after its last heartbeat. A lease
 * this process no longer works on is not renewed and runs out. Returns how many were renewed.
 */
export async function renewLeases(db: Kysely<Database>, owner: string, deliveries: readonly LeasedDelivery[], until: Date): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await db
    .updateTable("deliveries")
    .set({ lease_expires_at: until })
    .where("lease_owner", "=", owner)
    .where("id", "in", deliveries.map((d) => d.id))
    .where("created_at", "in", partitionKeys(deliveries))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
