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
const decoder = new TextDecoder();

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

/**
 * The `data` of serialized envelope bytes, as canonical JSON text (RFC 8785). Two envelopes
 * carry the same data exactly when these strings are equal. The data are re-canonicalized
 * after parsing, not cut out of the bytes or re-stringified, because JSON.parse lists
 * integer-like keys ("2", "10") first whatever their order in the text.
 */
export function canonicalEnvelopeData(envelope: Uint8Array): string {
  const parsed = JSON.parse(decoder.decode(envelope)) as { data?: unknown };
  return canonicalize(parsed.data ?? {}) ?? "{}";
}
