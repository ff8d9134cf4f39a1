import { envelopeData } from "../domain/envelope.js";
import type { EventRow } from "./rows.js";
import type { NewEvent } from "./new-event.js";

/**
 * One string for a `(customer_id, idempotency_key)` pair, the scope of an idempotency key (a key
 * is the customer's own), for maps and sets. NUL cannot occur in either part: the API refuses
 * control characters in both.
 */
export function requestKey(customerId: string, idempotencyKey: string): string {
  return `${customerId}\u0000${idempotencyKey}`;
}

/** The events of one store call (by input index), sorted by what their idempotency key asks for. */
export interface KeyedEvents {
  /** Events without a key: always new. */
  unkeyed: number[];
  /** Events whose pair comes first in the call: their keys are to be claimed. */
  claims: number[];
  /** Events whose pair an earlier event of the call holds, with that pair (`requestKey`): replays. */
  repeats: Map<number, string>;
}

/** Sorts `events` (in order) by idempotency key; a key repeated in the call replays its first event. */
export function sortByIdempotencyKey(events: readonly NewEvent[]): KeyedEvents {
  const sorted: KeyedEvents = { unkeyed: [], claims: [], repeats: new Map() };
  const seen = new Set<string>();
  events.forEach((event, index) => {
    if (event.idempotencyKey === "") return sorted.unkeyed.push(index);
    const pair = requestKey(event.customerId, event.idempotencyKey);
    if (seen.has(pair)) sorted.repeats.set(index, pair);
    else {
      seen.add(pair);
      sorted.claims.push(index);
    }
  });
  return sorted;
}

/**
 * How a new event's request differs from the stored event its key names, or undefined when it
 * is the same request. The customer is the same (it is part of the key); the data are compared
 * as canonical JSON (RFC 8785), so key order and number spelling do not matter.
 */
export function requestDifference(event: NewEvent, original: EventRow): "type" | "data" | undefined {
  if (event.type !== original.type) return "type";
  if (!Buffer.from(envelopeData(event.envelope)).equals(envelopeData(original.envelope))) return "data";
  return undefined;
}
