import { sql, type Kysely } from "kysely";
import { requestKey } from "../idempotent-request.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/** The event that holds an idempotency key, with the number of deliveries it made. */
export interface IdempotencyOriginal {
  event: EventRow;
  matchedSubscriptions: number;
}

/**
 * The events that hold the idempotency keys of `keys` (each a `(customer, key)` pair, given
 * once), with their delivery counts, by `requestKey`. A pair no event holds is missing from the
 * map. ONE query, taking no locks of its own: `claimIdempotencyKeys`, earlier in the same
 * transaction, locked the key rows (ON CONFLICT DO UPDATE locks a row it does not update too).
 */
export async function findIdempotencyOriginals(
  db: Kysely<Database>,
  keys: readonly { customerId: string; idempotencyKey: string }[],
): Promise<Map<string, IdempotencyOriginal>> {
  const found = new Map<string, IdempotencyOriginal>();
  if (keys.length === 0) return found;
  const rows = await db
    .selectFrom("idempotency_keys as k")
    .innerJoin("events as e", "e.id", "k.event_id")
    .selectAll("e")
    .select((eb) =>
      eb
        .selectFrom("deliveries as d")
        .select(sql<string>`count(*)`.as("n"))
        .whereRef("d.event_id", "=", "e.id")
        // A delivery's created_at is its event's: one partition.
        .whereRef("d.created_at", "=", "e.created_at")
        .as("matched"),
    )
    .where((eb) =>
      eb(
        eb.refTuple("k.customer_id", "k.idempotency_key"),
        "in",
        keys.map((key) => eb.tuple(key.customerId, key.idempotencyKey)),
      ),
    )
    .execute();
  for (const { matched, ...event } of rows) {
    found.set(requestKey(event.customer_id, event.idempotency_key ?? ""), { event, matchedSubscriptions: Number(matched ?? 0) });
  }
  return found;
}
