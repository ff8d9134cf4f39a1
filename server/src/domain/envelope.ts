import { createRequire } from "node:module";

// `canonicalize` is CommonJS whose typings claim an ES default export; load it as what it is.
const canonicalize = createRequire(import.meta.url)("canonicalize") as (value: unknown) => string | undefined;

/**
 * The event envelope every endpoint receives (contract, "Envelope"). Keys appear here in
 * the canonical (sorted) order the serialized bytes have.
 */
export interface Envelope {
  api_version: "v1";
  customer_id: string;
  data: Record<string, unknown>;
  id: string;
  /** Unix seconds when the event was emitted. */
  timestamp: number;
  type: string;
}

const encoder = new TextEncoder();

/**
 * Serializes an envelope once, at emit time, as RFC 8785 (JCS) canonical JSON in UTF-8: keys
 * sorted, no insignificant whitespace, ES number formatting. These exact bytes are stored and
 * sent on every attempt to every endpoint (contract), so they are never re-serialized.
 * Uses the `canonicalize` library (the RFC's reference implementation for JavaScript).
 */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const text = canonicalize(envelope);
  if (text === undefined) throw new TypeError("envelope is not serializable as JSON");
  return encoder.encode(text);
}

/** Size in bytes of `data` serialized as canonical JSON (the `max_payload_bytes` limit's measure). */
export function canonicalSize(data: unknown): number {
  const text = canonicalize(data);
  return text === undefined ? 0 : Buffer.byteLength(text, "utf8");
}

const DATA_START = encoder.encode(',"data":');
const DATA_END = encoder.encode(',"id":"');

/**
 * The `data` of envelope bytes made by `serializeEnvelope`, as they are: canonical JSON
 * (RFC 8785), so two envelopes carry the same data exactly when these bytes are equal (key
 * order and number spelling of the request do not matter). Found without parsing (a parse and
 * re-canonicalization of a 256 KiB payload takes ~20 ms): the keys are sorted, so `data` follows
 * `api_version` and `customer_id` and precedes `id`, `timestamp` and `type`; and inside a JSON
 * string every `"` is escaped as `\"`, so `,"data":` first occurs at the key itself and `,"id":"`
 * last occurs at the key after the data.
 * @throws Error if the bytes are not such an envelope.
 */
export function envelopeData(envelope: Uint8Array): Uint8Array {
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const start = bytes.indexOf(DATA_START);
  const end = bytes.lastIndexOf(DATA_END);
  if (start < 0 || end < start + DATA_START.length) throw new Error("not a serialized envelope: no data between customer_id and id");
  return bytes.subarray(start + DATA_START.length, end);
}
