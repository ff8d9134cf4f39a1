import { sql, type Kysely } from "kysely";
import type { PendingBacklog } from "../../observability/metrics.js";
import type { Database } from "../schema.js";

/** Counts the pending deliveries and finds the oldest one's creation time (one query; the metrics gauges). */
export async function pendingBacklog(db: Kysely<Database>): Promise<PendingBacklog> {
  const {
    rows: [row],
  } = await sql<{ n: string; oldest: Date | null }>`
    SELECT count(*) AS n, min(created_at) AS oldest FROM deliveries WHERE state = 'pending'`.execute(db);
  return { pending: Number(row?.n ?? 0), oldestCreatedMs: row?.oldest?.getTime() };
}
