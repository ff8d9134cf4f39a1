import type { VerifyFailureReason } from "./errors.js";

/** The signature verified; `timestamp` is the signed time in unix seconds. */
export interface VerifySuccess {
  readonly ok: true;
  readonly timestamp: number;
}

/** The signature did not verify; `reason` is one of the contract's reason codes. */
export interface VerifyFailure {
  readonly ok: false;
  readonly reason: VerifyFailureReason;
}

/** What the result-returning verifiers give back. They never throw for a bad signature. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** A verified Standard Webhooks message also carries its `webhook-id`. */
export type StandardWebhookResult = (VerifySuccess & { readonly id: string }) | VerifyFailure;

/** Shared, frozen failure objects: a failed check allocates nothing. */
export const FAILURES: { readonly [R in VerifyFailureReason]: VerifyFailure } = {
  malformed_header: Object.freeze({ ok: false, reason: "malformed_header" }),
  bad_timestamp: Object.freeze({ ok: false, reason: "bad_timestamp" }),
  missing_v1: Object.freeze({ ok: false, reason: "missing_v1" }),
  stale_signature: Object.freeze({ ok: false, reason: "stale_signature" }),
  signature_mismatch: Object.freeze({ ok: false, reason: "signature_mismatch" }),
};

export function isFailure<T extends object>(value: T | VerifyFailure): value is VerifyFailure {
  return (value as VerifyFailure).ok === false;
}
