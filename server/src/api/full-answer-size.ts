import { create, toBinary } from "@bufbuild/protobuf";
import { EventSchema } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import type { EventRow } from "../store/rows.js";
import { eventRowOf, type NewEvent } from "../store/new-event.js";
import type { EmittedEvent } from "../store/sql/emit-events.js";
import { eventToProto } from "./proto-mapping.js";
import { MAX_RESPONSE_BYTES, repeatedFieldBytes } from "./size-limits.js";

/**
 * The size of an EmitBatch answer in EVENT_VIEW_FULL, which carries every event's `data` (as a
 * protobuf Struct) and envelope: about twice the batch's payload, more for arrays of numbers.
 * Such a batch is refused (INVALID_ARGUMENT on `view`) when its answer would reach
 * `MAX_RESPONSE_BYTES`, because a client would refuse that answer after the events were stored.
 */

/** Bytes an EmitResponse adds around its event: `matched_subscriptions` (a varint) and `replayed`. */
const RESULT_FIELDS_BYTES = 1 + 5 + 1 + 1;

/**
 * Returns a check for the results of `prepared` (the batch's events, in order, with their data)
 * to run before the commit, and throws at once when the answer made of the events as sent
 * would already be too large. A replay answers with its original event instead, so the check
 * counts those again from the stored rows.
 */
export function fullAnswerCheck(prepared: { event: NewEvent; data: Record<string, unknown> }[]): (results: EmittedEvent[]) => void {
  const sizes = prepared.map(({ event, data }) => resultBytes(eventRowOf(event, "0"), data));
  checkAnswerBytes(sum(sizes));
  return (results) => checkAnswerBytes(sum(results.map((result, index) => (result.replayed ? resultBytes(result.event, undefined) : sizes[index]!))));
}

/** Throws InvalidArgumentError on `view` when an answer of `bytes` would reach `MAX_RESPONSE_BYTES`. */
function checkAnswerBytes(bytes: number): void {
  if (bytes < MAX_RESPONSE_BYTES) return;
  throw new InvalidArgumentError(
    "view",
    `EVENT_VIEW_FULL would make a response of ${bytes} bytes, and responses stay under ${MAX_RESPONSE_BYTES} (4 MiB): ` +
      "use EVENT_VIEW_BASIC (the default) or split the batch",
  );
}

/** Bytes one result takes with its event in full, `matched_subscriptions` counted at its largest. `data` saves parsing the envelope. */
function resultBytes(row: EventRow, data: Record<string, unknown> | undefined): number {
  const eventBytes = toBinary(EventSchema, create(EventSchema, eventToProto(row, "full", data))).length;
  return repeatedFieldBytes(repeatedFieldBytes(eventBytes) + RESULT_FIELDS_BYTES);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
