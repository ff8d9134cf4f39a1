import { FAILURES, type VerifyFailure } from "./result.js";
import { parseUnixSeconds } from "./timestamp.js";

/** The `t` and `v1` values of a `Dealix-Signature` header. */
export interface V1Header {
  /** Unix seconds. */
  readonly timestamp: number;
  /** Every `v1` value, in header order, unvalidated (they are only compared). */
  readonly signatures: readonly string[];
}

const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;

// Character classes of the ASCII range, looked up per character (this runs on every request).
const BLANK = 1; // space, tab
const KEY = 2; // A-Z a-z 0-9 _ -
const VALUE = 4; // printable ASCII except space, "," and "="
const CLASSES = new Uint8Array(128);
CLASSES[SPACE] = BLANK;
CLASSES[0x09] = BLANK;
for (let c = 0x21; c < 0x7f; c++) {
  if (c === COMMA || c === EQUALS) continue;
  const isKey = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
  CLASSES[c] = VALUE | (isKey ? KEY : 0);
}

/** Index of the first character at or after `i` outside `mask`'s class (or `end`). */
function skip(text: string, i: number, end: number, mask: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || ((CLASSES[c] as number) & mask) === 0) break;
    i++;
  }
  return i;
}

/**
 * Parses `t=<unix>,v1=<hex>[,v1=<hex>…]` (contract; Stripe's format). Returns the failure for
 * `malformed_header`, `bad_timestamp` or `missing_v1`, checked in that order.
 *
 * Grammar, per comma-separated part: optional spaces/tabs, a key of `[A-Za-z0-9_-]+`, optional
 * blanks, `=`, optional blanks, a value of printable ASCII without space, `,` or `=`, optional
 * blanks; in regex terms `^[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*([\x21-\x7E]-[,=])+[ \t]*$`.
 * So `t=123=junk`, `v1`, `v1=`, `v1=ab cd`, an empty part and a trailing comma are malformed,
 * as are a missing `t` and a second `t`. Keys are case-sensitive; unknown schemes (`v0=…`)
 * are ignored. It is a hand-written scanner because it runs on every request (see
 * `bench/verifier.ts`); the shared vectors pin its behaviour.
 *
 * Node gives an array for a repeated header: one element is accepted, more is malformed.
 */
export function parseV1Header(value: unknown): V1Header | VerifyFailure {
  let header = value;
  if (Array.isArray(header)) header = header.length === 1 ? header[0] : undefined;
  if (typeof header !== "string" || header.length === 0) return FAILURES.malformed_header;

  const end = header.length;
  let timestampText: string | undefined;
  const signatures: string[] = [];
  let i = 0;
  for (;;) {
    const keyStart = skip(header, i, end, BLANK);
    const keyEnd = skip(header, keyStart, end, KEY);
    const keyLength = keyEnd - keyStart;
    i = skip(header, keyEnd, end, BLANK);
    if (keyLength === 0 || i === end || header.charCodeAt(i) !== EQUALS) return FAILURES.malformed_header;
    const valueStart = skip(header, i + 1, end, BLANK);
    const valueEnd = skip(header, valueStart, end, VALUE);
    i = skip(header, valueEnd, end, BLANK);
    if (valueEnd === valueStart || (i < end && header.charCodeAt(i) !== COMMA)) return FAILURES.malformed_header;

    if (keyLength === 1 && header.charCodeAt(keyStart) === 0x74 /* t */) {
      if (timestampText !== undefined) return FAILURES.malformed_header;
      timestampText = header.slice(valueStart, valueEnd);
    } else if (keyLength === 2 && header.charCodeAt(keyStart) === 0x76 /* v */ && header.charCodeAt(keyStart + 1) === 0x31 /* 1 */) {
      signatures.push(header.slice(valueStart, valueEnd));
    }
    if (i === end) break;
    i++; // the comma; a trailing one leaves an empty part, which the next turn rejects
  }

  if (timestampText === undefined) return FAILURES.malformed_header;
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return FAILURES.bad_timestamp;
  if (signatures.length === 0) return FAILURES.missing_v1;
  return { timestamp, signatures };
}
