import { FAILURES, type VerifyFailure } from "./result.js";

/** Default tolerance, in seconds (contract; Stripe and Standard Webhooks use the same 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const DIGITS = /^[0-9]+$/;

/**
 * Parses a unix-seconds timestamp as sent on the wire: decimal digits only (no sign, no
 * fraction, no exponent), at most 2^53 − 1. Returns `undefined` when it is not one.
 */
export function parseUnixSeconds(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** The receiver's clock in unix seconds: the injected `now` if given (0 included), else the system clock. */
export function resolveNow(now: number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new TypeError(`now must be a finite number of unix seconds; got ${String(now)}`);
  }
  return now;
}

/** Validates a tolerance in seconds: a non-negative number (Infinity switches the check off). */
export function resolveTolerance(toleranceSeconds: number | undefined): number {
  if (toleranceSeconds === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== "number" || Number.isNaN(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError(`toleranceSeconds must be a number >= 0 (seconds); got ${String(toleranceSeconds)}`);
  }
  return toleranceSeconds;
}

/**
 * `stale_signature` when |now − timestamp| > tolerance, in both directions: a timestamp too
 * far in the future is as suspect as an old one (Standard Webhooks does the same; Stripe
 * checks only age). Unlike Stripe, a tolerance of 0 means "exactly now", not "no check".
 */
export function checkFreshness(timestamp: number, now: number, toleranceSeconds: number): VerifyFailure | undefined {
  return Math.abs(now - timestamp) > toleranceSeconds ? FAILURES.stale_signature : undefined;
}

/** 10^11 s is the year 5138; a larger "seconds" value is almost surely `Date.now()` in ms. */
const MAX_SIGNING_SECONDS = 1e11;

/**
 * Signers take the attempt time as a non-negative integer of unix seconds.
 *
 * @throws {RangeError} otherwise, including for a value that looks like milliseconds.
 */
export function checkSigningTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp >= MAX_SIGNING_SECONDS) {
    throw new RangeError(
      `timestamp must be a non-negative integer of unix seconds (Math.floor(Date.now() / 1000)); got ${String(timestamp)}`,
    );
  }
}
