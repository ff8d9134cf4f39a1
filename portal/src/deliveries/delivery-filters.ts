import type { MessageInitShape } from "@bufbuild/protobuf";
import { DeliveryState, type ListDeliveriesRequestSchema } from "@posthorn/proto/schema";
import { timestampFromLocalInput } from "../ui/local-time-input.js";

/** The delivery log's filters as the form holds them; empty strings and UNSPECIFIED mean "any". */
export interface DeliveryFilters {
  subscriptionId: string;
  state: DeliveryState;
  eventType: string;
  /** datetime-local values (the reader's time): created at or after `from`, before `to`. */
  from: string;
  to: string;
}

export const NO_FILTERS: DeliveryFilters = { subscriptionId: "", state: DeliveryState.UNSPECIFIED, eventType: "", from: "", to: "" };

/** Whether the filters match every delivery (each at "any"). */
export function isUnfiltered(filters: DeliveryFilters): boolean {
  return (Object.keys(NO_FILTERS) as (keyof DeliveryFilters)[]).every((name) => filters[name] === NO_FILTERS[name]);
}

/** Deliveries per page of the log. */
export const PAGE_SIZE = 25;

/**
 * The ListDeliveries request for the filters, newest first. No customer id: the session's key is
 * a customer key, and the server narrows every list to its customer.
 */
export function listRequest(filters: DeliveryFilters, pageToken: string): MessageInitShape<typeof ListDeliveriesRequestSchema> {
  return {
    subscriptionId: filters.subscriptionId,
    state: filters.state,
    eventType: filters.eventType,
    createdAfter: timestampFromLocalInput(filters.from),
    createdBefore: timestampFromLocalInput(filters.to),
    newestFirst: true,
    pageSize: PAGE_SIZE,
    pageToken,
  };
}

/** Why the time range cannot match anything ("To" not after "From"), or undefined. Said before asking the server. */
export function rangeProblem(filters: DeliveryFilters): string | undefined {
  const from = timestampFromLocalInput(filters.from);
  const to = timestampFromLocalInput(filters.to);
  if (from === undefined || to === undefined) return undefined;
  return from.seconds < to.seconds ? undefined : "“To” must be later than “From”.";
}
