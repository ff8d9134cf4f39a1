import type { Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { AuditRecordRow } from "../rows.js";
import type { Database } from "../schema.js";

/** Audit records after the page token's seq (newest first by default), `limit + 1` rows (see `nextPage`). */
export async function listAuditRecords(db: Kysely<Database>, filter: { customerId: string }, page: Page): Promise<AuditRecordRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("audit_records")
    .selectAll()
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (filter.customerId !== "") query = query.where("customer_id", "=", filter.customerId);
  return query.execute();
}
