import type { HandoffBatch } from "./delivery-handoff.js";
import type { NewEvent } from "./new-event.js";
import type { ClaimedDelivery } from "./sql/claim-deliveries.js";
import type { NewDelivery } from "./sql/insert-pending-deliveries.js";
import type { FanOutSubscription } from "./sql/lock-subscriptions-for-fan-out.js";

/**
 * Picks the new deliveries that `handoff` takes (store/delivery-handoff.ts): those of
 * subscriptions that are neither ordered (their turn is decided by the store: ordered-turns.ts)
 * nor rate-limited (their slots are taken after the claim: delivery/rate-gate.ts), for as long as
 * the local workers reserve a slot for their endpoint. Returns the rows to insert (the picked
 * ones marked `leased`) and, for each picked one, the delivery as a claim would have returned it
 * (attempt 1). No handoff: the rows as they are, none picked.
 */
export function pickHandoff(
  deliveries: readonly NewDelivery[],
  events: readonly NewEvent[],
  subscriptions: readonly FanOutSubscription[],
  handoff: HandoffBatch | undefined,
): { rows: readonly NewDelivery[]; leased: ClaimedDelivery[] } {
  if (handoff === undefined) return { rows: deliveries, leased: [] };
  const subscriptionById = new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
  const eventById = new Map(events.map((event) => [event.id, event]));
  const leased: ClaimedDelivery[] = [];
  const rows = deliveries.map((delivery) => {
    const subscription = subscriptionById.get(delivery.subscription_id)!;
    if (subscription.ordered || subscription.rate_limit_per_second > 0 || !handoff.reserve(delivery.endpoint_url)) return delivery;
    leased.push(claimedAtEmit(delivery, eventById.get(delivery.event_id)!, subscription));
    return { ...delivery, leased: true };
  });
  return { rows, leased };
}

/** `delivery` of `event` to `subscription` as the claim returns a delivery (claim-deliveries.ts), attempt 1. */
function claimedAtEmit(delivery: NewDelivery, event: NewEvent, subscription: FanOutSubscription): ClaimedDelivery {
  return {
    id: delivery.id,
    created_at: delivery.created_at,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    subscription_id: delivery.subscription_id,
    customer_id: delivery.customer_id,
    attempt_number: 1,
    endpoint_url: delivery.endpoint_url,
    envelope: event.envelope,
    payload_expired: false,
    secrets: subscription.secrets,
    signature_scheme: subscription.signature_scheme,
    traceparent: event.trace?.traceparent ?? null,
    tracestate: event.trace?.tracestate ?? null,
    rate_limit_per_second: subscription.rate_limit_per_second,
    rate_limit_burst: subscription.rate_limit_burst,
    ordered: false,
    failing_since: subscription.failing_since,
    rate_slot_at: null,
  };
}
