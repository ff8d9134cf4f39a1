import type { Kysely } from "kysely";
import type { Page } from "../page-token.js";
import type { EventRow } from "../rows.js";
import type { Database } from "../schema.js";

/** Events after `page.afterSeq` in `seq` order, `limit + 1` rows (see `nextPage`). Empty filters match all. */
export async function listEvents(
  db: Kysely<Database>,
  filter: { customerId: string; type: string },
  page: Page,
): Promise<EventRow[]> {
  let query = db
    .selectFrom("events")
    .selectAll()
    .where("seq", ">", page.afterSeq as never)
    .orderBy("seq")
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  if (filter.type !== "") query = query.where("type", "=", filter.type);
  return query.execute();
}
