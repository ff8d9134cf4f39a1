import { IdempotencyKeyReusedError } from "../domain/errors.js";
import { emitEvents, type EmittedEvent, type KeyReused, type NewEvent } from "../store/sql/emit-events.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import type { ApiDeps } from "./handler-types.js";

/** Idempotency keys are remembered for 24 hours (issue "API and store"; Stripe keeps them 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/**
 * Stores events in one transaction and hands their deliveries to this process's workers
 * (`handoff`, store/delivery-handoff.ts: leased in the same transaction, started after the
 * COMMIT, as many as they have free slots for); when deliveries were made that they did not
 * take, wakes the workers here and in other processes (`deliveriesDue`). With
 * `allOrNothing` (EmitBatch) a key reused for a different request rolls the whole
 * transaction back and throws; without it (group commit) that event alone gets its
 * `KeyReused` result and the others are stored. `check` (EmitBatch) sees the results before
 * the commit; if it throws, nothing is written.
 */
export async function persistEvents(
  deps: Pick<ApiDeps, "store" | "clock" | "metrics" | "deliveriesDue" | "handoff">,
  events: NewEvent[],
  allOrNothing: boolean,
  check?: (results: EmittedEvent[]) => void,
): Promise<(EmittedEvent | KeyReused)[]> {
  await ensurePartitionsFor(deps.store.db, events.map((event) => event.createdAt));
  const handoff = deps.handoff();
  let results: (EmittedEvent | KeyReused)[];
  try {
    results = await deps.store.db.transaction().execute(async (trx) => {
      const emitted = await emitEvents(trx, events, new Date(deps.clock.nowMs()), IDEMPOTENCY_TTL_MS, handoff);
      const refused = emitted.findIndex((result) => "keyReused" in result);
      if (allOrNothing && refused >= 0) throw keyReusedError(`events[${refused}].`, events, refused, emitted[refused] as KeyReused);
      check?.(emitted as EmittedEvent[]);
      return emitted;
    });
  } catch (error) {
    // Rolled back, or a COMMIT whose outcome is unknown: then the leases run out and the sweeper
    // records those attempts as abandoned, so they are made again (at-least-once).
    handoff?.abandoned();
    throw error;
  }
  const handedOff = (await handoff?.committed()) ?? 0;
  const stored = results.filter((result): result is EmittedEvent => !("keyReused" in result) && !result.replayed);
  for (const result of stored) deps.metrics.eventsEmitted.inc({ type: result.event.type });
  const created = stored.reduce((sum, result) => sum + result.matchedSubscriptions, 0);
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
