/**
 * The retry schedule's defaults, in one place: config's defaults (`POSTHORN_RETRY_SCHEDULE`,
 * `POSTHORN_RETRY_JITTER`) and `DEFAULT_RETRY_POLICY` (delivery/retry-policy.ts) both read them.
 * Source: the contract ("Retries") and the reference module's `RETRY_SCHEDULE_SECONDS`.
 */

/** Delay after failed attempt n, in seconds: 30 s, 5 min, 30 min, 6 h, 24 h (so 6 attempts in all). */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = Object.freeze([30, 300, 1800, 21600, 86400]);

/** Jitter as a fraction of each delay: ±20 % (contract, "Faults in the reference" 3). */
export const DEFAULT_RETRY_JITTER_RATIO = 0.2;

/** Upper bound on a receiver's `Retry-After` hint, in seconds (24 h); not configurable. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;
