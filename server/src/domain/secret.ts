import { randomBytes } from "node:crypto";

/**
 * A signing secret in memory, opened from its sealed form (see secrets/secret-keyring.ts) only
 * to sign or to answer Subscribe and RotateSubscriptionSecret; `expires_at` (unix ms) is null
 * for the current one.
 */
export interface SigningSecret {
  secret: string;
  expires_at: number | null;
}

/** Random bytes in a signing secret (contract; Standard Webhooks secrets are 24 to 64 bytes). */
export const SIGNING_SECRET_BYTES = 32;

/**
 * A new signing secret: `whsec_` + base64 of `SIGNING_SECRET_BYTES` random bytes (contract; the
 * Standard Webhooks secret format, which Stripe-style v1 signing uses as a UTF-8 string).
 */
export function generateSecret(): string {
  return "whsec_" + randomBytes(SIGNING_SECRET_BYTES).toString("base64");
}

/**
 * The secrets of a list that are valid at `nowMs` (unix ms), in the list's order (a
 * subscription keeps them newest first: the current one, whose `expires_at` is null, then the
 * previous ones). A previous secret is valid until its `expires_at`, exclusive. The API lists
 * and the delivery workers sign with exactly these.
 */
export function liveSecrets<S extends { expires_at: number | null }>(secrets: readonly S[], nowMs: number): S[] {
  return secrets.filter((secret) => secret.expires_at === null || secret.expires_at > nowMs);
}
