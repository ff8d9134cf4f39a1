import type { Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";

/** Live subscriptions after the page token's seq, in the page's `seq` order, `limit + 1` rows (see `nextPage`). */
export async function listSubscriptions(
  db: Kysely<Database>,
  filter: { customerId: string },
  page: Page,
): Promise<SubscriptionRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("subscriptions")
    .selectAll()
    .where("deleted_at", "is", null)
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  return query.execute();
}
