import { sql, type Insertable, type Kysely } from "kysely";
import type { ApiKeyTable, Database } from "../schema.js";

/**
 * Inserts `row` if the store has no API key at all (revoked ones count: revoking the bootstrap
 * key must not bring it back). Processes starting together on one PostgreSQL create one key:
 * the table is locked for the check. Returns whether it was inserted.
 */
export async function insertFirstApiKey(db: Kysely<Database>, row: Insertable<ApiKeyTable>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const any = await trx.selectFrom("api_keys").select("id").limit(1).executeTakeFirst();
    if (any) return false;
    await trx.insertInto("api_keys").values(row).execute();
    return true;
  });
}
