/**
 * Retry policy as pure functions: what happens after an attempt — succeeded, retry after a delay,
 * or failed for good. No I/O, no clock: "now" and the random source are passed in.
 *
 * Sources:
 * - Schedule, attempt count and retryable statuses: the contract ("Retries") and the reference
 *   module's `RETRY_SCHEDULE_SECONDS` and `should_retry`.
 * - Jitter: the contract, "Faults in the reference" 3 (the reference promises jitter but has none).
 * - `Retry-After`: RFC 9110 §10.2.3 (delta-seconds or HTTP-date), honoured on 429 and 503.
 * - 410 Gone disables the subscription: the receiver says the endpoint is gone for good
 *   (RFC 9110 §15.5.11); Stripe and Svix do the same.
 */
import type { Config } from "../config/config.js";
import { DEFAULT_RETRY_JITTER_RATIO, DEFAULT_RETRY_SCHEDULE_SECONDS, MAX_RETRY_AFTER_SECONDS } from "../domain/retry-defaults.js";
import { parseHttpDate } from "./http-date.js";
import type { AttemptOutcome } from "./transport.js";

/** Tunable retry behaviour. All durations in seconds. */
export interface RetryPolicy {
  /**
   * Delay after failed attempt n is `scheduleSeconds[n - 1]` (before jitter); attempts in all =
   * `scheduleSeconds.length + 1` (the first attempt is immediate).
   */
  scheduleSeconds: readonly number[];
  /** Jitter as a fraction: a delay d becomes uniform in [d·(1 − r), d·(1 + r)). 0 disables it. */
  jitterRatio: number;
  /** Upper bound (seconds) on a `Retry-After` hint; longer hints are clamped to it. */
  maxRetryAfterSeconds: number;
}

/** The contract's defaults: 30 s, 5 min, 30 min, 6 h, 24 h; 6 attempts; ±20 % jitter; hints ≤ 24 h. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  scheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
  jitterRatio: DEFAULT_RETRY_JITTER_RATIO,
  maxRetryAfterSeconds: MAX_RETRY_AFTER_SECONDS,
});

/**
 * The policy configured: `POSTHORN_RETRY_SCHEDULE` and `POSTHORN_RETRY_JITTER` (whose defaults
 * are `DEFAULT_RETRY_POLICY`'s); `Retry-After` hints are always clamped to 24 h.
 */
export function retryPolicyFrom(config: Pick<Config, "retrySchedule" | "retryJitter">): RetryPolicy {
  return { scheduleSeconds: config.retrySchedule, jitterRatio: config.retryJitter, maxRetryAfterSeconds: MAX_RETRY_AFTER_SECONDS };
}

/** What to do after an attempt. Delays in milliseconds, times in epoch milliseconds. */
export type AttemptDecision =
  | { kind: "succeeded" }
  | { kind: "retry"; delayMs: number; nextAttemptAtMs: number }
  | { kind: "failed"; reason: string; disableSubscription?: { reason: string } };

/** Total attempts a policy allows (the first attempt plus one per schedule step). */
export function maxAttempts(policy: RetryPolicy): number {
  return policy.scheduleSeconds.length + 1;
}

/**
 * Whether a failed attempt may be retried, judged by its status (reference `should_retry`):
 * no status (network error, timeout) → true; 5xx, 408, 429 → true; anything else → false.
 * 2xx returns false too (it is a success, not a retry).
 */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses a `Retry-After` header value (RFC 9110 §10.2.3) into whole seconds to wait from `nowMs`.
 * - delta-seconds (`"120"`) → 120;
 * - an HTTP-date → seconds until it, rounded up; a date in the past → 0;
 * - anything else (`"soon"`, `"-5"`, `"1.5"`, empty, absent) → `undefined` (the hint is ignored).
 * No cap here: `decideAfterAttempt` clamps to `RetryPolicy.maxRetryAfterSeconds`.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const dateMs = parseHttpDate(trimmed, nowMs);
  if (dateMs === undefined) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}

/** Input of `decideAfterAttempt`. */
export interface DecideAfterAttemptInput {
  /** 1-based number of the attempt just made. */
  attemptNumber: number;
  outcome: AttemptOutcome;
  /** Current time, epoch milliseconds (from the injected clock). */
  nowMs: number;
  /** Uniform random number in [0, 1) (`Math.random` in production; fixed in tests). */
  random: () => number;
  policy: RetryPolicy;
}

/**
 * Decides what follows an attempt. Rules, in order:
 * 1. a status outside 2xx decides by itself, even if the body then timed out (the receiver has
 *    answered); a 2xx counts as success only if the exchange finished (`errorKind` unset);
 * 2. `blocked_address` → failed, never retried (retrying cannot change the address policy);
 * 3. 410 → failed, and the subscription is disabled with a reason;
 * 4. 3xx → failed (redirects are not followed), the reason names the `Location`;
 * 5. `abandoned` (the worker died or stalled before recording; the sweeper calls this) with
 *    attempts left → retry at once (delay 0): the endpoint is not at fault, and the number of
 *    attempts still bounds a delivery that crashes its worker every time;
 * 6. retryable (`isRetryableStatus`, or any network error, `shutdown` included) with attempts left → retry after
 *    `scheduleSeconds[n − 1]` ± jitter; on 429 and 503 a parseable `Retry-After` hint raises the
 *    delay to the hint (the hint clamped to `maxRetryAfterSeconds`), never lowers it; the number
 *    of attempts is unchanged;
 * 7. otherwise failed: "final status N", or, past the schedule, "attempts exhausted (6 of 6) …"
 *    for the schedule's last attempt and "attempt 8 failed (…); no automatic attempts left …"
 *    for one beyond it.
 *
 * Manual retries (RetryDelivery, RecoverFailedDeliveries) do not restart the schedule: the
 * requeued attempt takes the next number, and `n` alone decides what follows it. So a delivery
 * with automatic attempts left (one that failed on a final status, or a pending one retried
 * early) continues the schedule from there, and one that used the whole schedule gets exactly
 * the one requested attempt: attempts beyond the schedule are made only by hand, and their
 * failure reason says so instead of counting "8 of 6".
 * @throws RangeError if `attemptNumber` is not an integer ≥ 1.
 */
export function decideAfterAttempt(input: DecideAfterAttemptInput): AttemptDecision {
  const { attemptNumber: n, outcome, nowMs, random, policy } = input;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`attemptNumber must be an integer >= 1, got ${n}`);
  const status = outcome.statusCode;
  const is2xx = status !== undefined && status >= 200 && status <= 299;

  if (is2xx && outcome.errorKind === undefined) return { kind: "succeeded" };
  if (outcome.errorKind === "blocked_address") {
    return { kind: "failed", reason: `blocked address: ${outcome.errorMessage ?? "destination not allowed"}` };
  }
  if (status === 410) {
    const reason = "endpoint returned 410 Gone";
    return { kind: "failed", reason, disableSubscription: { reason } };
  }
  if (status !== undefined && status >= 300 && status <= 399) {
    const to = outcome.location === undefined ? "no Location header" : `Location: ${outcome.location}`;
    return { kind: "failed", reason: `redirect status ${status} not followed (${to})` };
  }

  // A 2xx whose body missed the deadline is a network failure; so is "no status".
  const retryable = is2xx || isRetryableStatus(status);
  if (!retryable) return { kind: "failed", reason: `final status ${status}` };

  const stepSeconds = policy.scheduleSeconds[n - 1];
  if (stepSeconds === undefined) return { kind: "failed", reason: exhaustedReason(n, maxAttempts(policy), outcome) };
  if (outcome.errorKind === "abandoned") return { kind: "retry", delayMs: 0, nextAttemptAtMs: nowMs };
  const jitter = 1 - policy.jitterRatio + 2 * policy.jitterRatio * random();
  let delaySeconds = stepSeconds * jitter;
  if (status === 429 || status === 503) {
    const hint = parseRetryAfter(outcome.retryAfter, nowMs);
    if (hint !== undefined) delaySeconds = Math.max(delaySeconds, Math.min(hint, policy.maxRetryAfterSeconds));
  }
  const delayMs = Math.round(delaySeconds * 1000);
  return { kind: "retry", delayMs, nextAttemptAtMs: nowMs + delayMs };
}

/**
 * Why a retryable failure of attempt `n` ends the delivery: the schedule's last attempt, or one
 * beyond it (only a manual retry or recover makes those, so "n of max" would read as a bug).
 */
function exhaustedReason(n: number, max: number, outcome: AttemptOutcome): string {
  if (n <= max) return `attempts exhausted (${n} of ${max}); last: ${describe(outcome)}`;
  return (
    `attempt ${n} failed (${describe(outcome)}); no automatic attempts left ` +
    `(the schedule has ${max}; attempts beyond it are made only by RetryDelivery or RecoverFailedDeliveries)`
  );
}

function describe(outcome: AttemptOutcome): string {
  if (outcome.errorKind !== undefined) return outcome.errorKind;
  return `status ${outcome.statusCode}`;
}
