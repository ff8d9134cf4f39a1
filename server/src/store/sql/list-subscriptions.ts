import type { Kysely } from "kysely";
import type { Page } from "../page-token.js";
import type { SubscriptionRow } from "../rows.js";
import type { Database } from "../schema.js";

/** Live subscriptions after `page.afterSeq` in `seq` order, `limit + 1` rows (see `nextPage`). */
export async function listSubscriptions(
  db: Kysely<Database>,
  filter: { customerId: string },
  page: Page,
): Promise<SubscriptionRow[]> {
  let query = db
    .selectFrom("subscriptions")
    .selectAll()
    .where("deleted_at", "is", null)
    .where("seq", ">", page.afterSeq as never)
    .orderBy("seq")
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  return query.execute();
}
