import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * The highest migration version applied to the database (store/migrate.ts), 0 when none is.
 * @throws a database error as is (unreachable, or the migrations table missing).
 */
export async function latestMigration(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ version: number | null }>`SELECT max(version) AS version FROM posthorn_migrations`.execute(db);
  return Number(rows[0]?.version ?? 0);
}
