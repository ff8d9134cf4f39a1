import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { EventView, type EmitRequest } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { canonicalSize } from "../domain/envelope.js";
import { buildEvent } from "../store/new-event.js";
import type { NewEvent } from "../store/sql/emit-events.js";
import { MAX_BATCH_DATA_BYTES } from "./size-limits.js";
import { checkCustomerId, checkData, checkEventType, checkIdempotencyKey } from "./validate.js";

/**
 * EmitBatch prepares its events (validation, canonical JSON) in slices of about this many bytes
 * of `data`, yielding to the event loop between slices, so a large batch does not hold up
 * other calls of this process for its whole preparation.
 */
const PREPARE_SLICE_BYTES = 256 * 1024;

/** What an Emit is checked against: the event catalog and the largest `data` (bytes of canonical JSON). */
export interface EmitRules {
  catalog: ReadonlySet<string>;
  maxPayloadBytes: number;
}

/** An event ready to store, with its `data` and that data's size as canonical JSON (bytes). */
export interface PreparedEvent {
  event: NewEvent;
  data: Record<string, unknown>;
  dataBytes: number;
}

/**
 * Validates one Emit request and builds its envelope at `nowMs` (epoch ms; the envelope and the
 * stored time are whole seconds); `prefix` is "" or "events[i]." for batches, so errors name the
 * proto field. @throws InvalidArgumentError
 */
export function prepareEvent(request: EmitRequest, prefix: string, nowMs: number, rules: EmitRules): PreparedEvent {
  const type = checkEventType(`${prefix}type`, request.type, rules.catalog);
  const customerId = checkCustomerId(`${prefix}customer_id`, request.customerId);
  const idempotencyKey = checkIdempotencyKey(`${prefix}idempotency_key`, request.idempotencyKey);
  // Unset `data` is the empty object: proto3 cannot tell an empty Struct from a missing one.
  const data = (request.data ?? {}) as Record<string, unknown>;
  checkData(`${prefix}data`, data);
  const size = canonicalSize(data);
  if (size > rules.maxPayloadBytes) {
    throw new InvalidArgumentError(`${prefix}data`, `is ${size} bytes as canonical JSON; at most ${rules.maxPayloadBytes} are accepted`);
  }
  return { event: buildEvent({ type, customerId, data, idempotencyKey }, nowMs), data, dataBytes: size };
}

/**
 * Prepares every event of a batch, yielding to the event loop between slices. Refuses a view
 * set on an event (it belongs on the batch) and a batch whose `data` totals more than
 * `MAX_BATCH_DATA_BYTES`, before anything is written. @throws InvalidArgumentError
 */
export async function prepareBatch(requests: EmitRequest[], nowMs: number, rules: EmitRules): Promise<PreparedEvent[]> {
  const prepared: PreparedEvent[] = [];
  let totalBytes = 0;
  let sliceBytes = 0;
  for (const [index, request] of requests.entries()) {
    if (request.view !== EventView.UNSPECIFIED) {
      throw new InvalidArgumentError(`events[${index}].view`, "must be unset inside EmitBatch; set view on the batch");
    }
    const one = prepareEvent(request, `events[${index}].`, nowMs, rules);
    prepared.push(one);
    totalBytes += one.dataBytes;
    sliceBytes += one.dataBytes;
    if (sliceBytes >= PREPARE_SLICE_BYTES) {
      sliceBytes = 0;
      await yieldToEventLoop();
    }
  }
  if (totalBytes > MAX_BATCH_DATA_BYTES) {
    throw new InvalidArgumentError(
      "events",
      `data totals ${totalBytes} bytes of canonical JSON; a batch carries at most ${MAX_BATCH_DATA_BYTES} (4 MiB): split the batch`,
    );
  }
  return prepared;
}
