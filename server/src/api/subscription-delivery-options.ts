import { EndpointHealth } from "@posthorn/proto";
import { InvalidArgumentError } from "../domain/errors.js";
import { MAX_RATE_LIMIT } from "../domain/rate-slots.js";
import type { SubscriptionRow } from "../store/rows.js";


/**
 * One rate-limit value (`rate_limit_per_second` or `rate_limit_burst`, proto Subscription):
 * 0 to `MAX_RATE_LIMIT`. `field` is its full path, e.g. `subscription.rate_limit_burst`.
 * @throws InvalidArgumentError naming the field
 */
export function checkRateLimitValue(field: string, value: number): number {
  if (value > MAX_RATE_LIMIT) throw new InvalidArgumentError(field, `must be at most ${MAX_RATE_LIMIT}, got ${value}`);
  return value;
}

/**
 * A subscription's rate limit as requested: `rate_limit_per_second` and `rate_limit_burst`, each
 * 0 to `MAX_RATE_LIMIT` (0: no limit; a burst of 0: one second's worth); a burst without a rate
 * is refused. `prefix` is "" (Subscribe) or "subscription." (UpdateSubscription, with the stored
 * value of a field the mask leaves out).
 * @throws InvalidArgumentError naming the field
 */
export function checkRateLimit(prefix: string, perSecond: number, burst: number): { rate_limit_per_second: number; rate_limit_burst: number } {
  checkRateLimitValue(`${prefix}rate_limit_per_second`, perSecond);
  checkRateLimitValue(`${prefix}rate_limit_burst`, burst);
  if (perSecond === 0 && burst !== 0) {
    throw new InvalidArgumentError(`${prefix}rate_limit_burst`, "needs a rate_limit_per_second (a burst without a rate limits nothing); set both, or neither");
  }
  return { rate_limit_per_second: perSecond, rate_limit_burst: burst };
}

/**
 * The endpoint health of a subscription (proto `EndpointHealth`): DISABLED when not enabled,
 * HEALTHY without a failing spell, FAILING once the `endpoint.failing` warning went out, and
 * DEGRADED before that.
 */
export function endpointHealth(row: Pick<SubscriptionRow, "enabled" | "failing_since" | "failing_warned_at">): EndpointHealth {
  if (!row.enabled) return EndpointHealth.DISABLED;
  if (row.failing_since === null) return EndpointHealth.HEALTHY;
  return row.failing_warned_at === null ? EndpointHealth.DEGRADED : EndpointHealth.FAILING;
}
