import type { Clock } from "../domain/clock.js";
import { emissionIntervalMs, splitSlots, type RateLimit } from "../domain/rate-slots.js";
import type { Store } from "../store/database.js";
import type { ClaimedDelivery } from "../store/sql/claim-deliveries.js";
import { releaseThrottled, type ThrottledDelivery } from "../store/sql/release-throttled.js";
import { takeRateSlotsNow } from "../store/rate-slots.js";

/**
 * How late (ms) a claim may take a delivery that holds a reserved rate-limit slot and still send
 * it on that slot. A later one (its process stalled, the database was away) takes a new slot
 * instead: a stalled backlog of reserved slots must not all go out at once.
 */
export const RESERVED_SLOT_GRACE_MS = 1000;

/** What the rate gate let through and what it held back. */
export interface RateGateResult {
  /** The deliveries that may be attempted now, in claim order. */
  send: ClaimedDelivery[];
  /** The deliveries given back to wait for their reserved slot (no attempt; their number returned). */
  throttled: ThrottledDelivery[];
  /**
   * When to look again (epoch ms): the earliest reserved slot of `throttled`, and for each
   * subscription whose reserved slot was used now, one emission interval later (where its next
   * reserved slot, if any, lies). Reserved deliveries are thus claimed on time, not at the next poll.
   */
  wakeAtMs: number[];
}

/**
 * Applies the subscriptions' rate limits (proto Subscription.rate_limit_per_second /
 * rate_limit_burst) to claimed deliveries. Deliveries of unlimited subscriptions and
 * those holding a reserved slot claimed within `RESERVED_SLOT_GRACE_MS` of it pass. The others
 * take slots, all subscriptions in one transaction (store/rate-slots.ts, GCRA shared by every
 * process in the subscription row): the first `granted` of each subscription pass, the rest are
 * given back with `releaseThrottled`, each due at its own reserved slot (one emission interval
 * apart), so they wait as pending rows, never in a worker, and come back one by one. No
 * statement runs when no claimed delivery is rate limited.
 */
export async function passRateLimits(
  store: Pick<Store, "db">,
  owner: string,
  claimed: readonly ClaimedDelivery[],
  clock: Clock,
): Promise<RateGateResult> {
  const claimedAtMs = clock.nowMs();
  const send: ClaimedDelivery[] = [];
  const bySubscription = new Map<string, ClaimedDelivery[]>();
  const nextReserved = new Map<string, number>();
  for (const delivery of claimed) {
    if (delivery.rate_limit_per_second === 0) {
      send.push(delivery);
      continue;
    }
    if (holdsSlot(delivery, claimedAtMs)) {
      send.push(delivery);
      const next = delivery.rate_slot_at!.getTime() + emissionIntervalMs(limitOf(delivery));
      nextReserved.set(delivery.subscription_id, Math.max(next, nextReserved.get(delivery.subscription_id) ?? 0));
      continue;
    }
    const group = bySubscription.get(delivery.subscription_id);
    if (group) group.push(delivery);
    else bySubscription.set(delivery.subscription_id, [delivery]);
  }
  const wakeAtMs = [...nextReserved.values()];
  if (bySubscription.size === 0) return { send, throttled: [], wakeAtMs };
  const wanted = new Map([...bySubscription].map(([id, group]) => [id, group.length]));
  const { nowMs, taken } = await takeRateSlotsNow(store, wanted, clock);
  const throttled: ThrottledDelivery[] = [];
  for (const row of taken) {
    const group = bySubscription.get(row.subscription_id)!;
    bySubscription.delete(row.subscription_id);
    const { granted, reservedMs } = splitSlots(limitOf(row), row.tat_ms, nowMs, group.length);
    send.push(...group.slice(0, granted));
    reservedMs.forEach((slotMs, j) => {
      const delivery = group[granted + j]!;
      throttled.push({ id: delivery.id, created_at: delivery.created_at, slotAt: new Date(slotMs) });
    });
  }
  // Subscriptions not returned lost their limit (or were deleted) since the claim: not limited.
  for (const group of bySubscription.values()) send.push(...group);
  await releaseThrottled(store.db, owner, throttled);
  if (throttled.length > 0) wakeAtMs.push(Math.min(...throttled.map((d) => d.slotAt.getTime())));
  return { send, throttled, wakeAtMs };
}

/** Whether the delivery holds a reserved slot that is due (or at most `RESERVED_SLOT_GRACE_MS` past) at `nowMs` (epoch ms). */
function holdsSlot(delivery: ClaimedDelivery, nowMs: number): boolean {
  return delivery.rate_slot_at !== null && nowMs <= delivery.rate_slot_at.getTime() + RESERVED_SLOT_GRACE_MS;
}

/** The rate limit of a claimed delivery's (or a take's) subscription. */
function limitOf(row: { rate_limit_per_second: number; rate_limit_burst: number }): RateLimit {
  return { perSecond: row.rate_limit_per_second, burst: row.rate_limit_burst };
}
