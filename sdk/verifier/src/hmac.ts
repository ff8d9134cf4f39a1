import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

/**
 * The one place the two message layouts are written down (node:crypto side; `webcrypto.ts`
 * mirrors them). The body is fed to the HMAC as given, never concatenated or copied.
 */

/**
 * Contract / Stripe `v1`: hex(HMAC-SHA256(key = secret as UTF-8, msg = "<t>." + body)),
 * 64 lowercase hex digits. (Asking node for hex is cheaper than for a Buffer.)
 */
export function v1Signature(secret: string | KeyObject, timestamp: number, payload: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(payload).digest("hex");
}

/** Standard Webhooks: base64(HMAC-SHA256(key, msg = "<id>.<t>." + body)), 44 characters, padded. */
export function standardWebhooksSignature(key: Uint8Array | KeyObject, id: string, timestamp: number, payload: string | Uint8Array): string {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(payload).digest("base64");
}

/** Decodes an already validated base64 key. */
export function decodeKey(base64: string): Buffer {
  return Buffer.from(base64, "base64");
}

/**
 * A `v1` secret prepared once as a key object: the same key bytes (the secret as UTF-8), but
 * node skips re-encoding the string on every HMAC, which is measurably faster.
 */
export function v1Key(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, "utf8"));
}

/**
 * Secrets the one-shot `verifySignature` has seen, and their key objects once a secret comes
 * back: a receiver verifying with the same one or two secrets on every request then gets the
 * cheaper HMAC of a prepared verifier (`createSignatureVerifier`) without having to make one.
 * A key object costs about as much as an HMAC to build, so it is built only for a secret seen
 * twice; a receiver cycling through more than `SEEN_MAX` secrets never pays for it and runs at
 * plain string-key speed. Bounded: when full, it starts over. It only memoizes `v1Key`, so
 * results never depend on it.
 */
const seen = new Map<string, KeyObject | null>();
const SEEN_MAX = 64;

/** The `v1` key for `secret`: a memoized key object if the secret was seen before, else the string. */
export function v1KeyFor(secret: string): string | KeyObject {
  const entry = seen.get(secret);
  if (entry !== undefined && entry !== null) return entry;
  if (entry === null) {
    const key = v1Key(secret);
    seen.set(secret, key);
    return key;
  }
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.set(secret, null);
  return secret;
}
