import { FAILURES, type VerifyFailure } from "./result.js";
import { parseUnixSeconds } from "./timestamp.js";

/**
 * Received headers: a fetch `Headers` (or anything with `get(name)`), or a plain object such
 * as Node's `IncomingHttpHeaders`, whose names may be in any letter case.
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The three Standard Webhooks headers, parsed. */
export interface StandardWebhooksHeader {
  readonly id: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** Every `v1` signature (the base64 after `v1,`), in header order. */
  readonly signatures: readonly string[];
}

const AMBIGUOUS = Symbol("ambiguous");

/** Finds a header by name in any letter case; two spellings or a repeated value are ambiguous. */
function findHeader(headers: HeadersLike, lowerName: string): string | undefined | typeof AMBIGUOUS {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(lowerName) ?? undefined;
  }
  const record = headers as Readonly<Record<string, unknown>>;
  let found: unknown;
  let seen = false;
  for (const name of Object.keys(record)) {
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    const value = record[name];
    if (value === undefined) continue;
    if (seen) return AMBIGUOUS;
    seen = true;
    found = value;
  }
  if (Array.isArray(found)) found = found.length === 1 ? found[0] : AMBIGUOUS;
  if (found === undefined || found === AMBIGUOUS) return found as undefined | typeof AMBIGUOUS;
  return typeof found === "string" ? found : AMBIGUOUS;
}

/** `<version>,<signature>`, both non-empty, exactly one comma. */
const ENTRY = /^([^,]+),([^,]+)$/;

/**
 * Reads `webhook-id`, `webhook-timestamp` and `webhook-signature` (Standard Webhooks spec).
 * A missing, empty or ambiguous header, or a signature entry that is not `<version>,<sig>`,
 * is `malformed_header`; a timestamp that is not digits is `bad_timestamp`; no `v1` entry
 * (e.g. only `v1a`) is `missing_v1`. Entries are separated by runs of spaces.
 */
export function parseStandardWebhooksHeaders(headers: HeadersLike): StandardWebhooksHeader | VerifyFailure {
  if (headers === null || typeof headers !== "object") {
    throw new TypeError("headers must be a headers object (e.g. req.headers or a fetch Headers)");
  }
  const id = findHeader(headers, "webhook-id");
  const timestampText = findHeader(headers, "webhook-timestamp");
  const signatureText = findHeader(headers, "webhook-signature");
  if (typeof id !== "string" || typeof timestampText !== "string" || typeof signatureText !== "string") {
    return FAILURES.malformed_header;
  }
  // The id is signed as received (as the standardwebhooks libraries do); it only must not be blank.
  const entries = signatureText.trim().split(/[ ]+/);
  if (id.trim().length === 0 || entries[0] === "") return FAILURES.malformed_header;

  const signatures: string[] = [];
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    if (match === null) return FAILURES.malformed_header;
    if (match[1] === "v1") signatures.push(match[2] as string);
  }
  const timestamp = parseUnixSeconds(timestampText.trim());
  if (timestamp === undefined) return FAILURES.bad_timestamp;
  if (signatures.length === 0) return FAILURES.missing_v1;
  return { id, timestamp, signatures };
}
