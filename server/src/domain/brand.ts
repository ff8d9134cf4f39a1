/**
 * The brand: the word in the header names and the User-Agent of every delivery
 * (`<brand>-Signature`, `<brand>-Event-Id`, `<brand>-Webhooks/1.0`; contract, "Headers").
 * One definition for the server's `POSTHORN_BRAND` and the CLI's `listen --brand`, so the
 * listener accepts exactly the brands a server can be given.
 */

/** The contract's default brand. */
export const DEFAULT_BRAND = "Dealix";

/** 1 to 40 of letters, digits and `-`, starting with a letter: a valid HTTP header-name part (RFC 9110 "token"). */
export const BRAND_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;

/** `BRAND_PATTERN` in words, for messages. */
export const BRAND_RULE = "letters, digits and '-', starting with a letter";
