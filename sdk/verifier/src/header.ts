import { FAILURES, type VerifyFailure } from "./result.js";
import { parseUnixSeconds } from "./timestamp.js";

/** The `t` and `v1` values of a `Dealix-Signature` header. */
export interface V1Header {
  /** Unix seconds. */
  readonly timestamp: number;
  /** Every `v1` value, in header order, unvalidated (they are only compared). */
  readonly signatures: readonly string[];
}

const TAB = 0x09;
const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;

// Runs of key and value characters, matched by sticky regexes: the regex engine's native
// code scans the 64-character signatures about twice as fast as a charCodeAt loop.
/** `[A-Za-z0-9_-]*` */
const KEY_RUN = /[A-Za-z0-9_-]*/y;
/** Printable ASCII except space, `,` and `=`. */
const VALUE_RUN = /[\x21-\x2B\x2D-\x3C\x3E-\x7E]*/y;

/** Index just past the run of `run`'s characters that starts at `i`. */
function runEnd(run: RegExp, text: string, i: number): number {
  run.lastIndex = i;
  run.test(text);
  return run.lastIndex;
}

/** Index of the first character at or after `i` that is not a space or tab (or `end`). */
function skipBlanks(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
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
 * are ignored. It is a small scanner rather than one big regex because it runs on every
 * request (see `bench/verifier.ts`); the shared vectors pin its behaviour.
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
    const keyStart = skipBlanks(header, i, end);
    const keyEnd = runEnd(KEY_RUN, header, keyStart);
    const keyLength = keyEnd - keyStart;
    i = skipBlanks(header, keyEnd, end);
    if (keyLength === 0 || i === end || header.charCodeAt(i) !== EQUALS) return FAILURES.malformed_header;
    const valueStart = skipBlanks(header, i + 1, end);
    const valueEnd = runEnd(VALUE_RUN, header, valueStart);
    i = skipBlanks(header, valueEnd, end);
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
