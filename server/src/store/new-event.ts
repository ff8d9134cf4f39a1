import { serializeEnvelope } from "../domain/envelope.js";
import { newId } from "../domain/ids.js";
import type { EventRow } from "./rows.js";

/** An event ready to store: validated, envelope serialized. */
export interface NewEvent {
  id: string;
  type: string;
  customerId: string;
  /** Canonical JSON envelope bytes (stored and sent as they are). */
  envelope: Uint8Array;
  /** Empty string: no idempotency key. */
  idempotencyKey: string;
  /** Emit time, whole seconds: the envelope's `timestamp`. */
  createdAt: Date;
  /** W3C trace context of the Emit (observability/trace-context.ts), sent with each attempt; absent: none. */
  trace?: { traceparent: string; tracestate?: string };
}

/** The row `event` is stored as, with its `seq` (identity column). An empty key is stored as null. */
export function eventRowOf(event: NewEvent, seq: string): EventRow {
  return {
    seq,
    id: event.id,
    customer_id: event.customerId,
    type: event.type,
    envelope: event.envelope,
    idempotency_key: event.idempotencyKey === "" ? null : event.idempotencyKey,
    created_at: event.createdAt,
    payload_expired_at: null,
  };
}

/**
 * The one way an event is built, once its fields are valid: a new `evt_` id and its canonical
 * JSON envelope (contract, "Envelope") at `nowMs` (epoch ms; the envelope's `timestamp` and
 * the stored time are the same whole second). Used by Emit, EmitBatch, SendTestEvent and the operational events.
 */
export function buildEvent(
  fields: { type: string; customerId: string; data: Record<string, unknown>; idempotencyKey: string },
  nowMs: number,
): NewEvent {
  const { type, customerId, data, idempotencyKey } = fields;
  // Stored times are whole seconds, like the envelope's `timestamp`, so GetEvent agrees with it.
  const createdAt = new Date(Math.floor(nowMs / 1000) * 1000);
  // The id's time part is `created_at`: it selects the event's partition (store/partitions.ts).
  const id = newId("event", createdAt.getTime());
  const envelope = serializeEnvelope({
    api_version: "v1",
    customer_id: customerId,
    data,
    id,
    // Whole seconds (contract); the stored created_at is the same instant, so GetEvent agrees.
    timestamp: Math.floor(nowMs / 1000),
    type,
  });
  return { id, type, customerId, envelope, idempotencyKey, createdAt };
}

