import { sql, type Kysely } from "kysely";
import type { DeliveryRow, DeliveryWithAttempts } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * Most attempts shown with one delivery: the latest ones (`attempt_count` has the total).
 * RetryDelivery and RecoverFailedDeliveries can add attempts without end, and one attempt may
 * take about 17 KB (a 4 KiB excerpt of invalid UTF-8 becomes 12 KiB of U+FFFD, a 2,048-character
 * Location in the reason, the signatures); 100 of them make a delivery of about 1.7 MB at the
 * very worst (test/api/response-limits.test.ts) and about 450 KB with 4 KiB excerpts, so one
 * delivery always fits in a list page (under 2 MiB). Proto `Delivery.attempts`.
 */
export const MAX_ATTEMPTS_SHOWN = 100;

/** Attaches each delivery's latest `MAX_ATTEMPTS_SHOWN` attempts (oldest first), with one query for all of them. */
export async function withAttempts(db: Kysely<Database>, deliveries: DeliveryRow[]): Promise<DeliveryWithAttempts[]> {
  if (deliveries.length === 0) return [];
  const ranked = db
    .selectFrom("attempts")
    .selectAll()
    .select(sql<string>`row_number() over (partition by delivery_id order by attempt_number desc)`.as("newest_rank"))
    .where("delivery_id", "in", deliveries.map((delivery) => delivery.id))
    // The partitions to read: the deliveries' own.
    .where("delivery_created_at", "in", [...new Set(deliveries.map((delivery) => delivery.created_at.getTime()))].map((ms) => new Date(ms)))
    .as("ranked");
  const attempts = await db
    .selectFrom(ranked)
    .select([
      "id",
      "delivery_id",
      "attempt_number",
      "started_at",
      "status_code",
      "duration_ms",
      "error_kind",
      "error_message",
      "response_excerpt",
      "signature",
      "succeeded",
      "will_retry",
      "delivery_created_at",
    ])
    .where("newest_rank", "<=", sql<string>`${MAX_ATTEMPTS_SHOWN}`)
    .orderBy("delivery_id")
    .orderBy("attempt_number")
    .execute();
  const byDelivery = new Map<string, DeliveryWithAttempts>(deliveries.map((d) => [d.id, { ...d, attempts: [] }]));
  for (const attempt of attempts) byDelivery.get(attempt.delivery_id)!.attempts.push(attempt);
  return [...byDelivery.values()];
}
