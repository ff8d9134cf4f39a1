import type { Kysely } from "kysely";
import { insertInChunks } from "../insert-chunks.js";
import { eventRowOf, type NewEvent } from "../new-event.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * Inserts `events` (with their trace context) and returns their rows, in order, with the `seq` each was given. Multi-row
 * INSERTs bounded by rows and envelope bytes (`insertInChunks`), with a turn of the event loop
 * between them, because an embedded store runs each statement on the event loop's thread.
 */
export async function insertEvents(db: Kysely<Database>, events: readonly NewEvent[]): Promise<EventRow[]> {
  const seqOf = new Map<string, string>();
  await insertInChunks(
    events,
    (event) => event.envelope.length,
    async (chunk) => {
      const rows = await db
        .insertInto("events")
        .values(
          chunk.map((event) => {
            const { seq: _unknownYet, ...row } = eventRowOf(event, "0");
            return { ...row, traceparent: event.trace?.traceparent ?? null, tracestate: event.trace?.tracestate ?? null };
          }),
        )
        // Only the generated column comes back: the rest is at hand (the envelope is large).
        .returning(["id", "seq"])
        .execute();
      for (const row of rows) seqOf.set(row.id, row.seq);
    },
  );
  return events.map((event) => eventRowOf(event, seqOf.get(event.id)!));
}
