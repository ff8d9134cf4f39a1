/**
 * Constant-time equality of two signature strings (lowercase hex for `v1`, base64 for
 * Standard Webhooks), used by both the node:crypto and the WebCrypto paths.
 *
 * Signatures are compared as the strings they are on the wire, as Stripe and the
 * standardwebhooks libraries do, so we agree with them byte for byte: uppercase hex or a
 * base64 spelling with other padding bits never matches.
 *
 * The loop visits every character and folds differences with `|=`, so its duration depends
 * only on the length, which is public (always 64 or 44 for a genuine signature). This is the
 * technique of the standardwebhooks JavaScript library. `crypto.timingSafeEqual` would need
 * the digest as a Buffer and the candidate decoded into another, and those two allocations
 * cost more than the rest of the verification apart from the HMAC (see bench/verifier.ts).
 */
export function constantTimeEqual(expected: string, received: string): boolean {
  if (expected.length !== received.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ received.charCodeAt(i);
  return diff === 0;
}
