import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Gives claimed deliveries back without an attempt (shutdown, or an endpoint at its
 * concurrency limit): the lease is dropped and the delivery is due at `dueAt`.
 * Only rows still leased by `owner` change. Returns how many.
 */
export async function releaseLeases(
  db: Kysely<Database>,
  owner: string,
  ids: readonly string[],
  dueAt: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable("deliveries")
    .set({ lease_owner: null, lease_expires_at: null, next_attempt_at: dueAt })
    .where("id", "in", ids)
    .where("lease_owner", "=", owner)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The sweeper: frees leases that expired at `now` (their worker crashed or hung), so the
 * deliveries are claimed again. The attempt in flight at a crash may thus be sent twice:
 * delivery is at-least-once. Returns how many leases were freed.
 */
export async function freeExpiredLeases(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ lease_owner: null, lease_expires_at: null })
    .where("lease_owner", "is not", null)
    .where("lease_expires_at", "<", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes idempotency keys that expired at `now` (housekeeping; expired keys are inert anyway). */
export async function deleteExpiredIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("expires_at", "<", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
