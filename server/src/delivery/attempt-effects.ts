import type { Config } from "../config/config.js";
import { disableGoneSubscriptions } from "../store/disable-gone-subscriptions.js";
import { nextInOrder } from "../store/next-in-order.js";
import { recordEndpointHealth } from "../store/record-endpoint-health.js";
import { exhaustedDeliveriesEffect } from "../store/report-exhausted-deliveries.js";
import type { AttemptBatchEffect } from "../store/sql/record-attempts.js";

/**
 * Everything that goes with recorded attempts in their transaction (store/sql/record-attempts.ts
 * `AttemptBatchEffect`), in the order it runs: 410 Gone disables the subscription; a delivery
 * failed for good is reported (`delivery.exhausted`); the endpoint's health record (failing
 * spells, `endpoint.recovered`); the next delivery of an ordered subscription is made due (last:
 * it takes turn locks, and nothing may wait for a row lock after it).
 */
export function attemptEffects(config: Pick<Config, "operationalCustomerId">): AttemptBatchEffect[] {
  return [
    disableGoneSubscriptions(config.operationalCustomerId),
    exhaustedDeliveriesEffect(config.operationalCustomerId),
    recordEndpointHealth(config.operationalCustomerId),
    nextInOrder(),
  ];
}
