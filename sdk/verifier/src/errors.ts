/**
 * Glossary
 * - reason: a machine-readable code saying why verification failed. The first five are the
 *   contract's ("Verification (receiver side) fails with one of these reasons").
 * - envelope: the JSON body Posthorn sends, `{ api_version, customer_id, data, id, timestamp, type }`.
 */

/**
 * Why a signature did not verify, in the order the checks run (contract, "Verification"):
 * - `malformed_header`: the signature header is missing, empty, or a part of it does not parse;
 * - `bad_timestamp`: the timestamp is not a whole number of unix seconds;
 * - `missing_v1`: the header parses but carries no `v1` signature;
 * - `stale_signature`: |now − timestamp| > tolerance (too old or too far in the future);
 * - `signature_mismatch`: no `v1` signature matches any of the secrets.
 */
export type VerifyFailureReason =
  | "malformed_header"
  | "bad_timestamp"
  | "missing_v1"
  | "stale_signature"
  | "signature_mismatch";

/**
 * Reasons a throwing verifier can report: the signature reasons plus `invalid_payload`,
 * used only after the signature has verified, when the body is not a Posthorn envelope
 * (not UTF-8, not JSON, or a field has the wrong type).
 */
export type WebhookErrorReason = VerifyFailureReason | "invalid_payload";

const MESSAGES: Record<WebhookErrorReason, string> = {
  malformed_header: "the signature header is missing or does not parse",
  bad_timestamp: "the signature timestamp is not a whole number of unix seconds",
  missing_v1: "the signature header carries no v1 signature",
  stale_signature: "the signature timestamp is outside the tolerance (too old or too far in the future)",
  signature_mismatch:
    "no v1 signature matches the secrets; pass the raw request body exactly as received, not a parsed and re-serialized object",
  invalid_payload: "the signature is valid but the body is not a Posthorn event envelope",
};

/** A human-readable sentence for a reason code; stable enough for logs, not for parsing. */
export function describeReason(reason: WebhookErrorReason): string {
  return MESSAGES[reason];
}

/**
 * The one error the throwing verifiers raise. Branch on `reason`, never on `message`.
 *
 * Misuse (a parsed object as payload, no secrets, a `whsec_` secret that is not base64,
 * a negative tolerance) is a programming error and throws `TypeError`/`RangeError` instead.
 */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  readonly reason: WebhookErrorReason;

  constructor(reason: WebhookErrorReason, message: string = describeReason(reason), options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
