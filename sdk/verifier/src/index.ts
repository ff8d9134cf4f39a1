/**
 * @posthorn/verifier: signing and verification of Posthorn webhooks.
 *
 * Two schemes (contract, "Signature"):
 * - `v1`, Stripe-compatible: header `Dealix-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`;
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`.
 *
 * The Posthorn server signs with `signV1` / `signStandardWebhooks` from this package, so
 * signer and verifier cannot drift. Node.js 20+, no runtime dependencies. For runtimes with
 * only `crypto.subtle`, import `@posthorn/verifier/webcrypto`.
 */
export { signStandardWebhooks, signV1, type StandardWebhooksHeaders } from "./sign.js";
export {
  createSignatureVerifier,
  verifySignature,
  verifyWebhook,
  type SignatureMessage,
  type SignatureVerifier,
  type VerifySignatureOptions,
} from "./verify.js";
export {
  createStandardWebhooksVerifier,
  verifyStandardWebhook,
  verifyStandardWebhookEvent,
  type StandardWebhookMessage,
  type StandardWebhooksVerifier,
  type StandardWebhooksVerifierOptions,
} from "./standard-webhooks.js";
export {
  signStandardWebhooksAsync,
  signV1Async,
  verifySignatureAsync,
  verifyStandardWebhookAsync,
  verifyStandardWebhookEventAsync,
  verifyWebhookAsync,
} from "./webcrypto.js";
export { WebhookVerificationError, describeReason, type VerifyFailureReason, type WebhookErrorReason } from "./errors.js";
export type { StandardWebhookResult, VerifyFailure, VerifyResult, VerifySuccess } from "./result.js";
export type { WebhookEnvelope } from "./envelope.js";
export type { RawPayload } from "./payload.js";
export type { HeadersLike } from "./standard-webhooks-header.js";
export { DEFAULT_TOLERANCE_SECONDS } from "./timestamp.js";
