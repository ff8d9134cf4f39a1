import { sql, type Insertable, type Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../../domain/errors.js";
import { keyset, type Page } from "../page-token.js";
import type { ApiKeyRow } from "../rows.js";
import type { ApiKeyTable, Database } from "../schema.js";

/** Stores a new API key. */
export async function insertApiKey(db: Kysely<Database>, row: Insertable<ApiKeyTable>): Promise<ApiKeyRow> {
  return db.insertInto("api_keys").values(row).returningAll().executeTakeFirstOrThrow();
}

/** The key whose hash is `keyHash`, revoked and expired ones included; undefined when none. */
export async function findApiKeyByHash(db: Kysely<Database>, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom("api_keys").selectAll().where("key_hash", "=", keyHash).executeTakeFirst();
}

/** The keys of `ids` that still exist, revoked and expired ones included. */
export async function findApiKeysByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ApiKeyRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom("api_keys").selectAll().where("id", "in", [...ids]).execute();
}

/** API keys after the page token's seq, oldest first, `limit + 1` rows (see `nextPage`). */
export async function listApiKeys(db: Kysely<Database>, filter: { showRevoked: boolean }, page: Page): Promise<ApiKeyRow[]> {
  const order = keyset(page);
  let query = db
    .selectFrom("api_keys")
    .selectAll()
    .where("seq", order.op, order.bound as never)
    .orderBy("seq", order.direction)
    .limit(page.limit + 1);
  if (!filter.showRevoked) query = query.where("revoked_at", "is", null);
  return query.execute();
}

/**
 * Revokes the key `id` at `now` (a revoked key stays revoked at its first time). Refuses to
 * revoke an admin key when no other working admin key without an expiry would be left: nobody
 * could manage keys any more (there is no offline way in). Run it in a transaction: revoking an admin key locks every admin row
 * (in `seq` order, before any other, so that two admins revoking each other's keys at once
 * wait for each other instead of deadlocking: PostgreSQL would abort one with an error).
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
export function isUsable(key: Pick<ApiKeyRow, "revoked_at" | "expires_at">, now: Date): boolean {
  return key.revoked_at === null && (key.expires_at === null || key.expires_at.getTime() > now.getTime());
}

/**
 * Records that key `id` was used at `now`, unless a use within the last `resolutionMs` is already
 * recorded (last-use times are kept to about a minute, so keys are not written on every call).
 */
export async function touchApiKey(db: Kysely<Database>, id: string, now: Date, resolutionMs: number): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ last_used_at: now })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", new Date(now.getTime() - resolutionMs))]))
    .execute();
}

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
