/**
 * Per-subscription rate limits as GCRA, the Generic Cell Rate Algorithm (ATM Forum Traffic
 * Management 4.0 / ITU-T I.371, "virtual scheduling"; the same arithmetic as `redis-cell` and
 * Go's `throttled`). Pure arithmetic, no database: store/sql/take-rate-slots.ts applies
 * `advancedTatMs` atomically to the subscription row, and `splitSlots` reads the result.
 *
 * GCRA keeps one timestamp per bucket, the theoretical arrival time TAT. With emission interval
 * T = 1/rate and tolerance τ, a request arriving at `t` conforms iff TAT ≤ t + τ; it then sets
 * TAT = max(TAT, t) + T. With τ = (burst − 1)·T, at most `burst` requests pass at once and at
 * most `rate·w + burst` in any window of `w` seconds.
 *
 * Posthorn takes slots for a whole claim batch at once and RESERVES the ones that do not
 * conform now: TAT advances by one T for every delivery asked for, and each delivery not sent
 * now gets the time at which its slot conforms (`TAT_i − τ`). It waits pending until then and
 * is sent then without taking another slot, so throttled deliveries come back one slot apart,
 * never all at once.
 */

/** A subscription's rate limit as stored: `perSecond` > 0 (0 means none), `burst` 0 = `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** The emission interval T in ms: one request every `1000 / perSecond` ms. */
export function emissionIntervalMs(limit: RateLimit): number {
  return 1000 / limit.perSecond;
}

/** The most requests sent at once: `burst`, or one second's worth (`perSecond`) when 0. */
export function effectiveBurst(limit: RateLimit): number {
  return limit.burst > 0 ? limit.burst : limit.perSecond;
}

/** The tolerance τ in ms: (burst − 1)·T, so `burst` requests conform back to back. */
export function toleranceMs(limit: RateLimit): number {
  return (effectiveBurst(limit) - 1) * emissionIntervalMs(limit);
}

/**
 * The TAT (epoch ms) after taking `wanted` slots at `nowMs` from a bucket whose TAT was `tatMs`
 * (null: never used): max(TAT, now) + wanted·T. Every slot asked for is taken, granted now or
 * reserved for later (see `splitSlots`). take-rate-slots.ts computes the same in SQL.
 */
export function advancedTatMs(limit: RateLimit, tatMs: number | null, nowMs: number, wanted: number): number {
  return Math.max(tatMs ?? nowMs, nowMs) + wanted * emissionIntervalMs(limit);
}

/** Slots taken for `wanted` deliveries: how many may be sent now, and when each of the rest may be sent. */
export interface SlotSplit {
  /** Deliveries that may be sent now: the first `granted` of those asked for. */
  granted: number;
  /**
   * For each of the remaining deliveries in order, the time (epoch ms, rounded up to a whole ms)
   * its reserved slot conforms: ascending, one T apart.
   */
  reservedMs: number[];
}

/**
 * Reads the slots of a take: `tatAfterMs` is the TAT the take left (`advancedTatMs`), so slot `i`
 * (0-based) of the `wanted` had TAT_i = tatAfter − (wanted − i)·T before it and conforms from
 * TAT_i − τ on. Slots that conform at `nowMs` are granted (always a prefix); the rest are
 * reserved at their conformance times. A sub-microsecond slack absorbs floating-point error
 * (the database keeps microseconds).
 */
export function splitSlots(limit: RateLimit, tatAfterMs: number, nowMs: number, wanted: number): SlotSplit {
  const interval = emissionIntervalMs(limit);
  const tolerance = toleranceMs(limit);
  const firstMs = tatAfterMs - wanted * interval;
  let granted = 0;
  const reservedMs: number[] = [];
  for (let i = 0; i < wanted; i++) {
    const conformsAt = firstMs + i * interval - tolerance;
    if (conformsAt <= nowMs + SLACK_MS && reservedMs.length === 0) granted++;
    else reservedMs.push(Math.max(Math.ceil(conformsAt - SLACK_MS), nowMs));
  }
  return { granted, reservedMs };
}

/** Floating-point slack of the conformance test, ms (well below the database's microsecond). */
const SLACK_MS = 1e-4;

/** Highest `rate_limit_per_second` and `rate_limit_burst` accepted (proto Subscription). */
export const MAX_RATE_LIMIT = 10_000;
