import { FailedPreconditionError } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { activeTraceHeaders } from "../observability/trace-context.js";
import { findDelivery } from "../store/sql/find-delivery.js";
import { findSubscription } from "../store/sql/find-subscription.js";
import { ensurePartitionsFor } from "../store/partitions.js";
import { insertEvents } from "../store/sql/insert-events.js";
import { insertDeliveriesInTurn } from "../store/ordered-turns.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { buildEvent } from "../store/new-event.js";
import { deliveryToProto, eventToProto } from "./proto-mapping.js";
import { TestEventLimit } from "./test-event-limit.js";
import { checkId } from "./validate.js";

/**
 * Type of the events SendTestEvent stores. Outside the catalog on purpose: Emit refuses it (its
 * catalog check), so a customer's endpoint can tell a test from a real event.
 */
export const TEST_EVENT_TYPE = "posthorn.test";

/** The `data.message` of a test event (proto `SendTestEvent`). */
export const TEST_EVENT_MESSAGE = "This is a test event from Posthorn.";

/**
 * SendTestEvent (proto `WebhookService`; like Svix's "send example"): in one transaction, an
 * event of type `posthorn.test` for the subscription's customer, with data
 * `{"message": …, "subscription_id": …}`, and exactly one pending delivery, to that subscription
 * whatever its `event_types` (no fan-out: no other subscription gets it). It is then signed,
 * sent and retried like any other delivery. The subscription is looked up in the caller's scope
 * (another customer's id is NOT_FOUND) and locked FOR SHARE, as fan-out does, so a disable that
 * commits meanwhile cancels the delivery instead of missing it. At most 10 test events per
 * subscription per minute in each process (test-event-limit.ts), counted once the subscription
 * is found in the caller's scope.
 * @throws NotFoundError; FailedPreconditionError when the subscription is disabled;
 *   ResourceExhaustedError past the limit.
 */
export function testEventHandler(deps: ApiDeps): Pick<UnaryHandlers, "sendTestEvent"> {
  const { store, clock } = deps;
  const limit = new TestEventLimit();
  return {
    async sendTestEvent(request, scope) {
      const subscriptionId = checkId("subscription_id", request.subscriptionId, "subscription");
      const nowMs = clock.nowMs();
      const trace = activeTraceHeaders();
      const data = { message: TEST_EVENT_MESSAGE, subscription_id: subscriptionId };
      await ensurePartitionsFor(store.db, [new Date(nowMs)]);
      const { event, delivery } = await store.db.transaction().execute(async (trx) => {
        const subscription = await findSubscription(trx, subscriptionId, "share", scope);
        if (!subscription.enabled) {
          const reason = subscription.disabled_reason === "" ? "" : ` (${subscription.disabled_reason})`;
          throw new FailedPreconditionError(
            `subscription "${subscriptionId}" is disabled${reason}; enable it (UpdateSubscription, enabled = true) to send it a test event`,
          );
        }
        limit.take(subscription.id, nowMs);
        const built = buildEvent({ type: TEST_EVENT_TYPE, customerId: subscription.customer_id, data, idempotencyKey: "" }, nowMs);
        const [event] = await insertEvents(trx, [trace ? { ...built, trace } : built]);
        const deliveryId = newId("delivery", built.createdAt.getTime());
        // To an ordered subscription, it takes its turn like any other delivery.
        await insertDeliveriesInTurn(
          trx,
          [
            {
              id: deliveryId,
              event_id: built.id,
              subscription_id: subscription.id,
              customer_id: subscription.customer_id,
              event_type: TEST_EVENT_TYPE,
              endpoint_url: subscription.endpoint_url,
              created_at: built.createdAt,
            },
          ],
          new Set(subscription.ordered ? [subscription.id] : []),
          new Date(nowMs),
        );
        return { event: event!, delivery: await findDelivery(trx, deliveryId) };
      });
      deps.metrics.eventsEmitted.inc({ type: TEST_EVENT_TYPE });
      deps.deliveriesDue();
      return { event: eventToProto(event, "full", data), delivery: deliveryToProto(delivery) };
    },
  };
}
