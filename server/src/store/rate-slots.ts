import type { Clock } from "../domain/clock.js";
import type { Store } from "./database.js";
import { lockRateLimitedSubscriptions } from "./sql/lock-rate-limited-subscriptions.js";
import { takeRateSlots, type TakenRateSlots } from "./sql/take-rate-slots.js";

/** A take of rate-limit slots and the time (epoch ms) it was made at. */
export interface RateSlotTake {
  nowMs: number;
  taken: TakenRateSlots[];
}

/**
 * Takes rate-limit slots for `wanted` deliveries per subscription (domain/rate-slots.ts, GCRA),
 * shared by every process through the subscription rows: one transaction locks the rows
 * (`lockRateLimitedSubscriptions`), reads `clock` only then, and advances their theoretical
 * arrival times (`takeRateSlots`). Reading "now" after the lock matters: a take that waited
 * (for the lock, or for a pooled connection) must not count the wait as idle time, or it would
 * grant more than the burst at once. Split each row with `splitSlots(limit, tat_ms, nowMs, n)`.
 */
export async function takeRateSlotsNow(store: Pick<Store, "db">, wanted: ReadonlyMap<string, number>, clock: Clock): Promise<RateSlotTake> {
  return store.db.transaction().execute(async (trx) => {
    const locked = new Set(await lockRateLimitedSubscriptions(trx, [...wanted.keys()]));
    const nowMs = clock.nowMs();
    const mine = new Map([...wanted].filter(([id]) => locked.has(id)));
    return { nowMs, taken: await takeRateSlots(trx, mine, new Date(nowMs)) };
  });
}
