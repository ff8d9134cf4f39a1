import { create, toBinary } from "@bufbuild/protobuf";
import { DeliverySchema, DeliveryState, type Delivery } from "@posthorn/proto";
import { FailedPreconditionError, InvalidArgumentError } from "../domain/errors.js";
import { nextPage, readPage } from "../store/page-token.js";
import { recoverSubscription } from "../store/recover-subscription.js";
import type { DeliveryRow } from "../store/rows.js";
import { findDelivery } from "../store/sql/find-delivery.js";
import { findSubscription } from "../store/sql/find-subscription.js";
import { listDeliveries } from "../store/sql/list-deliveries.js";
import { withAttempts } from "../store/sql/load-attempts.js";
import { retryDelivery } from "../store/sql/retry-delivery.js";
import type { ApiDeps, UnaryHandlers } from "./handler-types.js";
import { STATE_FROM_PROTO } from "./proto-enums.js";
import { deliveryToProto } from "./proto-mapping.js";
import { PAGE_BYTES, repeatedFieldBytes } from "./size-limits.js";
import { checkTimeRange } from "./time-range.js";
import { checkCustomerIdFilter, checkEventTypeFilter, checkId, checkIdFilter, checkTimestamp } from "./validate.js";
import { transactionRetryingConflicts } from "../store/lock-conflict.js";

/** Deliveries whose attempts ListDeliveries loads with one query, until its page is full. */
const ATTEMPT_SLICE = 50;

type DeliveryHandlers = Pick<UnaryHandlers, "listDeliveries" | "getDelivery" | "retryDelivery" | "recoverFailedDeliveries">;

export function deliveryHandlers(deps: ApiDeps): DeliveryHandlers {
  const { store, clock } = deps;

  return {
    async listDeliveries(request) {
      const page = readPage("deliveries", request.pageSize, request.pageToken, request.newestFirst);
      const state = request.state === DeliveryState.UNSPECIFIED ? undefined : STATE_FROM_PROTO[request.state];
      if (request.state !== DeliveryState.UNSPECIFIED && state === undefined) {
        throw new InvalidArgumentError("state", `unknown delivery state ${request.state}`);
      }
      const rows = await listDeliveries(
        store.db,
        {
          customerId: checkCustomerIdFilter("customer_id", request.customerId),
          eventId: checkIdFilter("event_id", request.eventId, "event"),
          subscriptionId: checkIdFilter("subscription_id", request.subscriptionId, "subscription"),
          state,
          eventType: checkEventTypeFilter("event_type", request.eventType),
          ...checkTimeRange(request.createdAfter, request.createdBefore),
        },
        page,
      );
      // Attempts (the bulk of a delivery) are loaded a slice at a time, only until the page is full.
      const messages = new Map<DeliveryRow, { message: Delivery; bytes: number }>();
      let loadedBytes = 0;
      for (let start = 0; start < Math.min(rows.length, page.limit) && loadedBytes < PAGE_BYTES; start += ATTEMPT_SLICE) {
        const slice = rows.slice(start, start + ATTEMPT_SLICE);
        const loaded = await withAttempts(store.db, slice);
        slice.forEach((row, index) => {
          const message = create(DeliverySchema, deliveryToProto(loaded[index]!));
          const bytes = repeatedFieldBytes(toBinary(DeliverySchema, message).length);
          messages.set(row, { message, bytes });
          loadedBytes += bytes;
        });
      }
      const { rows: shown, nextPageToken } = nextPage(rows, page, {
        maxBytes: PAGE_BYTES,
        bytesOf: (row) => messages.get(row)!.bytes,
      });
      return { deliveries: shown.map((row) => messages.get(row)!.message), nextPageToken };
    },

    async getDelivery(request, scope) {
      return { delivery: deliveryToProto(await findDelivery(store.db, checkId("id", request.id, "delivery"), scope)) };
    },

    async retryDelivery(request, scope) {
      const id = checkId("id", request.id, "delivery");
      await transactionRetryingConflicts(store.db, (trx) => retryDelivery(trx, id, new Date(clock.nowMs()), scope));
      deps.deliveriesDue();
      return { delivery: deliveryToProto(await findDelivery(store.db, id)) };
    },

    async recoverFailedDeliveries(request, scope) {
      const subscriptionId = checkId("subscription_id", request.subscriptionId, "subscription");
      if (!request.since) throw new InvalidArgumentError("since", "is required (recover failed deliveries created at or after it)");
      const since = checkTimestamp("since", request.since);
      const recovered = await transactionRetryingConflicts(store.db, async (trx) => {
        // A share lock on the subscription keeps a concurrent disable from slipping in.
        const subscription = await findSubscription(trx, subscriptionId, "share", scope);
        if (!subscription.enabled) {
          throw new FailedPreconditionError(`subscription ${subscriptionId} is disabled; enable it (UpdateSubscription) first`);
        }
        return recoverSubscription(trx, subscription, since, new Date(clock.nowMs()));
      });
      if (recovered.recovered + recovered.created > 0) deps.deliveriesDue();
      return {
        recoveredDeliveries: recovered.recovered,
        skippedPayloadExpiredDeliveries: recovered.skippedPayloadExpired,
        createdDeliveries: recovered.created,
      };
    },
  };
}
