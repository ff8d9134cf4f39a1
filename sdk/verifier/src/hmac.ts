import { createHmac } from "node:crypto";

/**
 * The one place the two message layouts are written down (node:crypto side; `webcrypto.ts`
 * mirrors them). The body is fed to the HMAC as given, never concatenated or copied.
 */

/** Contract / Stripe `v1`: HMAC-SHA256(key = secret as UTF-8, msg = "<t>." + body). 32 bytes. */
export function v1Digest(secret: string, timestamp: number, payload: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(payload).digest();
}

/** Standard Webhooks: HMAC-SHA256(key, msg = "<id>.<t>." + body). 32 bytes. */
export function standardWebhooksDigest(key: Uint8Array, id: string, timestamp: number, payload: string | Uint8Array): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(payload).digest();
}

/** Decodes an already validated base64 key. */
export function decodeKey(base64: string): Buffer {
  return Buffer.from(base64, "base64");
}
