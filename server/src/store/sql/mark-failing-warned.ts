import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Records that `endpoint.failing` went out for the subscription's current spell, at `now`. */
export async function markFailingWarned(trx: Kysely<Database>, id: string, now: Date): Promise<void> {
  await trx.updateTable("subscriptions").set({ failing_warned_at: now }).where("id", "=", id).execute();
}
