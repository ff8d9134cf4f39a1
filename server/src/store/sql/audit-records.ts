import type { Insertable, Kysely } from "kysely";
import { keyset, type Page } from "../page-token.js";
import type { AuditRecordRow } from "../rows.js";
import type { AuditRecordTable, Database } from "../schema.js";

/** Stores one audit record. */
export async function insertAuditRecord(db: Kysely<Database>, row: Insertable<AuditRecordTable>): Promise<void> {
  await db.insertInto("audit_records").values(row).execute();
}

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

/** The customer of subscription `id`, deleted ones included; "" when there is none. */
export async function customerOfSubscription(db: Kysely<Database>, id: string): Promise<string> {
  const row = await db.selectFrom("subscriptions").select("customer_id").where("id", "=", id).executeTakeFirst();
  return row?.customer_id ?? "";
}
