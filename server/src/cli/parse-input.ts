import { readFileSync } from "node:fs";
import { isLosslessNumber, LosslessNumber, parse as parseLossless } from "lossless-json";
import type { DeliveryState, SignatureScheme } from "@posthorn/sdk";
import { SCHEME_TO_PROTO, STATE_TO_PROTO } from "../api/proto-enums.js";
import { DELIVERY_STATES, isDeliveryStateName } from "../domain/delivery-state.js";
import { SIGNATURE_SCHEMES } from "../domain/signature-scheme.js";
import { UsageError } from "./cli-support.js";
import { SCHEME_FLAG_NAMES } from "./enum-names.js";

/**
 * Parsers for command-line values. Each throws `UsageError` naming the flag and saying what
 * would be accepted, so the user can fix the command without reading the code.
 */

/** A whole number in [min, max]. */
export function parseIntFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`${flag}: expected a whole number ${range}, got "${value}"`);
  }
  return n;
}

/** Comma-separated values, blanks dropped: `lead.created, deal.won` → two entries. */
export function parseList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
}

/**
 * A JSON object (the event's `data`, or a whole `--file`). Integers beyond ±(2^53 − 1) are
 * refused with a message that says to quote them: the API carries numbers as doubles and
 * refuses them too (RFC 7493 section 2.2, I-JSON), and `JSON.parse` would already have rounded
 * them, so the text is parsed with `lossless-json`, which keeps such numbers' digits. `root` is
 * the JSON path the message names (`data` for `--data`, empty for a file holding `data`).
 */
export function parseJsonObject(flag: string, text: string, root = "data"): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseLossless(text, null, (digits) => {
      const n = Number(digits);
      return Number.isInteger(n) && !Number.isSafeInteger(n) ? new LosslessNumber(digits) : n;
    });
  } catch (error) {
    throw new UsageError(`${flag}: not valid JSON (${(error as Error).message}); e.g. --data '{"lead_id": 42}'`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${flag}: expected a JSON object such as {"lead_id": 42}, got ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  const unsafe = findUnsafeInteger(value, root);
  if (unsafe) {
    throw new UsageError(
      `${flag}: ${unsafe.path}: ${unsafe.digits} is beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1) and would arrive as another number; ` +
        `quote it to send it as a string: "${unsafe.digits}"`,
    );
  }
  return value as Record<string, unknown>;
}

/** The first number kept as `LosslessNumber` (an unsafe integer) and its path (`data.a[2]`). */
function findUnsafeInteger(value: unknown, path: string): { path: string; digits: string } | undefined {
  if (isLosslessNumber(value)) return { path, digits: value.value };
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
    const found = findUnsafeInteger(child, childPath);
    if (found) return found;
  }
  return undefined;
}

/** Reads a file as a JSON object. */
export function readJsonFile(flag: string, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseJsonObject(`${flag} ${path}`, text, "");
}

/** `pending | succeeded | failed | canceled`, in any letter case. */
export function parseState(value: string): DeliveryState {
  const name = value.toLowerCase();
  if (!isDeliveryStateName(name)) throw new UsageError(`--state: expected one of ${DELIVERY_STATES.join(", ")}, got "${value}"`);
  return STATE_TO_PROTO[name];
}

/** `v1 | standard-webhooks` (see `SCHEME_FLAG_NAMES`). */
export function parseScheme(value: string): SignatureScheme {
  const name = SIGNATURE_SCHEMES.find((scheme) => SCHEME_FLAG_NAMES[scheme] === value);
  if (name === undefined) throw new UsageError(`--scheme: expected ${SIGNATURE_SCHEMES.map((scheme) => SCHEME_FLAG_NAMES[scheme]).join(" or ")}, got "${value}"`);
  return SCHEME_TO_PROTO[name];
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in `90s`, `30m`, `12h` or `7d` (a whole number and one unit), or undefined for anything else. */
function durationSeconds(value: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : undefined;
}

/** A duration from now, in seconds, of at least 1 s: `3600s`, `90m`, `12h`, `30d`. */
export function parseDuration(flag: string, value: string): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined || seconds < 1 || !Number.isSafeInteger(seconds)) {
    throw new UsageError(`${flag}: expected a duration of 1 s or more, a whole number and a unit s, m, h or d (3600s, 90m, 12h, 30d), got "${value}"`);
  }
  return seconds;
}

/**
 * A point in time: an ISO 8601 date/time (`2026-11-29`, `2026-11-29T12:00:00Z`) or a duration
 * before `nowMs` (`90s`, `30m`, `24h`, `7d`). A `UsageError` names `flag` (`--since`, `--until`).
 */
export function parseSince(value: string, nowMs = Date.now(), flag = "--since"): Date {
  const ago = durationSeconds(value);
  if (ago !== undefined) return new Date(nowMs - ago * 1000);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(`${flag}: expected an ISO date/time (2026-11-29T12:00:00Z) or a duration ago (30m, 24h, 7d), got "${value}"`);
  }
  return new Date(ms);
}
