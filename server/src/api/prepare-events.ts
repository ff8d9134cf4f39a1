import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { EventView, type EmitRequest } from "@posthorn/proto";
import type { EventCatalog } from "../domain/compiled-catalog.js";
import { describeProblems, problemLocation } from "../domain/data-schema.js";
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

/** What an Emit is checked against: the event catalog (types and their schemas) and the largest `data` (bytes of canonical JSON). */
export interface EmitRules {
  catalog: EventCatalog;
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
  checkDataSchema(`${prefix}data`, type, data, rules.catalog);
  return { event: buildEvent({ type, customerId, data, idempotencyKey }, nowMs), data, dataBytes: size };
}

/**
 * Checks `data` against the JSON Schema of `type` in the catalog (none: any object passes).
 * @throws InvalidArgumentError whose message lists each problem (at most 5, then how many more)
 *   by the field and the JSON pointer (RFC 6901) into the data, the reason and the schema keyword,
 *   e.g. `data/amount: must be number (schema: /properties/amount/type); data/email: is required (schema: /required)`.
 */
function checkDataSchema(field: string, type: string, data: Record<string, unknown>, catalog: EventCatalog): void {
  const problems = catalog.dataProblems(type, data);
  if (problems.length === 0) return;
  // The message starts with the first problem's place, as every INVALID_ARGUMENT starts with its field.
  const at = problemLocation(field, problems[0]!);
  throw new InvalidArgumentError(at, describeProblems(field, problems).join("; ").slice(at.length + 2));
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
