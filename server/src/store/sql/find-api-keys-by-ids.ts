import type { Kysely } from "kysely";
import type { ApiKeyRow } from "../rows.js";
import type { Database } from "../schema.js";

/** The keys of `ids` that still exist, revoked and expired ones included. */
export async function findApiKeysByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ApiKeyRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom("api_keys").selectAll().where("id", "in", [...ids]).execute();
}
