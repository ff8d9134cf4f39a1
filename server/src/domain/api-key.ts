import { createHash, randomBytes } from "node:crypto";

/**
 * API keys: `phk_` + 43 base64url characters (32 random bytes, 256 bits), like Stripe's
 * `sk_live_…` and Svix's prefixed tokens, so a leaked key is recognizable by secret scanners.
 * Keys the server generates have 43 characters after `phk_`; a key an operator chooses
 * (POSTHORN_BOOTSTRAP_ADMIN_KEY) may have 32 to 128. The server keeps only the SHA-256 of a key (a key this random needs no slow hash: there is
 * nothing to guess) and its first `KEY_PREFIX_LENGTH` characters, to recognize it in lists.
 */
export const API_KEY_SHAPE = /^phk_[A-Za-z0-9_-]{32,128}$/;

/** Characters of a key kept in clear (`phk_` + 8 random ones): enough to tell keys apart. */
export const KEY_PREFIX_LENGTH = 12;

/** A new random API key. */
export function generateApiKey(): string {
  return `phk_${randomBytes(32).toString("base64url")}`;
}

/** The stored hash of `key`: SHA-256, lowercase hex. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The part of `key` kept in clear. */
export function keyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX_LENGTH);
}
