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
