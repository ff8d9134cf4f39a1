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
}

/** Deliveries after the page token's seq, in the page's `seq` order, `limit + 1` rows (see `nextPage`). */
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
  return query.execute();
}
