import { FAILURES, type VerifyFailure } from "./result.js";
import { parseUnixSeconds } from "./timestamp.js";

/** The `t` and `v1` values of a `Dealix-Signature` header. */
export interface V1Header {
  /** Unix seconds. */
  readonly timestamp: number;
  /** Every `v1` value, in header order, unvalidated (they are only compared). */
  readonly signatures: readonly string[];
}

/**
 * One `key=value` part: spaces/tabs allowed around the part and the `=`; the key is
 * `[A-Za-z0-9_-]+`; the value is printable ASCII without space, `,` or `=`. So `t=123=junk`,
 * `v1`, `v1=` and `v1=ab cd` are all malformed.
 */
const PART = /^[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*([\x21-\x2B\x2D-\x3C\x3E-\x7E]+)[ \t]*$/;

/**
 * Parses `t=<unix>,v1=<hex>[,v1=<hex>…]` (contract; Stripe's format). Lenient about spaces
 * around separators, strict about each part, case-sensitive keys, unknown schemes (`v0=…`)
 * ignored. Returns the failure for `malformed_header`, `bad_timestamp` or `missing_v1`,
 * checked in that order.
 *
 * Node gives an array for a repeated header: one element is accepted, more is malformed.
 */
export function parseV1Header(value: unknown): V1Header | VerifyFailure {
  let header = value;
  if (Array.isArray(header)) header = header.length === 1 ? header[0] : undefined;
  if (typeof header !== "string" || header.length === 0) return FAILURES.malformed_header;

  let timestampText: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const match = PART.exec(part);
    if (match === null) return FAILURES.malformed_header;
    const key = match[1];
    const val = match[2] as string;
    if (key === "t") {
      if (timestampText !== undefined) return FAILURES.malformed_header;
      timestampText = val;
    } else if (key === "v1") {
      signatures.push(val);
    }
  }
  if (timestampText === undefined) return FAILURES.malformed_header;
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return FAILURES.bad_timestamp;
  if (signatures.length === 0) return FAILURES.missing_v1;
  return { timestamp, signatures };
}
