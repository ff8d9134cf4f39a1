import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SecretKey } from "../domain/secret-key.js";

/**
 * How one signing secret is sealed at rest: AES-256-GCM (NIST SP 800-38D) with Node's crypto,
 * a random 96-bit IV per seal, a 128-bit tag, and the subscription id as additional
 * authenticated data, so a sealed secret copied to another subscription's row does not open.
 *
 * Sealed form: `v1.<key id>.<iv, base64url>.<ciphertext + tag, base64url>`.
 */

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Why a sealed secret could not be opened. */
export type UnsealFailure = "unknown_key" | "failed_tag" | "malformed";

/**
 * A signing secret that cannot be opened. The message names the subscription and the key id
 * (never the secret, never key material) and the fix.
 */
export class SecretUnsealError extends Error {
  override readonly name = "SecretUnsealError";
  constructor(
    readonly subscriptionId: string,
    readonly keyId: string | undefined,
    readonly failure: UnsealFailure,
  ) {
    const key = keyId === undefined ? "an unreadable key id" : `key "${keyId}"`;
    const why =
      failure === "unknown_key"
        ? `it is sealed under ${key}, which is not in POSTHORN_SECRET_KEYS (or the key file); add that key back (after the current one)`
        : failure === "failed_tag"
          ? `it does not authenticate under ${key} (a different key with the same id, or the row was altered or copied from another subscription)`
          : "the stored value is not a sealed secret (v1.<key id>.<iv>.<ciphertext>)";
    super(`cannot open the signing secret of subscription ${subscriptionId}: ${why}`);
  }
}

/** The parts of a sealed secret, or undefined when `sealed` is not in the sealed form. */
export function parseSealed(sealed: string): { keyId: string; iv: Buffer; body: Buffer } | undefined {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
  const [, keyId, iv, body] = parts as [string, string, string, string];
  const ivBytes = Buffer.from(iv, "base64url");
  const bodyBytes = Buffer.from(body, "base64url");
  if (keyId === "" || ivBytes.length !== IV_BYTES || bodyBytes.length <= TAG_BYTES) return undefined;
  return { keyId, iv: ivBytes, body: bodyBytes };
}

/** Seals `secret` (UTF-8) under `key`, bound to `subscriptionId`; returns the sealed form. */
export function sealSecret(key: SecretKey, subscriptionId: string, secret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(subscriptionId, "utf8"));
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, key.id, iv.toString("base64url"), body.toString("base64url")].join(".");
}

/**
 * Opens a sealed secret of `subscriptionId` with `key` (the key its id names).
 * @throws SecretUnsealError `failed_tag` when it does not authenticate.
 */
export function openSealed(key: SecretKey, subscriptionId: string, parts: { iv: Buffer; body: Buffer }): string {
  const decipher = createDecipheriv("aes-256-gcm", key.key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(subscriptionId, "utf8"));
  decipher.setAuthTag(parts.body.subarray(parts.body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(parts.body.subarray(0, parts.body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnsealError(subscriptionId, key.id, "failed_tag");
  }
}
