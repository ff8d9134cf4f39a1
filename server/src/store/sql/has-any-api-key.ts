import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Whether the store holds any API key at all, revoked or expired ones included (bootstrap: is this a new store?). */
export async function hasAnyApiKey(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("api_keys").select("id").limit(1).executeTakeFirst();
  return row !== undefined;
}
