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
  if (andThen && events.length > 0 && fitsOneChunk(events)) {
    const { rows } = await sql<{ id: string; seq: string }>`WITH e AS (${eventsInsert(events)}), d AS (${andThen}) SELECT id, seq FROM e`.execute(db);
    for (const row of rows) seqOf.set(row.id, row.seq);
  } else {
    await insertInChunks(
      events,
      (event) => event.envelope.length,
      async (chunk) => {
        for (const row of (await eventsInsert(chunk).execute(db)).rows) seqOf.set(row.id, row.seq);
      },
    );
    await andThen?.execute(db);
  }
  return events.map((event) => eventRowOf(event, seqOf.get(event.id)!));
}

/**
 * The INSERT of `events` (with their trace context), returning each one's `id` and the `seq` it
 * was given (the rest is at hand; the envelope is large): as a statement of its own or as a
 * data-modifying CTE (`insertEvents`, the Emit in one statement). `onlyIf`: a condition the rows
 * are inserted under. Column arrays through `unnest`: the same SQL text for any number of
 * events, so it can be prepared.
 */
export function eventsInsert(events: readonly NewEvent[], onlyIf?: RawBuilder<boolean>): RawBuilder<{ id: string; seq: string }> {
  const rows = events.map((event) => eventRowOf(event, "0"));
  return sql`
    INSERT INTO events (id, customer_id, type, envelope, idempotency_key, created_at, traceparent, tracestate)
    SELECT * FROM unnest(${rows.map((row) => row.id)}::text[], ${rows.map((row) => row.customer_id)}::text[],
                         ${rows.map((row) => row.type)}::text[], ${rows.map((row) => row.envelope)}::bytea[],
                         ${rows.map((row) => row.idempotency_key)}::text[], ${rows.map((row) => row.created_at)}::timestamptz[],
                         ${events.map((event) => event.trace?.traceparent ?? null)}::text[],
                         ${events.map((event) => event.trace?.tracestate ?? null)}::text[])
    ${onlyIf ? sql`WHERE ${onlyIf}` : sql``}
    RETURNING id, seq`;
}

/** Whether `insertInChunks` would write `events` in one statement. */
export function fitsOneChunk(events: readonly NewEvent[]): boolean {
  return events.length <= 1 || (events.length <= INSERT_CHUNK && events.reduce((bytes, event) => bytes + event.envelope.length, 0) <= INSERT_CHUNK_BYTES);
}
