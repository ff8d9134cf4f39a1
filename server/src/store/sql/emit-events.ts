import type { Kysely } from "kysely";
import { fanOut } from "../fan-out.js";
import { requestDifference, requestKey, sortByIdempotencyKey } from "../idempotent-request.js";
import type { NewEvent } from "../new-event.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";
import { claimIdempotencyKeys } from "./claim-idempotency-keys.js";
import { findIdempotencyOriginals } from "./find-idempotency-originals.js";
import { insertEvents } from "./insert-events.js";
import { takeTurns } from "../ordered-turns.js";
import { pendingDeliveriesInsert } from "./insert-pending-deliveries.js";
import { lockSubscriptionsForFanOut } from "./lock-subscriptions-for-fan-out.js";
import type { HandoffBatch } from "../delivery-handoff.js";
import { pickHandoff } from "../handoff-deliveries.js";
import type { FanOutSnapshots } from "../fan-out-snapshots.js";

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
 * the caller must be refused (FAILED_PRECONDITION, see `IdempotencyKeyReusedError`).
 */
export interface KeyReused {
  keyReused: { original: EventRow; differs: "type" | "data" };
}

/**
 * Stores events and their pending deliveries; call it inside ONE transaction so that an event
 * never exists without its deliveries (or a batch half-stored). Statements, in this order (the
 * order of the locks): claim the keys, lock the subscriptions FOR SHARE, (only with ordered ones
 * among them) take their turn locks and look for pending deliveries, insert the events and the
 * deliveries (one statement unless the events are many: `insertEvents`), read the originals of
 * replays.
 *
 * Idempotency (`claimIdempotencyKeys`): a racing transaction with the same key waits for this
 * one and then sees the key taken; a key older than `idempotencyTtlMs` is taken over by the new
 * event. A key seen earlier in the same call is a replay of that event. A replay is only for the
 * same request (same type, same data as canonical JSON, RFC 8785): an event whose key names an
 * event of another request gets a `KeyReused` result and writes nothing, like the IETF
 * Idempotency-Key draft's 422 and Stripe's `idempotency_error`. It does not abort the call:
 * other events (other callers' under group commit) are stored as usual, so a caller that must
 * be all-or-nothing (EmitBatch) throws when it sees one.
 *
 * Fan-out: see `fanOut`; every delivery is pending, due at once, except one to an ordered
 * subscription that is not its turn yet (it waits: `insertDeliveriesInTurn`). Several callers' events may
 * share one call (group commit): each event keeps its own `createdAt`, and a key repeated
 * across them makes the later ones replays of the first.
 *
 * `handoff` (this process's workers, store/delivery-handoff.ts): deliveries it reserves a slot
 * for are inserted leased to it and passed to its `add`; the caller starts them after the COMMIT.
 * `snapshots`: where to remember the subscriptions read, for the next Emit's short way
 * (store/emit-from-snapshot.ts).
 *
 * Returns one result per input, in order.
 */
export async function emitEvents(
  trx: Kysely<Database>,
  events: readonly NewEvent[],
  now: Date,
  idempotencyTtlMs: number,
  handoff?: HandoffBatch,
  snapshots?: FanOutSnapshots,
): Promise<(EmittedEvent | KeyReused)[]> {
  const { fresh, replays } = await claimKeys(trx, events, now, idempotencyTtlMs);
  const newEvents = fresh.map((index) => events[index]!);
  const customerIds = [...new Set(newEvents.map((event) => event.customerId))];
  const subscriptions = await lockSubscriptionsForFanOut(trx, customerIds);
  snapshots?.remember(customerIds, subscriptions);
  const { deliveries, matched } = fanOut(newEvents, subscriptions);
  const ordered = new Set(subscriptions.filter((subscription) => subscription.ordered).map((subscription) => subscription.id));
  const { rows, leased } = pickHandoff(deliveries, newEvents, subscriptions, handoff);
  const lease = handoff && { owner: handoff.owner, expiresAt: new Date(now.getTime() + handoff.leaseMs) };
  const inTurn = await takeTurns(trx, rows, ordered);
  // The events and their deliveries: one statement (one round trip) unless the events are many.
  const stored = await insertEvents(trx, newEvents, inTurn.length > 0 ? pendingDeliveriesInsert(inTurn, now, lease) : undefined);
  for (const delivery of leased) handoff!.add(delivery);

  const results = new Array<EmittedEvent | KeyReused>(events.length);
  fresh.forEach((index, n) => (results[index] = { event: stored[n]!, matchedSubscriptions: matched[n]!, replayed: false }));
  for (const [index, result] of await answerReplays(trx, events, replays, stored)) results[index] = result;
  return results;
}

/**
 * Claims the idempotency keys of `events` and returns the events to store (`fresh`, input
 * indexes, ascending) and the replays (input index -> `requestKey` of the pair it repeats).
 */
async function claimKeys(
  trx: Kysely<Database>,
  events: readonly NewEvent[],
  now: Date,
  ttlMs: number,
): Promise<{ fresh: number[]; replays: Map<number, string> }> {
  const { unkeyed: fresh, claims, repeats: replays } = sortByIdempotencyKey(events);
  const won = await claimIdempotencyKeys(trx, claims.map((index) => events[index]!), now, ttlMs);
  claims.forEach((index, n) => {
    if (won[n]) fresh.push(index);
    else replays.set(index, requestKey(events[index]!.customerId, events[index]!.idempotencyKey));
  });
  return { fresh: fresh.sort((a, b) => a - b), replays };
}

/**
 * The results of `replays` (input index -> `requestKey`): the original event and its delivery
 * count for the same request, `KeyReused` for another. An original stored by this call is
 * answered with its row in `storedNow`.
 */
async function answerReplays(
  trx: Kysely<Database>,
  events: readonly NewEvent[],
  replays: ReadonlyMap<number, string>,
  storedNow: readonly EventRow[],
): Promise<Map<number, EmittedEvent | KeyReused>> {
  const keys = new Map<string, NewEvent>();
  for (const [index, pair] of replays) if (!keys.has(pair)) keys.set(pair, events[index]!);
  const originals = await findIdempotencyOriginals(trx, [...keys.values()]);
  const storedById = new Map(storedNow.map((row) => [row.id, row]));
  const results = new Map<number, EmittedEvent | KeyReused>();
  for (const [index, pair] of replays) {
    const found = originals.get(pair);
    if (!found) throw new Error(`idempotency key ${pair} names no event`);
    const original = { ...found, event: storedById.get(found.event.id) ?? found.event };
    const differs = requestDifference(events[index]!, original.event);
    results.set(index, differs ? { keyReused: { original: original.event, differs } } : { ...original, replayed: true });
  }
  return results;
}
