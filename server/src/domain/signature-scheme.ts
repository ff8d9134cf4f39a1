/**
 * How a subscription's deliveries are signed (contract, "Signature"), as stored; the API's
 * `SignatureScheme` enum maps to these in api/proto-enums.ts, the CLI's `--scheme` spellings in
 * cli/enum-names.ts.
 * - `v1`: Stripe-style `<Brand>-Signature: t=<unix>,v1=<hex>` (the default);
 * - `standard_webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature` (standardwebhooks.com).
 */
export const SIGNATURE_SCHEMES = ["v1", "standard_webhooks"] as const;

export type SignatureSchemeName = (typeof SIGNATURE_SCHEMES)[number];
