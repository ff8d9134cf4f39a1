import { randomBytes } from "node:crypto";

/**
 * A new signing secret: `whsec_` + base64 of 32 random bytes (contract; the Standard Webhooks
 * secret format, which Stripe-style v1 signing uses as a UTF-8 string).
 */
export function generateSecret(): string {
  return "whsec_" + randomBytes(32).toString("base64");
}
