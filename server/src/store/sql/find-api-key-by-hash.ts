import type { Kysely } from "kysely";
import type { ApiKeyRow } from "../rows.js";
import type { Database } from "../schema.js";

/** The key whose hash is `keyHash`, revoked and expired ones included; undefined when none. */
export async function findApiKeyByHash(db: Kysely<Database>, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom("api_keys").selectAll().where("key_hash", "=", keyHash).executeTakeFirst();
}
