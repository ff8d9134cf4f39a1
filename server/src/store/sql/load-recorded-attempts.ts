import type { Kysely } from "kysely";
import type { AttemptRow, DeliveryRow } from "../rows.js";
import type { Database } from "../schema.js";

/** One recorded attempt and its delivery as it stands now. */
export interface RecordedAttemptRow {
  delivery: DeliveryRow;
  attempt: AttemptRow;
}

/**
 * The attempts `ids` (oldest first, by `started_at`) with their deliveries, in two queries for
 * the whole batch. Ids not found (or whose delivery is gone) are left out.
 */
export async function loadRecordedAttempts(db: Kysely<Database>, ids: readonly string[]): Promise<RecordedAttemptRow[]> {
  if (ids.length === 0) return [];
  const attempts = await db.selectFrom("attempts").selectAll().where("id", "in", ids).orderBy("started_at").execute();
  if (attempts.length === 0) return [];
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("id", "in", [...new Set(attempts.map((a) => a.delivery_id))])
    .execute();
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  return attempts.flatMap((attempt) => {
    const delivery = byId.get(attempt.delivery_id);
    return delivery ? [{ delivery, attempt }] : [];
  });
}
