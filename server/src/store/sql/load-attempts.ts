import type { Kysely } from "kysely";
import type { DeliveryRow, DeliveryWithAttempts } from "../rows.js";
import type { Database } from "../schema.js";

/** Attaches every attempt (oldest first) to each delivery, with one query for all of them. */
export async function withAttempts(db: Kysely<Database>, deliveries: DeliveryRow[]): Promise<DeliveryWithAttempts[]> {
  if (deliveries.length === 0) return [];
  const attempts = await db
    .selectFrom("attempts")
    .selectAll()
    .where(
      "delivery_id",
      "in",
      deliveries.map((delivery) => delivery.id),
    )
    .orderBy("delivery_id")
    .orderBy("attempt_number")
    .execute();
  const byDelivery = new Map<string, DeliveryWithAttempts>(deliveries.map((d) => [d.id, { ...d, attempts: [] }]));
  for (const attempt of attempts) byDelivery.get(attempt.delivery_id)!.attempts.push(attempt);
  return [...byDelivery.values()];
}
