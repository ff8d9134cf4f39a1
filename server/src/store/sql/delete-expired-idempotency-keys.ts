import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Deletes idempotency keys that expired at `now` (housekeeping; expired keys are inert anyway). */
export async function deleteExpiredIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("expires_at", "<", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
