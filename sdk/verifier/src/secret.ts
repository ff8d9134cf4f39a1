/** Prefix of Posthorn (and Standard Webhooks / Svix / Stripe) signing secrets. */
export const SECRET_PREFIX = "whsec_";

/** Standard base64 (RFC 4648 §4), padded, non-empty. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks the secret list every signer and verifier takes: at least one non-empty string.
 * A single string is accepted as a list of one.
 *
 * @throws {TypeError} when the list is empty or holds something other than a non-empty string.
 */
export function toSecretList(secrets: string | readonly string[]): readonly string[] {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError("secrets must be a non-empty list of signing secrets (strings)");
  }
  for (const secret of list) {
    if (typeof secret !== "string" || secret.length === 0) {
      throw new TypeError("every secret must be a non-empty string");
    }
  }
  return list;
}

/**
 * The base64 text of a Standard Webhooks key: the secret without its `whsec_` prefix
 * (Standard Webhooks spec: the key is base64-decode of that part). Validated strictly, so a
 * typo fails loudly here instead of silently producing a short key.
 *
 * @throws {TypeError} when that part is empty or not padded standard base64. The message
 *   never contains the secret.
 */
export function standardWebhooksKeyBase64(secret: string): string {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new TypeError(
      `a Standard Webhooks secret must be "${SECRET_PREFIX}" followed by standard, padded base64 ` +
        `(the part after the prefix is decoded to get the HMAC key); this one is not (length ${secret.length})`,
    );
  }
  return encoded;
}
