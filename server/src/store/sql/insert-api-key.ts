import type { Insertable, Kysely } from "kysely";
import type { ApiKeyRow } from "../rows.js";
import type { ApiKeyTable, Database } from "../schema.js";

/** Stores a new API key. */
export async function insertApiKey(db: Kysely<Database>, row: Insertable<ApiKeyTable>): Promise<ApiKeyRow> {
  return db.insertInto("api_keys").values(row).returningAll().executeTakeFirstOrThrow();
}
