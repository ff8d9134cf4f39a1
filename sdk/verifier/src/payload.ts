/**
 * The request body exactly as it arrived on the wire. A string is taken as its UTF-8 bytes,
 * so a string, a `Buffer` and a `Uint8Array` of the same bytes give the same answer.
 * `ArrayBuffer` (what `await request.arrayBuffer()` returns in fetch-style runtimes) is
 * viewed in place, without a copy.
 */
export type RawPayload = string | Uint8Array | ArrayBuffer;

const PARSED_OBJECT_HELP =
  "Signatures are computed over the exact bytes sent; parsing and re-serializing JSON changes them " +
  "(key order, spacing, escapes such as \\u001B versus \\u001b, number formats), so a parsed object can never verify. " +
  "Pass the raw request body: express.raw({ type: 'application/json' }), Fastify's parseAs: 'buffer', " +
  "or the Buffer collected from a node:http request.";

/**
 * Returns the payload as a string or byte view (no copy), or throws a `TypeError` that says
 * why a parsed object (or anything else) is refused.
 */
export function toRawBytes(payload: unknown, what = "payload"): string | Uint8Array {
  if (typeof payload === "string" || payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  const got = payload === null ? "null" : Array.isArray(payload) ? "an array" : typeof payload === "object" ? "a parsed object" : typeof payload;
  throw new TypeError(`${what} must be the raw body as a string, Buffer, Uint8Array or ArrayBuffer; got ${got}. ${PARSED_OBJECT_HELP}`);
}
