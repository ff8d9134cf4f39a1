import type { Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/** Events after the page token's seq, in the page's `seq` order, `limit + 1` rows (see `nextPage`). Empty filters match all. */
export async function listEvents(
  db: Kysely<Database>,
  filter: { customerId: string; type: string },
  page: Page,
): Promise<EventRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("events")
    .selectAll()
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  if (filter.type !== "") query = query.where("type", "=", filter.type);
  return query.execute();
}
