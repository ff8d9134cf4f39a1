import type { Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { DeliveryStateName } from "../../domain/delivery-state.js";
import type { Database } from "../schema.js";
import type { DeliveryRow } from "../rows.js";

export interface DeliveryFilter {
  /** Empty strings and an undefined state match all. */
  customerId: string;
  eventId: string;
  subscriptionId: string;
  state: DeliveryStateName | undefined;
  /** The event's type; empty matches all. */
  eventType: string;
  /** Created at or after this instant; undefined: no lower bound. */
  createdAfter: Date | undefined;
  /** Created before this instant; undefined: no upper bound. */
  createdBefore: Date | undefined;
}

/**
 * Deliveries after the page token's seq, in the page's `seq` order, `limit + 1` rows (see
 * `nextPage`). The filters are applied on every page, so a token read with the same filters
 * continues the same list. Indexes: each filter has one with the customer first (migrations
 * 0001 and 0005), so a customer's list by type or time range does not read all its deliveries.
 */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter, page: Page): Promise<DeliveryRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("deliveries")
    .selectAll()
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  if (filter.eventId !== "") query = query.where("event_id", "=", filter.eventId);
  if (filter.subscriptionId !== "") query = query.where("subscription_id", "=", filter.subscriptionId);
  if (filter.state !== undefined) query = query.where("state", "=", filter.state);
  if (filter.eventType !== "") query = query.where("event_type", "=", filter.eventType);
  if (filter.createdAfter !== undefined) query = query.where("created_at", ">=", filter.createdAfter);
  if (filter.createdBefore !== undefined) query = query.where("created_at", "<", filter.createdBefore);
  return query.execute();
}
