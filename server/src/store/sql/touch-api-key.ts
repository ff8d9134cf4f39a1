import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Records that key `id` was used at `now`, unless a use within the last `resolutionMs` is already
 * recorded (last-use times are kept to about a minute, so keys are not written on every call).
 */
export async function touchApiKey(db: Kysely<Database>, id: string, now: Date, resolutionMs: number): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ last_used_at: now })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", new Date(now.getTime() - resolutionMs))]))
    .execute();
}
