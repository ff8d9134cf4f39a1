import { constantTimeEqual } from "./compare.js";
import { verifyThenParse, type WebhookEnvelope } from "./envelope.js";
import { parseV1Header } from "./header.js";
import type { KeyObject } from "node:crypto";
import { v1Key, v1KeyFor, v1Signature } from "./hmac.js";
import { toRawBytes, type RawPayload } from "./payload.js";
import { FAILURES, isFailure, type VerifyResult } from "./result.js";
import { toSecretList } from "./secret.js";
import { checkFreshness, resolveNow, resolveTolerance } from "./timestamp.js";

/** Input of {@link verifySignature} and {@link verifyWebhook}. */
export interface VerifySignatureOptions {
  /** The raw body exactly as received. A parsed object is refused with a `TypeError`. */
  payload: RawPayload;
  /** The `Dealix-Signature` header value, e.g. `req.headers["dealix-signature"]`. */
  header: string | readonly string[] | null | undefined;
  /** The endpoint's signing secret(s); any one matching `v1` passes. */
  secrets: string | readonly string[];
  /** Maximum |now − t|, in **seconds**. Default 300. `Infinity` disables the check. */
  toleranceSeconds?: number;
  /** The receiver's clock, unix **seconds** (not ms). Default: the system clock. */
  now?: number;
}

/**
 * Verifies a `Dealix-Signature` header (`t=<unix>,v1=<hex>[,v1=<hex>…]`) against the raw body.
 * Never throws for a bad signature: it returns the reason.
 *
 * Rules (contract, "Signature" and "Verification"; Stripe-compatible): the key is the whole
 * secret string as UTF-8, message `"<t>." + body`; any `v1` matching any secret passes;
 * unknown schemes such as `v0` are ignored; |now − t| > tolerance fails in both directions;
 * comparisons are constant-time. Checks run in the order of the reasons below.
 *
 * @returns `{ ok: true, timestamp }` (seconds) or `{ ok: false, reason }` with `reason` one of
 *   `malformed_header`, `bad_timestamp`, `missing_v1`, `stale_signature`, `signature_mismatch`.
 * @throws {TypeError} the payload is not raw bytes or a string (e.g. a parsed object), or no secrets.
 * @throws {RangeError} a negative or NaN tolerance.
 *
 * @example
 * const result = verifySignature({ payload: req.body, header: req.headers["dealix-signature"], secrets: [secret] });
 * if (!result.ok) return res.status(400).send(result.reason);
 */
export function verifySignature(opts: VerifySignatureOptions): VerifyResult {
  const keys = toSecretList(opts.secrets).map(v1KeyFor);
  return verifyV1(toRawBytes(opts.payload), opts.header, keys, resolveTolerance(opts.toleranceSeconds), opts.now);
}

/** The checks, in the contract's order, with the inputs already validated. */
function verifyV1(
  payload: string | Uint8Array,
  header: unknown,
  keys: readonly (string | KeyObject)[],
  tolerance: number,
  nowOption: number | undefined,
): VerifyResult {
  const now = resolveNow(nowOption);
  const parsed = parseV1Header(header);
  if (isFailure(parsed)) return parsed;
  const stale = checkFreshness(parsed.timestamp, now, tolerance);
  if (stale !== undefined) return stale;

  for (const key of keys) {
    const expected = v1Signature(key, parsed.timestamp, payload);
    for (const candidate of parsed.signatures) {
      if (constantTimeEqual(expected, candidate)) return { ok: true, timestamp: parsed.timestamp };
    }
  }
  return FAILURES.signature_mismatch;
}

/**
 * Verifies like {@link verifySignature}, then parses the body into a typed envelope.
 * The body is parsed only after the signature has verified.
 *
 * @returns the envelope `{ api_version, customer_id, data, id, timestamp, type }`.
 * @throws {WebhookVerificationError} with the failure `reason`, or `invalid_payload` when a
 *   correctly signed body is not an envelope.
 * @throws {TypeError | RangeError} on misuse, as {@link verifySignature}.
 */
export function verifyWebhook(opts: VerifySignatureOptions): WebhookEnvelope {
  return verifyThenParse(verifySignature, opts);
}

/** Per-request input of a verifier made by {@link createSignatureVerifier}. */
export interface SignatureMessage {
  /** The raw body exactly as received. A parsed object is refused with a `TypeError`. */
  payload: RawPayload;
  /** The `Dealix-Signature` header value. */
  header: string | readonly string[] | null | undefined;
  /** The receiver's clock, unix **seconds**. Default: the system clock. */
  now?: number;
}

/** A `v1` verifier with its secrets checked and prepared once. */
export interface SignatureVerifier {
  /** Result form, as {@link verifySignature}. */
  verify(message: SignatureMessage): VerifyResult;
  /** Throwing form, as {@link verifyWebhook}. */
  verifyEvent(message: SignatureMessage): WebhookEnvelope;
}

/**
 * Creates a `v1` verifier (same rules as {@link verifySignature}) for an endpoint that
 * verifies many requests: secrets and tolerance are checked here, at start-up, and each secret
 * is turned into a key object once, which makes every verification cheaper.
 *
 * @param options.secrets one or more secrets; any matching `v1` passes.
 * @param options.toleranceSeconds maximum |now − t| in **seconds**, default 300.
 * @throws {TypeError} no secrets or an empty one. @throws {RangeError} a negative or NaN tolerance.
 */
export function createSignatureVerifier(options: {
  secrets: string | readonly string[];
  toleranceSeconds?: number;
}): SignatureVerifier {
  const keys = toSecretList(options.secrets).map(v1Key);
  const tolerance = resolveTolerance(options.toleranceSeconds);
  const verify = (message: SignatureMessage) => verifyV1(toRawBytes(message.payload), message.header, keys, tolerance, message.now);
  return {
    verify,
    verifyEvent: (message) => verifyThenParse(verify, message),
  };
}
