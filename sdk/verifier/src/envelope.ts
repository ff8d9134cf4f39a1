import { WebhookVerificationError } from "./errors.js";
import { toRawBytes, type RawPayload } from "./payload.js";
import type { VerifyResult } from "./result.js";

/**
 * The body Posthorn sends (contract, "Envelope"), canonical JSON with sorted keys.
 * Unknown extra fields are kept, so a newer server does not break an older verifier.
 */
export interface WebhookEnvelope {
  api_version: string;
  customer_id: string;
  data: Record<string, unknown>;
  /** `evt_` + 24 lowercase hex. */
  id: string;
  /** When the event was emitted, unix seconds (not when this attempt was signed). */
  timestamp: number;
  /** e.g. `lead.created`. */
  type: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(detail: string, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError(
    "invalid_payload",
    `the signature is valid but the body is not a Posthorn event envelope: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Parses an already verified body into a typed envelope.
 *
 * @throws {WebhookVerificationError} reason `invalid_payload` when the bytes are not UTF-8,
 *   not JSON, or a field is missing or of the wrong type.
 */
export function parseEnvelope(payload: string | Uint8Array): WebhookEnvelope {
  let text: string;
  let value: unknown;
  try {
    text = typeof payload === "string" ? payload : utf8.decode(payload);
  } catch (error) {
    throw invalid("not valid UTF-8", error);
  }
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid("not valid JSON", error);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid("not a JSON object");
  const env = value as Record<string, unknown>;
  for (const field of ["api_version", "customer_id", "id", "type"] as const) {
    if (typeof env[field] !== "string") throw invalid(`"${field}" must be a string`);
  }
  if (typeof env.timestamp !== "number" || !Number.isSafeInteger(env.timestamp)) {
    throw invalid(`"timestamp" must be an integer (unix seconds)`);
  }
  const data = env.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw invalid(`"data" must be a JSON object`);
  return env as unknown as WebhookEnvelope;
}

/**
 * The throwing form of a verification's `result`: the body parsed into an envelope when the
 * signature verified, else a {@link WebhookVerificationError} with the failure's reason. The
 * body is parsed only after the signature has verified. One definition for both schemes and
 * for the synchronous and WebCrypto verifiers.
 *
 * @throws {WebhookVerificationError} the failure `reason`, or `invalid_payload` (see {@link parseEnvelope}).
 */
export function envelopeOfVerified(result: VerifyResult, payload: RawPayload): WebhookEnvelope {
  if (!result.ok) throw new WebhookVerificationError(result.reason);
  return parseEnvelope(toRawBytes(payload));
}

/**
 * The throwing form of a result-returning verifier: the parsed envelope when `verify` passes,
 * else a {@link WebhookVerificationError} with its reason (see {@link envelopeOfVerified}).
 */
export function verifyThenParse<M extends { payload: RawPayload }>(verify: (message: M) => VerifyResult, message: M): WebhookEnvelope {
  return envelopeOfVerified(verify(message), message.payload);
}
