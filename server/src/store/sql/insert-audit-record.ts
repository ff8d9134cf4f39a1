import type { Insertable, Kysely } from "kysely";
import type { AuditRecordTable, Database } from "../schema.js";

/** Stores one audit record. */
export async function insertAuditRecord(db: Kysely<Database>, row: Insertable<AuditRecordTable>): Promise<void> {
  await db.insertInto("audit_records").values(row).execute();
}
