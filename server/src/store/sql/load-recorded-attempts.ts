import type { Kysely } from "kysely";
import { timeOfId } from "../../domain/ids.js";
import { dayStart, LATEST_DAY_MS, PARTITION_MS } from "../partitions.js";
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
  // An attempt id's time part is its delivery's created_at (its partition key): read only the
  // days these ids name. Ids of the older random layout are not announced by this version.
  const days = ids.map((id) => dayStart(Math.min(timeOfId(id) ?? 0, LATEST_DAY_MS)));
  const attempts = await db
    .selectFrom("attempts")
    .selectAll()
    .where("id", "in", ids)
    .where("delivery_created_at", ">=", new Date(Math.min(...days)))
    .where("delivery_created_at", "<", new Date(Math.max(...days) + PARTITION_MS))
    .orderBy("started_at")
    .execute();
  if (attempts.length === 0) return [];
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("id", "in", [...new Set(attempts.map((a) => a.delivery_id))])
    .where("created_at", "in", [...new Set(attempts.map((a) => a.delivery_created_at.getTime()))].map((ms) => new Date(ms)))
    .execute();
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  return attempts.flatMap((attempt) => {
    const delivery = byId.get(attempt.delivery_id);
    return delivery ? [{ delivery, attempt }] : [];
  });
}
