import { IdempotencyKeyReusedError } from "../domain/errors.js";
import { emitEvents, type EmittedEvent, type KeyReused, type NewEvent } from "../store/sql/emit-events.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import type { LocalHandoff } from "../store/delivery-handoff.js";
import { emitFromSnapshot } from "../store/emit-from-snapshot.js";
import { fanOutSnapshotsOf } from "../store/fan-out-snapshots.js";
import type { ApiDeps } from "./handler-types.js";

/** Idempotency keys are remembered for 24 hours (issue "API and store"; Stripe keeps them 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

type PersistDeps = Pick<ApiDeps, "store" | "clock" | "metrics" | "deliveriesDue" | "handoff">;

/**
 * Stores events and hands their deliveries to this process's workers (`handoff`,
 * store/delivery-handoff.ts: leased in the same write, started after it committed, as many as
 * they have free slots for); when deliveries were made that they did not take, wakes the
 * workers here and in other processes (`deliveriesDue`).
 *
 * Two ways, the same result: the short one (`emitFromSnapshot`: one statement, fanned out from
 * the subscriptions this process saw last, checked by that statement) when it applies, else the
 * full one (`emitEvents` in a transaction). With `allOrNothing` (EmitBatch) a key reused for a
 * different request rolls the whole transaction back and throws; without it (group commit) that
 * event alone gets its `KeyReused` result and the others are stored. `check` (EmitBatch's full
 * view) sees the results before the commit; if it throws, nothing is written; it needs the full
 * way.
 */
export async function persistEvents(
  deps: PersistDeps,
  events: NewEvent[],
  allOrNothing: boolean,
  check?: (results: EmittedEvent[]) => void,
): Promise<(EmittedEvent | KeyReused)[]> {
  await ensurePartitionsFor(deps.store.db, events.map((event) => event.createdAt));
  const now = new Date(deps.clock.nowMs());
  const snapshots = fanOutSnapshotsOf(deps.store.db);
  const short = check === undefined ? await handingOff(deps, (handoff) => emitFromSnapshot(deps.store, snapshots, events, now, IDEMPOTENCY_TTL_MS, handoff)) : undefined;
  const results =
    short ??
    (await handingOff(deps, (handoff) =>
      deps.store.db.transaction().execute(async (trx) => {
        const emitted = await emitEvents(trx, events, now, IDEMPOTENCY_TTL_MS, handoff, snapshots);
        const refused = emitted.findIndex((result) => "keyReused" in result);
        if (allOrNothing && refused >= 0) throw keyReusedError(`events[${refused}].`, events, refused, emitted[refused] as KeyReused);
        check?.(emitted as EmittedEvent[]);
        return emitted;
      }),
    ))!;
  const stored = results.filter((result): result is EmittedEvent => !("keyReused" in result) && !result.replayed);
  for (const result of stored) deps.metrics.eventsEmitted.inc({ type: result.event.type });
  return results;
}

/**
 * Runs `write` with a new handoff and, once it has written (resolved to results), starts the
 * deliveries handed off; wakes the workers (`deliveriesDue`) when it made deliveries that were
 * not. `write` resolving to undefined wrote nothing: the reservations are freed, and so are they
 * when it throws (rolled back, or a COMMIT whose outcome is unknown: then the leases run out and
 * the sweeper records those attempts as abandoned, so they are made again, at-least-once).
 */
async function handingOff<R extends EmittedEvent | KeyReused>(
  deps: PersistDeps,
  write: (handoff: LocalHandoff | undefined) => Promise<R[] | undefined>,
): Promise<R[] | undefined> {
  const handoff = deps.handoff();
  let results: R[] | undefined;
  try {
    results = await write(handoff);
  } catch (error) {
    handoff?.abandoned();
    throw error;
  }
  if (results === undefined) {
    handoff?.abandoned();
    return undefined;
  }
  const handedOff = (await handoff?.committed()) ?? 0;
  const created = results.reduce((sum, result) => sum + ("keyReused" in result || result.replayed ? 0 : result.matchedSubscriptions), 0);
  if (created > handedOff) deps.deliveriesDue();
  return results;
}

/**
 * The FAILED_PRECONDITION error for `events[index]`, whose key names an event of another
 * request: a stored one, or (in an EmitBatch, `prefix` "events[i].") an earlier one of the batch.
 */
export function keyReusedError(prefix: string, events: readonly NewEvent[], index: number, { keyReused }: KeyReused): IdempotencyKeyReusedError {
  const { original, differs } = keyReused;
  const event = events[index]!;
  const difference =
    differs === "type" ? `type ${JSON.stringify(original.type)}, this request ${JSON.stringify(event.type)}` : "other data";
  const batchIndex = prefix === "" ? -1 : events.findIndex((e) => e.id === original.id);
  const usedBy = batchIndex >= 0 ? { batchIndex } : { eventId: original.id, windowHours: IDEMPOTENCY_TTL_MS / 3600_000 };
  return new IdempotencyKeyReusedError(`${prefix}idempotency_key`, event.idempotencyKey, usedBy, difference);
}
