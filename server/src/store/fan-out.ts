import { newId } from "../domain/ids.js";
import type { NewEvent } from "./new-event.js";
import type { NewDelivery } from "./sql/insert-pending-deliveries.js";
import type { FanOutSubscription } from "./sql/lock-subscriptions-for-fan-out.js";

/**
 * Fan-out (contract, "Subscriptions"): every subscription of the event's customer (enabled and
 * live, as `lockSubscriptionsForFanOut` finds them) whose `event_types` is empty or contains
 * the event's type gets one delivery, created at the event's `createdAt`. Returns the
 * deliveries (events in order, subscriptions in the given order) and, per event in order, how
 * many it got.
 */
export function fanOut(
  events: readonly NewEvent[],
  subscriptions: readonly FanOutSubscription[],
): { deliveries: NewDelivery[]; matched: number[] } {
  const deliveries: NewDelivery[] = [];
  const matched = events.map((event) => {
    let count = 0;
    for (const subscription of subscriptions) {
      if (subscription.customer_id !== event.customerId) continue;
      if (subscription.event_types.length > 0 && !subscription.event_types.includes(event.type)) continue;
      count++;
      deliveries.push({
        id: newId("delivery", event.createdAt.getTime()),
        event_id: event.id,
        subscription_id: subscription.id,
        customer_id: event.customerId,
        event_type: event.type,
        endpoint_url: subscription.endpoint_url,
        created_at: event.createdAt,
      });
    }
    return count;
  });
  return { deliveries, matched };
}
