import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The worker heartbeat: extends every lease `owner` holds to `until`, so a lease only has to
 * outlive the time between two heartbeats (not an attempt's deadline) and a crashed process's
 * deliveries are swept soon after its last heartbeat. Returns how many leases were renewed.
 */
export async function renewLeases(db: Kysely<Database>, owner: string, until: Date): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ lease_expires_at: until })
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
