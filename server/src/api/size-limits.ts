/**
 * Message sizes the API keeps to (proto service comment, "Sizes"). gRPC clients refuse a
 * response over their receive limit, 4 MiB by default in every implementation (grpc-js, grpc-go,
 * grpcio), *after* the server did the work; so every response stays under it, and a request
 * whose answer could not is refused before anything is written.
 */

/** Largest request message the server accepts (`grpc.max_receive_message_length`), bytes. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Every response stays under this many bytes: the default receive limit of gRPC clients. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * A list page stops adding rows before its serialized response would reach this many bytes,
 * half the response limit, so a client's limit is never near even with a large row.
 */
export const PAGE_BYTES = 2 * 1024 * 1024;

/**
 * Most `data` one EmitBatch may carry, in bytes of canonical JSON summed over its events: one
 * transaction's worth of envelopes that a single database connection (PGlite has only one)
 * writes without holding everyone else up for long. Larger batches are refused before anything
 * is written; the caller splits them.
 */
export const MAX_BATCH_DATA_BYTES = 4 * 1024 * 1024;

/**
 * Bytes one element of a repeated message field takes in its parent: the tag (1 byte for field
 * numbers up to 15), the length as a varint, and the element's own `messageBytes`.
 * Protocol Buffers encoding, "Length-delimited records".
 */
export function repeatedFieldBytes(messageBytes: number): number {
  let varint = 1;
  for (let n = messageBytes; n >= 0x80; n = Math.floor(n / 0x80)) varint++;
  return 1 + varint + messageBytes;
}
