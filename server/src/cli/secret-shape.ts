import { SIGNING_SECRET_BYTES as SECRET_BYTES } from "../domain/secret.js";

const SECRET_PATTERN = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;

/**
 * Why `secret` does not look like a secret Posthorn issues (`whsec_` + base64 of 32 random
 * bytes, the contract's and Standard Webhooks' format), or undefined when it does. A v1
 * verifier accepts any string as its HMAC key, so a mistyped or made-up secret would only show
 * up as every request failing verification; `listen` warns at start instead. Never quotes it.
 */
export function secretShapeProblem(secret: string): string | undefined {
  const match = SECRET_PATTERN.exec(secret.trim());
  if (!secret.startsWith("whsec_")) return "it does not start with whsec_";
  if (match === null) return "the part after whsec_ is not padded standard base64";
  const bytes = Buffer.from(match[1]!, "base64").length;
  if (bytes !== SECRET_BYTES) return `the part after whsec_ decodes to ${bytes} bytes, not ${SECRET_BYTES}`;
  if (secret !== secret.trim()) return "it has white space around it";
  return undefined;
}
