import { sql, type Kysely, type RawBuilder } from "kysely";
import { requestKey } from "../idempotent-request.js";
import type { NewEvent } from "../new-event.js";
import type { Database } from "../schema.js";

/**
 * Claims the idempotency key of each of `events` for that event, with ONE statement, and
 * returns, in order, whether the event now holds its key (true) or another event does (false).
 * The events carry keys, and no two share a `(customer, key)` pair (see `sortByIdempotencyKey`).
 * No events: no statement. The rule is `idempotencyKeysClaim`'s.
 */
export async function claimIdempotencyKeys(
  db: Kysely<Database>,
  events: readonly NewEvent[],
  now: Date,
  ttlMs: number,
): Promise<boolean[]> {
  if (events.length === 0) return [];
  const { rows } = await idempotencyKeysClaim(events, now, ttlMs).execute(db);
  const won = new Set(rows.map((row) => requestKey(row.customer_id, row.idempotency_key)));
  return events.map((event) => won.has(requestKey(event.customerId, event.idempotencyKey)));
}

/**
 * The INSERT that claims the keys of `events` (each keyed, no pair twice), returning the pairs
 * it claimed: as a statement of its own (`claimIdempotencyKeys`) or as a data-modifying CTE of
 * the Emit in one statement (emit-in-one-statement.ts). Column arrays through `unnest`: the
 * same SQL text for any number of keys, so it can be prepared.
 *
 * INSERT … ON CONFLICT DO UPDATE locks each key row, taken or not: a racing transaction with the
 * same key waits for this one and then sees the key taken. A key that expired at `now` is taken
 * over (its row now names the new event); a claimed key expires `ttlMs` milliseconds after `now`.
 */
export function idempotencyKeysClaim(
  events: readonly NewEvent[],
  now: Date,
  ttlMs: number,
): RawBuilder<{ customer_id: string; idempotency_key: string }> {
  return sql`
    INSERT INTO idempotency_keys (customer_id, idempotency_key, event_id, expires_at)
    SELECT customer_id, idempotency_key, event_id, ${new Date(now.getTime() + ttlMs)}::timestamptz
    FROM unnest(${events.map((event) => event.customerId)}::text[], ${events.map((event) => event.idempotencyKey)}::text[],
                ${events.map((event) => event.id)}::text[]) AS k (customer_id, idempotency_key, event_id)
    ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
      WHERE idempotency_keys.expires_at <= ${now}
    RETURNING customer_id, idempotency_key`;
}
