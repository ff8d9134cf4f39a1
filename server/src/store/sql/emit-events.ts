import { sql, type Kysely } from "kysely";
import { envelopeData } from "../../domain/envelope.js";
import { newId } from "../../domain/ids.js";
import { insertInChunks } from "../insert-chunks.js";
import { eventRowOf, type NewEvent } from "../new-event.js";
import type { DeliveryRow, EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/** What `emitEvents` takes, for its callers. */
export type { NewEvent } from "../new-event.js";

export interface EmittedEvent {
  event: EventRow;
  /** Deliveries created (or, for a replay, created back then). */
  matchedSubscriptions: number;
  /** True when the idempotency key was seen: `event` is the original and nothing was written. */
  replayed: boolean;
}

/**
 * An event whose idempotency key, within its lifetime, already names an event of another
 * request (another type, or data that differ once canonical): nothing was written for it, and
 * the caller must be refused (FAILED_PRECONDITION, see `KeyReusedError`).
 */
export interface KeyReused {
  keyReused: { original: EventRow; differs: "type" | "data" };
}

/**
 * Stores events and their pending deliveries; call it inside ONE transaction so that an event
 * never exists without its deliveries (or a batch half-stored).
 *
 * Idempotency: a `(customer_id, idempotency_key)` row is claimed with INSERT … ON CONFLICT,
 * which makes a racing transaction with the same key wait for this one and then see the key
 * taken; a key older than `idempotencyTtlMs` is taken over by the new event. A key seen
 * earlier in the same batch is a replay of that event. A replay is only for the same request
 * (same type, same data as canonical JSON, RFC 8785): an event whose key names an event of
 * another request gets a `KeyReused` result and writes nothing, like the IETF Idempotency-Key
 * draft's 422 and Stripe's `idempotency_error`. It does not abort the call: other events (other
 * callers' under group commit) are stored as usual, so a caller that must be all-or-nothing
 * (EmitBatch) throws when it sees one.
 *
 * Fan-out (contract, "Subscriptions"): every enabled, live subscription of the event's customer
 * whose `event_types` is empty or contains the event's type gets one pending delivery, due at once.
 * Several callers' events may share one call (group commit): each event keeps its own
 * `createdAt`, and a key repeated across them makes the later ones replays of the first.
 *
 * Returns one result per input, in order.
 */
export async function emitEvents(
  trx: Kysely<Database>,
  events: readonly NewEvent[],
  now: Date,
  idempotencyTtlMs: number,
): Promise<(EmittedEvent | KeyReused)[]> {
  const results: (EmittedEvent | KeyReused | undefined)[] = new Array(events.length);
  const replayOf = new Map<number, string>(); // input index -> key of the (customer, key) pair it repeats
  const fresh: number[] = [];

  // 1. Claim idempotency keys (one statement for the batch).
  const firstIndexOfKey = new Map<string, number>();
  const keyed: number[] = [];
  events.forEach((event, index) => {
    if (event.idempotencyKey === "") return fresh.push(index);
    const pair = keyOf(event.customerId, event.idempotencyKey);
    if (firstIndexOfKey.has(pair)) replayOf.set(index, pair);
    else {
      firstIndexOfKey.set(pair, index);
      keyed.push(index);
    }
  });
  if (keyed.length > 0) {
    const claimed = await trx
      .insertInto("idempotency_keys")
      .values(
        keyed.map((index) => ({
          customer_id: events[index]!.customerId,
          idempotency_key: events[index]!.idempotencyKey,
          event_id: events[index]!.id,
          expires_at: new Date(now.getTime() + idempotencyTtlMs),
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
    const won = new Set(claimed.map((row) => keyOf(row.customer_id, row.idempotency_key)));
    for (const index of keyed) {
      const pair = keyOf(events[index]!.customerId, events[index]!.idempotencyKey);
      if (won.has(pair)) fresh.push(index);
      else replayOf.set(index, pair);
    }
  }
  fresh.sort((a, b) => a - b);

  // 2. Store the new events.
  const stored = new Map<string, EventRow>();
  await insertInChunks(fresh, (index) => events[index]!.envelope.length, async (chunk) => {
    const rows = await trx
      .insertInto("events")
      .values(
        chunk.map((index) => {
          const { seq: _unknownYet, ...row } = eventRowOf(events[index]!, "0");
          return row;
        }),
      )
      // Only the generated column comes back: the rest is at hand (the envelope is large).
      .returning(["id", "seq"])
      .execute();
    const bySeq = new Map(rows.map((row) => [row.id, row.seq]));
    for (const index of chunk) {
      const event = events[index]!;
      stored.set(event.id, eventRowOf(event, bySeq.get(event.id)!));
    }
  });

  // 3. Fan out to matching subscriptions (one query for all customers of the batch).
  const customers = [...new Set(fresh.map((index) => events[index]!.customerId))];
  const subscriptions =
    customers.length === 0
      ? []
      : await trx
          .selectFrom("subscriptions")
          .select(["id", "customer_id", "endpoint_url", "event_types"])
          .where("customer_id", "in", customers)
          .where("enabled", "=", true)
          .where("deleted_at", "is", null)
          .orderBy("seq")
          // FOR SHARE: a concurrent delete/disable (which holds the row FOR UPDATE) finishes
          // first and the row is re-checked, so no pending delivery outlives its cancellation.
          .forShare()
          .execute();
  const deliveries: NewDelivery[] = [];
  for (const index of fresh) {
    const event = events[index]!;
    let matched = 0;
    for (const subscription of subscriptions) {
      if (subscription.customer_id !== event.customerId) continue;
      if (subscription.event_types.length > 0 && !subscription.event_types.includes(event.type)) continue;
      matched++;
      deliveries.push({
        id: newId("delivery"),
        event_id: event.id,
        subscription_id: subscription.id,
        customer_id: event.customerId,
        event_type: event.type,
        endpoint_url: subscription.endpoint_url,
        created_at: event.createdAt,
      });
    }
    results[index] = { event: stored.get(event.id)!, matchedSubscriptions: matched, replayed: false };
  }
  if (deliveries.length > 0) await insertPendingDeliveries(trx, deliveries, now);

  // 4. Replays: the original events and how many deliveries they made, for the same request.
  if (replayOf.size > 0) {
    const originals = await findOriginals(trx, [...new Set(replayOf.values())], stored);
    for (const [index, pair] of replayOf) {
      const original = originals.get(pair);
      if (!original) throw new Error(`idempotency key ${pair} names no event`);
      const differs = requestDifference(events[index]!, original.event);
      results[index] = differs ? { keyReused: { original: original.event, differs } } : { ...original, replayed: true };
    }
  }
  return results as (EmittedEvent | KeyReused)[];
}

/**
 * How a new event's request differs from the stored event its key names, or undefined when it
 * is the same request. The customer is the same (it is part of the key); the data are compared
 * as canonical JSON, so key order and number spelling do not matter.
 */
function requestDifference(event: NewEvent, original: EventRow): "type" | "data" | undefined {
  if (event.type !== original.type) return "type";
  if (!Buffer.from(envelopeData(event.envelope)).equals(envelopeData(original.envelope))) return "data";
  return undefined;
}

/** The events that hold each (customer, key) pair, with their delivery counts. */
async function findOriginals(
  trx: Kysely<Database>,
  pairs: string[],
  storedNow: Map<string, EventRow>,
): Promise<Map<string, Omit<EmittedEvent, "replayed">>> {
  const rows = await trx
    .selectFrom("idempotency_keys as k")
    .innerJoin("events as e", "e.id", "k.event_id")
    .selectAll("e")
    .select((eb) =>
      eb
        .selectFrom("deliveries as d")
        .select(sql<string>`count(*)`.as("n"))
        .whereRef("d.event_id", "=", "e.id")
        .as("matched"),
    )
    .where((eb) =>
      eb(
        eb.refTuple("k.customer_id", "k.idempotency_key"),
        "in",
        pairs.map((pair) => eb.tuple(...splitKey(pair))),
      ),
    )
    .execute();
  const found = new Map<string, Omit<EmittedEvent, "replayed">>();
  for (const { matched, ...event } of rows) {
    found.set(keyOf(event.customer_id, event.idempotency_key ?? ""), {
      event: storedNow.get(event.id) ?? event,
      matchedSubscriptions: Number(matched ?? 0),
    });
  }
  return found;
}

type NewDelivery = Pick<
  DeliveryRow,
  "id" | "event_id" | "subscription_id" | "customer_id" | "event_type" | "endpoint_url" | "created_at"
>;

/**
 * Inserts pending deliveries, due at once (at their event's emit time, never later than
 * `now`), as column arrays through `unnest`: one fixed statement whatever the count, with no
 * per-row query building (the fan-out is the largest write of an emit).
 */
async function insertPendingDeliveries(trx: Kysely<Database>, rows: NewDelivery[], now: Date): Promise<void> {
  const column = <T>(pick: (row: NewDelivery) => T): T[] => rows.map(pick);
  await sql`
    INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state,
                            attempt_count, next_attempt_at, final_reason, created_at, updated_at)
    SELECT id, event_id, subscription_id, customer_id, event_type, endpoint_url, 'pending', 0, created_at, '', created_at, ${now}
    FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.event_id)}::text[], ${column((r) => r.subscription_id)}::text[],
                ${column((r) => r.customer_id)}::text[], ${column((r) => r.event_type)}::text[],
                ${column((r) => r.endpoint_url)}::text[], ${column((r) => r.created_at)}::timestamptz[])
      AS v (id, event_id, subscription_id, customer_id, event_type, endpoint_url, created_at)`.execute(trx);
}

function keyOf(customerId: string, idempotencyKey: string): string {
  return `${customerId}\u0000${idempotencyKey}`;
}

function splitKey(pair: string): [string, string] {
  const at = pair.indexOf("\u0000");
  return [pair.slice(0, at), pair.slice(at + 1)];
}
