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
 * Key objects of the secrets seen most recently by the one-shot verifiers, so that
 * `verifySignature` called per request gets the same cheaper HMAC as a prepared verifier.
 * Bounded (a receiver has one or two secrets, a rotation adds one): when full it starts over.
 * It only memoizes `v1Key`, so results never depend on it.
 */
const recentKeys = new Map<string, KeyObject>();
const RECENT_KEYS_MAX = 16;

/** `v1Key(secret)`, memoized in a small bounded cache. */
export function cachedV1Key(secret: string): KeyObject {
  let key = recentKeys.get(secret);
  if (key === undefined) {
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
    key = v1Key(secret);
    recentKeys.set(secret, key);
  }
  return key;
}
