import type { Store } from "./database.js";
import type { HandoffBatch } from "./delivery-handoff.js";
import { fanOut } from "./fan-out.js";
import type { FanOutSnapshots } from "./fan-out-snapshots.js";
import { pickHandoff } from "./handoff-deliveries.js";
import { sortByIdempotencyKey } from "./idempotent-request.js";
import { eventRowOf, type NewEvent } from "./new-event.js";
import type { EmittedEvent } from "./sql/emit-events.js";
import { emitInOneStatement } from "./sql/emit-in-one-statement.js";
import { fitsOneChunk } from "./sql/insert-events.js";

/**
 * Stores `events` the short way when it can (issue 18: the Emit call's latency): fanned out from
 * what this process last saw of their customers' subscriptions (`snapshots`), written with
 * their keys and deliveries in ONE statement that checks that what it saw still holds
 * (`emitInOneStatement`). Deliveries that `handoff` reserves a slot for are inserted leased to
 * it and passed to its `add`, as in `emitEvents`; the caller starts them once this resolves.
 *
 * Resolves to one result per event, in order (each stored, none a replay), or undefined when
 * the short way does not apply and NOTHING was written: a customer not seen yet, an ordered
 * subscription among theirs (turns are taken in a transaction: ordered-turns.ts), a key twice
 * in `events`, more events than one statement takes, or a premise found false (a stale
 * snapshot, which is then forgotten, or a key already taken: a replay). Then the caller frees
 * `handoff`'s reservations and takes the full path (`emitEvents` in a transaction), which
 * answers replays and remembers the subscriptions again.
 */
export async function emitFromSnapshot(
  store: Pick<Store, "db" | "runPrepared">,
  snapshots: FanOutSnapshots,
  events: readonly NewEvent[],
  now: Date,
  idempotencyTtlMs: number,
  handoff: HandoffBatch | undefined,
): Promise<EmittedEvent[] | undefined> {
  const customerIds = [...new Set(events.map((event) => event.customerId))];
  const subscriptions = snapshots.recall(customerIds);
  if (subscriptions === undefined || subscriptions.some((subscription) => subscription.ordered)) return undefined;
  if (sortByIdempotencyKey(events).repeats.size > 0 || !fitsOneChunk(events)) return undefined;

  const { deliveries, matched } = fanOut(events, subscriptions);
  const { rows, leased } = pickHandoff(deliveries, events, subscriptions, handoff);
  const seqs = await emitInOneStatement(store, {
    events,
    deliveries: rows,
    customerIds,
    subscriptions: subscriptions.map((subscription) => `${subscription.id}@${subscription.version}`),
    now,
    idempotencyTtlMs,
    lease: handoff && { owner: handoff.owner, expiresAt: new Date(now.getTime() + handoff.leaseMs) },
  });
  if (seqs === undefined) {
    snapshots.forget(customerIds);
    return undefined;
  }
  for (const delivery of leased) handoff!.add(delivery);
  return events.map((event, n) => ({ event: eventRowOf(event, seqs.get(event.id)!), matchedSubscriptions: matched[n]!, replayed: false }));
}
