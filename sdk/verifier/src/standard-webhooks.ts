import { createSecretKey } from "node:crypto";
import { constantTimeEqual } from "./compare.js";
import { verifyThenParse, type WebhookEnvelope } from "./envelope.js";
import { decodeKey, standardWebhooksSignature } from "./hmac.js";
import { toRawBytes, type RawPayload } from "./payload.js";
import { FAILURES, isFailure, type StandardWebhookResult } from "./result.js";
import { standardWebhooksKeyBase64, toSecretList } from "./secret.js";
import { parseStandardWebhooksHeaders, type HeadersLike } from "./standard-webhooks-header.js";
import { checkFreshness, resolveNow, resolveTolerance } from "./timestamp.js";

/** Per-message input of a Standard Webhooks verification. */
export interface StandardWebhookMessage {
  /** The raw body exactly as received. A parsed object is refused with a `TypeError`. */
  payload: RawPayload;
  /** The received headers (`req.headers` or a fetch `Headers`); names in any letter case. */
  headers: HeadersLike;
  /** The receiver's clock, unix **seconds**. Default: the system clock. */
  now?: number;
}

/** Settings of a Standard Webhooks verifier. */
export interface StandardWebhooksVerifierOptions {
  /** `whsec_` + base64 (the prefix is optional); any one matching signature passes. */
  secrets: string | readonly string[];
  /** Maximum |now − webhook-timestamp|, in **seconds**. Default 300. */
  toleranceSeconds?: number;
}

/** A verifier with its keys decoded once. */
export interface StandardWebhooksVerifier {
  /** Result form: `{ ok: true, timestamp, id }` or `{ ok: false, reason }`; never throws for a bad signature. */
  verify(message: StandardWebhookMessage): StandardWebhookResult;
  /** Throwing form: the typed envelope, or a {@link WebhookVerificationError}. */
  verifyEvent(message: StandardWebhookMessage): WebhookEnvelope;
}

/**
 * Creates a Standard Webhooks verifier (standardwebhooks.com spec): key = base64-decode of
 * the secret after `whsec_`, message `"<webhook-id>.<webhook-timestamp>." + body`, header
 * `webhook-signature: v1,<base64> [v1,<base64>…]`. Any `v1` matching any key passes; other
 * versions (`v1a`) are ignored; timestamps too old or too far ahead are `stale_signature`.
 *
 * @throws {TypeError} now, not at the first request, when a secret's part after `whsec_` is
 *   not padded standard base64 (`whsec_xyz!`), or there are no secrets.
 * @throws {RangeError} a negative or NaN tolerance.
 */
export function createStandardWebhooksVerifier(options: StandardWebhooksVerifierOptions): StandardWebhooksVerifier {
  // Key objects built once: cheaper per HMAC than raw bytes (see bench/verifier.ts).
  const keys = toSecretList(options.secrets).map((secret) => createSecretKey(decodeKey(standardWebhooksKeyBase64(secret))));
  const tolerance = resolveTolerance(options.toleranceSeconds);

  function verify(message: StandardWebhookMessage): StandardWebhookResult {
    const payload = toRawBytes(message.payload);
    const now = resolveNow(message.now);
    const parsed = parseStandardWebhooksHeaders(message.headers);
    if (isFailure(parsed)) return parsed;
    const stale = checkFreshness(parsed.timestamp, now, tolerance);
    if (stale !== undefined) return stale;

    for (const key of keys) {
      const expected = standardWebhooksSignature(key, parsed.id, parsed.timestamp, payload);
      for (const candidate of parsed.signatures) {
        if (constantTimeEqual(expected, candidate)) return { ok: true, timestamp: parsed.timestamp, id: parsed.id };
      }
    }
    return FAILURES.signature_mismatch;
  }

  return {
    verify,
    verifyEvent: (message) => verifyThenParse(verify, message),
  };
}

/**
 * One-shot Standard Webhooks verification, result form. See
 * {@link createStandardWebhooksVerifier} for the rules; prefer a verifier created once at
 * start-up so that a bad secret fails there.
 *
 * @returns `{ ok: true, timestamp, id }` (seconds) or `{ ok: false, reason }`.
 * @throws {TypeError} a secret that is not valid base64 after `whsec_`, a parsed-object payload.
 */
export function verifyStandardWebhook(
  opts: StandardWebhookMessage & StandardWebhooksVerifierOptions,
): StandardWebhookResult {
  return createStandardWebhooksVerifier(opts).verify(opts);
}

/**
 * One-shot Standard Webhooks verification, throwing form.
 *
 * @returns the typed envelope.
 * @throws {WebhookVerificationError} with the failure `reason` (or `invalid_payload`).
 */
export function verifyStandardWebhookEvent(opts: StandardWebhookMessage & StandardWebhooksVerifierOptions): WebhookEnvelope {
  return createStandardWebhooksVerifier(opts).verifyEvent(opts);
}
