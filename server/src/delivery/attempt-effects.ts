import type { Config } from "../config/config.js";
import { disableGoneSubscriptions } from "../store/disable-gone-subscriptions.js";
import { nextInOrder } from "../store/next-in-order.js";
import type { AttemptBatchEffect } from "../store/sql/record-attempts.js";

/**
 * Everything that goes with recorded attempts in their transaction (store/sql/record-attempts.ts
 * `AttemptBatchEffect`), in the order it runs: 410 Gone disables the subscription; the next
 * delivery of an ordered subscription is made due (last: it takes turn locks).
 */
export function attemptEffects(config: Pick<Config, "operationalCustomerId">): AttemptBatchEffect[] {
  return [disableGoneSubscriptions(config.operationalCustomerId), nextInOrder()];
}
