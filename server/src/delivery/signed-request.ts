import { signStandardWebhooks, signV1 } from "@posthorn/verifier";
import { liveSecrets, type SigningSecret } from "../domain/secret.js";
import type { SignatureSchemeName } from "../domain/signature-scheme.js";

/** Everything that goes into one attempt's headers. */
export interface SignedRequestInput {
  /** Brand in header names (contract: default `Dealix`). */
  brand: string;
  eventId: string;
  eventType: string;
  attemptNumber: number;
  /** The stored envelope bytes, sent and signed as they are. */
  body: Uint8Array;
  scheme: SignatureSchemeName;
  /** The subscription's secrets, opened, newest first; expired ones are skipped here. */
  secrets: readonly SigningSecret[];
  /** Time of this attempt in unix milliseconds: the signature's `t` (contract fault 1: never the event's time). */
  nowMs: number;
}

/**
 * The contract's request headers for one attempt (contract, "Wire contract"):
 * `Content-Type`, `User-Agent: <Brand>-Webhooks/1.0`, `<Brand>-Event-Id`, `<Brand>-Event-Type`,
 * `<Brand>-Delivery-Attempt`, and the signature — `<Brand>-Signature: t=<now>,v1=…` with one `v1`
 * per valid secret, or the Standard Webhooks trio (`webhook-id` = the event id, stable across
 * retries). Returns the headers and the signature value recorded with the attempt.
 */
export function signedHeaders(input: SignedRequestInput): { headers: Record<string, string>; signature: string } {
  const timestamp = Math.floor(input.nowMs / 1000);
  const secrets = liveSecrets(input.secrets, input.nowMs).map((s) => s.secret);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": `${input.brand}-Webhooks/1.0`,
    [`${input.brand}-Event-Id`]: input.eventId,
    [`${input.brand}-Event-Type`]: input.eventType,
    [`${input.brand}-Delivery-Attempt`]: String(input.attemptNumber),
  };
  if (input.scheme === "standard_webhooks") {
    const signed = signStandardWebhooks({ id: input.eventId, payload: input.body, secrets, timestamp });
    Object.assign(headers, signed);
    return { headers, signature: signed["webhook-signature"] };
  }
  const signature = signV1({ payload: input.body, secrets, timestamp });
  headers[`${input.brand}-Signature`] = signature;
  return { headers, signature };
}
