import type { WatchDeliveriesRequest } from "@posthorn/proto";
import { scopeOf, type Caller } from "../auth/caller.js";
import type { DeliveryRow } from "../store/rows.js";
import { checkCustomerIdFilter, checkIdFilter } from "./validate.js";

/** Whether an attempt outcome (its delivery) goes to one WatchDeliveries stream. */
export type WatchFilter = (delivery: DeliveryRow) => boolean;

/**
 * The filter of a WatchDeliveries `request` made by `caller`: its `customer_id` and
 * `subscription_id` (empty: any). A customer key watches its own customer only; asking for
 * another one watches nothing (as a list would show nothing), not an error.
 * @throws InvalidArgumentError for a malformed id.
 */
export function watchFilterOf(request: WatchDeliveriesRequest, caller: Caller): WatchFilter {
  const requested = checkCustomerIdFilter("customer_id", request.customerId);
  const subscriptionId = checkIdFilter("subscription_id", request.subscriptionId, "subscription");
  const own = scopeOf(caller).customerId;
  const customerId = own ?? requested;
  if (own !== undefined && requested !== "" && requested !== own) return () => false;
  return (delivery) =>
    (customerId === "" || delivery.customer_id === customerId) && (subscriptionId === "" || delivery.subscription_id === subscriptionId);
}
