// Package verifier checks the signatures Posthorn puts on the webhook requests it sends.
//
// Glossary:
//   - v1 scheme (the default; Stripe-compatible): header `<Brand>-Signature: t=<unix s>,v1=<hex>`,
//     hex(HMAC-SHA256(key = the whole secret string as UTF-8, msg = "<t>." + body)), one v1 entry
//     per valid secret while a secret is being rotated.
//   - Standard Webhooks scheme: headers webhook-id, webhook-timestamp and
//     `webhook-signature: v1,<base64> …`, HMAC-SHA256 over "<id>.<t>.<body>" with the key
//     base64-decode(secret without "whsec_") (https://www.standardwebhooks.com).
//   - reason: why a signature did not verify; see [Reason].
//
// It mirrors the TypeScript package @posthorn/verifier: [VerifySignature] and
// [VerifyStandardWebhook] return the signed time or an [*Error] with a [Reason];
// [VerifyWebhook] and [VerifyStandardWebhookEvent] also parse the body into an [Envelope];
// [NewStandardWebhooksVerifier] decodes the keys once (createStandardWebhooksVerifier in
// TypeScript); and [SignV1] / [SignStandardWebhooks]
// produce what the server sends. All three implementations pass the same vectors
// (test/vectors/signatures.json in the Posthorn repository).
//
// Always pass the raw request body exactly as received: re-serialized JSON never verifies.
// Comparisons are constant-time.
package verifier
