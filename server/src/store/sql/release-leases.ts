import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Gives claimed deliveries back WITHOUT an attempt (shutdown before sending, an endpoint at its
 * concurrency limit, a claim that arrived after its lease ran out): the lease is dropped, the
 * attempt number the claim took is returned (`attempt_count − 1`), and the delivery is due at
 * `dueAt`. Only rows still leased by `owner` change, so a delivery another worker took over is
 * left alone. Never call it for a delivery whose request may have been sent: record an attempt
 * instead. Returns how many were released.
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
    .set({
      lease_owner: null,
      lease_expires_at: null,
      leased_at: null,
      next_attempt_at: dueAt,
      attempt_count: sql<number>`attempt_count - 1`,
    })
    .where("id", "in", ids)
    .where("lease_owner", "=", owner)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
