import type { Kysely } from "kysely";
import { requestKey } from "../idempotent-request.js";
import type { NewEvent } from "../new-event.js";
import type { Database } from "../schema.js";

/**
 * Claims the idempotency key of each of `events` for that event, with ONE statement, and
 * returns, in order, whether the event now holds its key (true) or another event does (false).
 * The events carry keys, and no two share a `(customer, key)` pair (see `sortByIdempotencyKey`).
 *
 * INSERT … ON CONFLICT DO UPDATE locks each key row, taken or not: a racing transaction with the same key waits for
 * this one and then sees the key taken. A key that expired at `now` is taken over (its row now
 * names the new event); a claimed key expires `ttlMs` milliseconds after `now`. No events: no
 * statement.
 */
export async function claimIdempotencyKeys(
  db: Kysely<Database>,
  events: readonly NewEvent[],
  now: Date,
  ttlMs: number,
): Promise<boolean[]> {
  if (events.length === 0) return [];
  const claimed = await db
    .insertInto("idempotency_keys")
    .values(
      events.map((event) => ({
        customer_id: event.customerId,
        idempotency_key: event.idempotencyKey,
        event_id: event.id,
        expires_at: new Date(now.getTime() + ttlMs),
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(["customer_id", "idempotency_key"]).doUpdateSet({
        event_id: (eb) => eb.ref("excluded.event_id"),
        expires_at: (eb) => eb.ref("excluded.expires_at"),
      }).where("idempotency_keys.expires_at", "<=", now),
    )
    .returning(["customer_id", "idempotency_key"])
    .execute();
  const won = new Set(claimed.map((row) => requestKey(row.customer_id, row.idempotency_key)));
  return events.map((event) => won.has(requestKey(event.customerId, event.idempotencyKey)));
}
