import { sql, type Kysely, type RawBuilder } from "kysely";
import { INSERT_CHUNK, INSERT_CHUNK_BYTES, insertInChunks } from "../insert-chunks.js";
import { eventRowOf, type NewEvent } from "../new-event.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * Inserts `events` (with their trace context) and returns their rows, in order, with the `seq`
 * each was given. Multi-row INSERTs bounded by rows and envelope bytes (`insertInChunks`), with a
 * turn of the event loop between them, because an embedded store runs each statement on the
 * event loop's thread.
 *
 * `andThen` (optional, e.g. `pendingDeliveriesInsert`: rows that reference these events) is
 * written in the same statement as the events when they fit in one chunk (the common emit: one
 * round trip for the events and their deliveries; it runs as a data-modifying CTE, whose
 * foreign keys are checked at the end of the statement), else as its own statement after the
 * last chunk.
 */
export async function insertEvents(db: Kysely<Database>, events: readonly NewEvent[], andThen?: RawBuilder<unknown>): Promise<EventRow[]> {
  const seqOf = new Map<string, string>();
  const insert = (chunk: readonly NewEvent[]) =>
    db
      .insertInto("events")
      .values(
        chunk.map((event) => {
          const { seq: _unknownYet, ...row } = eventRowOf(event, "0");
          return { ...row, traceparent: event.trace?.traceparent ?? null, tracestate: event.trace?.tracestate ?? null };
        }),
      )
      // Only the generated column comes back: the rest is at hand (the envelope is large).
      .returning(["id", "seq"]);
  if (andThen && events.length > 0 && fitsOneChunk(events)) {
    const { rows } = await sql<{ id: string; seq: string }>`WITH e AS (${insert(events)}), d AS (${andThen}) SELECT id, seq FROM e`.execute(db);
    for (const row of rows) seqOf.set(row.id, row.seq);
  } else {
    await insertInChunks(
      events,
      (event) => event.envelope.length,
      async (chunk) => {
        for (const row of await insert(chunk).execute()) seqOf.set(row.id, row.seq);
      },
    );
    await andThen?.execute(db);
  }
  return events.map((event) => eventRowOf(event, seqOf.get(event.id)!));
}

/** Whether `insertInChunks` would write `events` in one statement. */
export function fitsOneChunk(events: readonly NewEvent[]): boolean {
  return events.length <= 1 || (events.length <= INSERT_CHUNK && events.reduce((bytes, event) => bytes + event.envelope.length, 0) <= INSERT_CHUNK_BYTES);
}
