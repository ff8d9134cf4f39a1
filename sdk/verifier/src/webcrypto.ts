/**
 * The same signing and verification on WebCrypto (`crypto.subtle`), for runtimes without
 * `node:crypto` (Cloudflare Workers, Deno, Bun, browsers) and for Node.js alike. Import it as
 * `@posthorn/verifier/webcrypto`: nothing reachable from this file imports `node:crypto` or
 * uses `Buffer`. Rules, results and errors are those of the synchronous functions; the
 * header parsing and timestamp checks are the very same code.
 */
import { constantTimeEqual } from "./compare.js";
import { envelopeOfVerified, type WebhookEnvelope } from "./envelope.js";
import { parseV1Header } from "./header.js";
import { toRawBytes } from "./payload.js";
import { FAILURES, isFailure, type StandardWebhookResult, type VerifyResult } from "./result.js";
import { standardWebhooksKeyBase64, toSecretList } from "./secret.js";
import type { StandardWebhooksHeaders } from "./sign.js";
import { parseStandardWebhooksHeaders } from "./standard-webhooks-header.js";
import type { StandardWebhookMessage, StandardWebhooksVerifierOptions } from "./standard-webhooks.js";
import { checkFreshness, checkSigningTimestamp, resolveNow, resolveTolerance } from "./timestamp.js";
import type { VerifySignatureOptions } from "./verify.js";

const encoder = new TextEncoder();

// Derived from the global so the types need neither the DOM lib nor node:crypto.
type Subtle = typeof globalThis.crypto.subtle;
type CryptoKey = Awaited<ReturnType<Subtle["importKey"]>>;

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new TypeError("crypto.subtle is not available in this runtime");
  return s;
}

/** `prefix` (UTF-8) followed by the body bytes: WebCrypto signs one buffer. */
function message(prefix: string, payload: string | Uint8Array): Uint8Array {
  const head = encoder.encode(prefix);
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

async function hmac(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign("HMAC", key, data));
}

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** Contract / Stripe `v1` key: the whole secret string as UTF-8. */
const v1Key = (secret: string) => importKey(encoder.encode(secret));
/** Standard Webhooks key: base64-decode of the part after `whsec_` (validated first). */
const standardKey = (secret: string) => importKey(fromBase64(standardWebhooksKeyBase64(secret)));

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/**
 * `signV1` on WebCrypto: same input (`timestamp` in unix seconds) and the same
 * `"t=<timestamp>,v1=<hex>[,v1=<hex>…]"`, byte for byte (contract, "Signature").
 *
 * @throws {TypeError | RangeError} as `signV1` (the promise rejects).
 */
export async function signV1Async(opts: {
  payload: string | Uint8Array;
  secrets: readonly string[];
  timestamp: number;
}): Promise<string> {
  const payload = toRawBytes(opts.payload);
  const secrets = toSecretList(opts.secrets);
  checkSigningTimestamp(opts.timestamp);
  const data = message(`${opts.timestamp}.`, payload);
  let header = `t=${opts.timestamp}`;
  for (const secret of secrets) header += `,v1=${toHex(await hmac(await v1Key(secret), data))}`;
  return header;
}

/**
 * `signStandardWebhooks` on WebCrypto: resolves to the same `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` headers, byte for byte
 * (Standard Webhooks spec).
 *
 * @throws {TypeError | RangeError} as `signStandardWebhooks`, e.g. a secret that is not
 *   base64 after `whsec_` (the promise rejects).
 */
export async function signStandardWebhooksAsync(opts: {
  id: string;
  payload: string | Uint8Array;
  secrets: readonly string[];
  timestamp: number;
}): Promise<StandardWebhooksHeaders> {
  const payload = toRawBytes(opts.payload);
  const secrets = toSecretList(opts.secrets);
  checkSigningTimestamp(opts.timestamp);
  if (typeof opts.id !== "string" || opts.id.length === 0) throw new TypeError("id must be a non-empty string");
  const keys = await Promise.all(secrets.map(standardKey));
  const data = message(`${opts.id}.${opts.timestamp}.`, payload);
  const signatures: string[] = [];
  for (const key of keys) signatures.push(`v1,${toBase64(await hmac(key, data))}`);
  return {
    "webhook-id": opts.id,
    "webhook-timestamp": String(opts.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

/** Whether any received signature equals the encoded HMAC under any key (constant-time per pair). */
async function anyMatches(
  keys: readonly CryptoKey[],
  data: Uint8Array,
  encode: (digest: Uint8Array) => string,
  received: readonly string[],
): Promise<boolean> {
  for (const key of keys) {
    const expected = encode(await hmac(key, data));
    for (const candidate of received) if (constantTimeEqual(expected, candidate)) return true;
  }
  return false;
}

/**
 * `verifySignature` on WebCrypto: same options (`toleranceSeconds` and `now` in seconds), same
 * rules (contract, "Verification"; Stripe-compatible), resolves to the same
 * `{ ok: true, timestamp }` or `{ ok: false, reason }`.
 *
 * @throws {TypeError | RangeError} on misuse, as `verifySignature` (the promise rejects).
 */
export async function verifySignatureAsync(opts: VerifySignatureOptions): Promise<VerifyResult> {
  const payload = toRawBytes(opts.payload);
  const secrets = toSecretList(opts.secrets);
  const tolerance = resolveTolerance(opts.toleranceSeconds);
  const now = resolveNow(opts.now);
  const parsed = parseV1Header(opts.header);
  if (isFailure(parsed)) return parsed;
  const stale = checkFreshness(parsed.timestamp, now, tolerance);
  if (stale !== undefined) return stale;
  const keys = await Promise.all(secrets.map(v1Key));
  const ok = await anyMatches(keys, message(`${parsed.timestamp}.`, payload), toHex, parsed.signatures);
  return ok ? { ok: true, timestamp: parsed.timestamp } : FAILURES.signature_mismatch;
}

/**
 * `verifyWebhook` on WebCrypto: resolves to the typed envelope once the signature verifies.
 *
 * @throws {WebhookVerificationError} with the failure `reason`, or `invalid_payload`.
 */
export async function verifyWebhookAsync(opts: VerifySignatureOptions): Promise<WebhookEnvelope> {
  return envelopeOfVerified(await verifySignatureAsync(opts), opts.payload);
}

/**
 * `verifyStandardWebhook` on WebCrypto (Standard Webhooks spec): resolves to
 * `{ ok: true, timestamp, id }` (seconds) or `{ ok: false, reason }`.
 *
 * @throws {TypeError} a secret that is not base64 after `whsec_`, or a parsed-object payload
 *   (the promise rejects).
 */
export async function verifyStandardWebhookAsync(
  opts: StandardWebhookMessage & StandardWebhooksVerifierOptions,
): Promise<StandardWebhookResult> {
  const secrets = toSecretList(opts.secrets);
  const rawKeys = secrets.map((secret) => fromBase64(standardWebhooksKeyBase64(secret)));
  const tolerance = resolveTolerance(opts.toleranceSeconds);
  const payload = toRawBytes(opts.payload);
  const now = resolveNow(opts.now);
  const parsed = parseStandardWebhooksHeaders(opts.headers);
  if (isFailure(parsed)) return parsed;
  const stale = checkFreshness(parsed.timestamp, now, tolerance);
  if (stale !== undefined) return stale;
  const keys = await Promise.all(rawKeys.map(importKey));
  const ok = await anyMatches(keys, message(`${parsed.id}.${parsed.timestamp}.`, payload), toBase64, parsed.signatures);
  return ok ? { ok: true, timestamp: parsed.timestamp, id: parsed.id } : FAILURES.signature_mismatch;
}

/**
 * `verifyStandardWebhookEvent` on WebCrypto: resolves to the typed envelope.
 *
 * @throws {WebhookVerificationError} with the failure `reason`, or `invalid_payload`.
 */
export async function verifyStandardWebhookEventAsync(
  opts: StandardWebhookMessage & StandardWebhooksVerifierOptions,
): Promise<WebhookEnvelope> {
  return envelopeOfVerified(await verifyStandardWebhookAsync(opts), opts.payload);
}
