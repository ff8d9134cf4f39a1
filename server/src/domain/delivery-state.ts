/**
 * The states of a delivery (one event to one subscription), as stored and as the CLI spells
 * them; the API's `DeliveryState` enum maps to them in api/proto-enums.ts.
 * - `pending`: waiting for its next attempt (or being attempted under a lease);
 * - `succeeded`: an attempt got a 2xx answer;
 * - `failed`: the retry schedule ran out, or the answer was final (contract, "Retries");
 * - `canceled`: its subscription was deleted or disabled before it was delivered.
 */
export const DELIVERY_STATES = ["pending", "succeeded", "failed", "canceled"] as const;

export type DeliveryStateName = (typeof DELIVERY_STATES)[number];

/** Whether `value` is a state's name (exactly, lower case). */
export function isDeliveryStateName(value: string): value is DeliveryStateName {
  return (DELIVERY_STATES as readonly string[]).includes(value);
}
