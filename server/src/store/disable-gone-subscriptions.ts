import { disableSubscription } from "./disable-subscription.js";
import type { AttemptBatchEffect } from "./sql/record-attempts.js";

/**
 * The effect of a 410 Gone answer (retry-policy.ts): the attempt's subscription is disabled,
 * its pending deliveries canceled and `endpoint.disabled` sent to `operatorCustomerId`, in the
 * transaction that records the attempt (`disableSubscription`).
 */
export function disableGoneSubscriptions(operatorCustomerId: string | undefined): AttemptBatchEffect {
  return {
    applies: (results) => results.some((result) => result.disableSubscription !== undefined),
    subscriptionsToLock: (results) => results.flatMap((result) => (result.disableSubscription ? [result.disableSubscription.id] : [])),
    async apply(trx, results, _updated, now) {
      let madeDue = 0;
      for (const { disableSubscription: disable } of results) {
        if (disable === undefined) continue;
        const outcome = await disableSubscription(trx, disable.id, disable.reason, now, operatorCustomerId, null);
        madeDue += outcome?.madeDue ?? 0;
      }
      return madeDue;
    },
  };
}
