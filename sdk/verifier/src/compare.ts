/**
 * Signature values as they must appear on the wire, for byte-for-byte agreement with other
 * verifiers: lowercase hex for `v1` (Stripe compares the strings), canonical padded base64 for
 * Standard Webhooks. Each pattern admits exactly one spelling per 32-byte digest, so comparing
 * decoded bytes is the same as comparing strings, and anything else can never match.
 */
export const V1_HEX = /^[0-9a-f]{64}$/;
export const CANONICAL_BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** Constant-time equality of two equal-length byte arrays, for runtimes without node:crypto. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
