import { decodeKey, standardWebhooksSignature, v1Signature } from "./hmac.js";
import { toRawBytes } from "./payload.js";
import { standardWebhooksKeyBase64, toSecretList } from "./secret.js";
import { checkSigningTimestamp } from "./timestamp.js";

/** The three headers of a Standard Webhooks request. */
export type StandardWebhooksHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * Signs a body for the `Dealix-Signature` header (contract, "Signature"; Stripe's format).
 *
 * Each `v1` is hex(HMAC-SHA256(key = the whole secret string as UTF-8, `whsec_` included,
 * msg = "<timestamp>." + payload)). One `v1` per secret, in the order given, so a receiver
 * holding any one of them verifies during rotation.
 *
 * @param opts.payload the exact body bytes that will be sent (a string is taken as UTF-8).
 * @param opts.secrets the subscription's valid secrets, at least one.
 * @param opts.timestamp the time of this attempt (not of the event), unix **seconds**.
 * @returns `"t=<timestamp>,v1=<hex>[,v1=<hex>…]"`.
 * @throws {TypeError} no secrets, or a payload that is not a string or bytes.
 * @throws {RangeError} a timestamp that is not a non-negative integer.
 *
 * @example
 * signV1({ payload: body, secrets: ["whsec_…"], timestamp: Math.floor(Date.now() / 1000) });
 * // "t=1700000000,v1=5257a869…"
 */
export function signV1(opts: { payload: string | Uint8Array; secrets: readonly string[]; timestamp: number }): string {
  const { timestamp } = opts;
  const payload = toRawBytes(opts.payload);
  const secrets = toSecretList(opts.secrets);
  checkSigningTimestamp(timestamp);
  let header = `t=${timestamp}`;
  for (const secret of secrets) header += `,v1=${v1Signature(secret, timestamp, payload)}`;
  return header;
}

/**
 * Signs a body under the Standard Webhooks scheme (standardwebhooks.com spec, "Signature scheme").
 *
 * Each signature is `v1,` + base64(HMAC-SHA256(key = base64-decode(secret without `whsec_`),
 * msg = "<id>.<timestamp>." + payload)); entries are space-separated, one per secret, in order.
 *
 * @param opts.id the message id sent as `webhook-id` (Posthorn uses the event id).
 * @param opts.timestamp the time of this attempt, unix **seconds**.
 * @returns the `webhook-id`, `webhook-timestamp` and `webhook-signature` header values.
 * @throws {TypeError} a secret whose part after `whsec_` is not padded standard base64,
 *   no secrets, an empty id or a payload that is not a string or bytes.
 * @throws {RangeError} a timestamp that is not a non-negative integer.
 */
export function signStandardWebhooks(opts: {
  id: string;
  payload: string | Uint8Array;
  secrets: readonly string[];
  timestamp: number;
}): StandardWebhooksHeaders {
  const { id, timestamp } = opts;
  const payload = toRawBytes(opts.payload);
  const secrets = toSecretList(opts.secrets);
  checkSigningTimestamp(timestamp);
  if (typeof id !== "string" || id.length === 0) throw new TypeError("id must be a non-empty string");
  const signatures: string[] = [];
  for (const secret of secrets) {
    const key = decodeKey(standardWebhooksKeyBase64(secret));
    signatures.push(`v1,${standardWebhooksSignature(key, id, timestamp, payload)}`);
  }
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}
