import type { Store } from "./database.js";
import { dropDay, type DropDayOptions, type DropDayResult } from "./drop-day.js";
import { planPrune, type PrunePlan, type PruneDay } from "./prune-plan.js";

/** What one prune did: the plan it followed and, for each prunable day, the drop's result. */
export interface PruneReport {
  plan: PrunePlan;
  drops: { day: PruneDay; result: DropDayResult }[];
}

/**
 * One prune (issue 14): plans (`planPrune`) and drops each prunable day, oldest first, one at
 * a time (`dropDay`: each under the partition lock, so another process pruning at once finds
 * a day it dropped `gone`). `nowMs` and `retentionMs` in ms. A day's lock timeout is a result
 * (`skipped`), not an error; other errors are thrown, after the days already dropped.
 */
export async function prune(store: Store, nowMs: number, retentionMs: number, options: DropDayOptions = {}): Promise<PruneReport> {
  const plan = await planPrune(store.db, nowMs, retentionMs);
  const drops: PruneReport["drops"] = [];
  for (const day of plan.days) {
    if (!day.prunable) continue;
    drops.push({ day, result: await dropDay(store, day, options) });
  }
  return { plan, drops };
}
