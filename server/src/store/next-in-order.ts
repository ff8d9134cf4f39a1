import { passTurns } from "./ordered-turns.js";
import type { AttemptBatchEffect, AttemptResult } from "./sql/record-attempts.js";

/** The delivery of an ordered subscription (as its claim read it) ended: succeeded or failed for good. */
function endedInOrder(result: AttemptResult): boolean {
  return result.delivery.ordered && result.state !== "pending";
}

/**
 * The next delivery of an ordered subscription (ordered-turns.ts): when a recorded attempt ended
 * its delivery (succeeded, or failed for good), the subscription's earliest waiting delivery is
 * made due in the transaction that records it, unless another one is still active. Only
 * deliveries that took the outcome count (`updated`): one canceled meanwhile needs no successor
 * (its subscription's whole queue was canceled), one swept meanwhile is active again elsewhere.
 * Takes turn locks (advisory): keep it the LAST effect, so it never waits for a row lock while
 * holding them.
 */
export function nextInOrder(): AttemptBatchEffect {
  return {
    applies: (results) => results.some(endedInOrder),
    apply(trx, results, updated, now) {
      const ended = results.filter((result) => endedInOrder(result) && updated.has(result.delivery.id));
      return passTurns(trx, ended.map((result) => result.delivery.subscription_id), now);
    },
  };
}
