import type { Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { ApiKeyRow } from "../rows.js";
import type { Database } from "../schema.js";

/** API keys after the page token's seq, oldest first, `limit + 1` rows (see `nextPage`). */
export async function listApiKeys(db: Kysely<Database>, filter: { showRevoked: boolean }, page: Page): Promise<ApiKeyRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("api_keys")
    .selectAll()
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (!filter.showRevoked) query = query.where("revoked_at", "is", null);
  return query.execute();
}
