import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * Deletes API keys that expired before `before` (portal-session keys, which expire within
 * hours; keys without `expires_at` stay until revoked), so `keys list` does not grow with
 * every portal session. Audit records naming them are kept. Returns how many were deleted.
 */
export async function deleteExpiredApiKeys(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom("api_keys").where("expires_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
