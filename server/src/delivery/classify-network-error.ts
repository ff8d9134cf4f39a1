/**
 * Maps an error thrown by undici / Node's net, dns and tls modules to an `AttemptErrorKind`.
 * Walks the `cause` chain because undici wraps socket errors (e.g. `TypeError: fetch failed`,
 * `SocketError` with the original error as `cause`). Codes come from Node's errors documentation
 * (`ERR_TLS_*`, OpenSSL verify codes, libuv errnos) and undici's `lib/core/errors.js`.
 */
import { BLOCKED_ADDRESS_CODE } from "./address-guard.js";
import type { AttemptErrorKind } from "./transport.js";

/** OpenSSL certificate verification codes Node surfaces as `err.code` (tls.connect). */
const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "HOSTNAME_MISMATCH",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_OSSL_EVP_UNSUPPORTED",
]);

const BY_CODE: Record<string, AttemptErrorKind> = {
  [BLOCKED_ADDRESS_CODE]: "blocked_address",
  ECONNREFUSED: "connection_refused",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NODATA: "dns",
  EAI_NONAME: "dns",
  ECONNRESET: "connection_reset",
  EPIPE: "connection_reset",
  ECONNABORTED: "connection_reset",
  UND_ERR_SOCKET: "connection_reset",
  UND_ERR_CLOSED: "connection_reset",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_ABORTED: "timeout",
};

/** Kind of the first error in the `cause` chain whose code or name is recognised; else `other`. */
export function classifyNetworkError(err: unknown): AttemptErrorKind {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") {
      const known = BY_CODE[code];
      if (known !== undefined) return known;
      if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.startsWith("CERT_") || CERT_CODES.has(code)) {
        return "tls";
      }
    }
    if (current.name === "AbortError" || current.name === "TimeoutError") return "timeout";
    current = current.cause;
  }
  return "other";
}

/** `err`'s message with the messages of its causes, at most `maxChars` characters. */
export function describeNetworkError(err: unknown, maxChars = 500): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as NodeJS.ErrnoException).code;
      // Our own codes say nothing the message does not; Node's (ECONNREFUSED …) often do.
      const showCode = code !== undefined && code !== BLOCKED_ADDRESS_CODE && !current.message.includes(code);
      const message = current.message.replace(/\s+/g, " ").trim(); // OpenSSL ends lines with "\n"
      parts.push(showCode ? `${message} (${code})` : message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  const text = parts.join(": ");
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
