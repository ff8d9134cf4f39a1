import type { Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../../domain/errors.js";
import type { ApiKeyRow } from "../rows.js";
import type { Database } from "../schema.js";

/**
 * Revokes the key `id` at `now` (a revoked key stays revoked at its first time). Refuses to
 * revoke an admin key when no other working admin key without an expiry would be left: nobody
 * could manage keys any more (there is no offline way in). Run it in a transaction: revoking an
 * admin key locks every admin row (in `seq` order, before any other, so that two admins revoking
 * each other's keys at once wait for each other instead of deadlocking: PostgreSQL would abort
 * one with an error).
 * @throws NotFoundError, FailedPreconditionError
 */
export async function revokeApiKey(db: Kysely<Database>, id: string, now: Date): Promise<ApiKeyRow> {
  // A key's role never changes, so an unlocked read tells which rows to lock.
  const unlocked = await db.selectFrom("api_keys").select("role").where("id", "=", id).executeTakeFirst();
  if (!unlocked) throw new NotFoundError("API key", id);
  const locked =
    unlocked.role === "admin"
      ? await db.selectFrom("api_keys").selectAll().where("role", "=", "admin").orderBy("seq").forUpdate().execute()
      : await db.selectFrom("api_keys").selectAll().where("id", "=", id).forUpdate().execute();
  const key = locked.find((row) => row.id === id)!;
  if (key.revoked_at !== null) return key;
  if (key.role === "admin") {
    // Every admin row is locked: two revocations of the last two admin keys cannot both pass.
    // An admin key that expires does not count: once it did, nobody could manage keys.
    if (!locked.some((other) => other.id !== id && other.expires_at === null && isUsable(other, now))) {
      throw new FailedPreconditionError(
        `API key ${id}: revoking it would leave no working admin key that never expires; create one (CreateApiKey, no expire_time) first`,
      );
    }
  }
  return db.updateTable("api_keys").set({ revoked_at: now }).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
}

/** Whether `key` works at `now`: not revoked and not expired. */
function isUsable(key: Pick<ApiKeyRow, "revoked_at" | "expires_at">, now: Date): boolean {
  return key.revoked_at === null && (key.expires_at === null || key.expires_at.getTime() > now.getTime());
}
