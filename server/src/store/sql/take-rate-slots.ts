import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/** What one subscription's take left: its limit as stored now and its new GCRA theoretical arrival time. */
export interface TakenRateSlots {
  subscription_id: string;
  rate_limit_per_second: number;
  rate_limit_burst: number;
  /** `rate_limit_tat` after the take, epoch ms with the database's microseconds (read with domain/rate-slots.ts `splitSlots`). */
  tat_ms: number;
}

/**
 * Takes rate-limit slots for deliveries of several subscriptions at `now` with ONE statement:
 * for each (subscription, wanted) it sets `rate_limit_tat = max(rate_limit_tat, now) +
 * wanted·T` with T = 1000 / rate_limit_per_second ms: GCRA (domain/rate-slots.ts
 * `advancedTatMs`, the same formula). Uses the limit as stored NOW (an Update after the claim
 * counts); a subscription without a limit any more (or gone) is not returned: its deliveries
 * are not limited. Run it in a transaction after `lockRateLimitedSubscriptions` (store/rate-slots.ts):
 * `now` must be read after the lock was granted, or a take that waited for it would count the
 * wait as idle time and let more than the burst through.
 */
export async function takeRateSlots(
  trx: Kysely<Database>,
  wanted: ReadonlyMap<string, number>,
  now: Date,
): Promise<TakenRateSlots[]> {
  if (wanted.size === 0) return [];
  const ids = [...wanted.keys()];
  const counts = ids.map((id) => wanted.get(id)!);
  const result = await sql<TakenRateSlots>`
    UPDATE subscriptions AS s
    SET rate_limit_tat = GREATEST(s.rate_limit_tat, ${now}::timestamptz)
                         + (w.wanted * 1000.0 / s.rate_limit_per_second) * interval '1 millisecond'
    FROM unnest(${ids}::text[], ${counts}::int[]) AS w(id, wanted)
    WHERE s.id = w.id AND s.rate_limit_per_second > 0
    RETURNING s.id AS subscription_id, s.rate_limit_per_second, s.rate_limit_burst,
              (extract(epoch FROM s.rate_limit_tat) * 1000)::float8 AS tat_ms`.execute(trx);
  return result.rows;
}
