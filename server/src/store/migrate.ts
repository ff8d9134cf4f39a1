import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Store } from "./database.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Arbitrary constant: the advisory lock key that serializes migrations across processes. */
const MIGRATION_LOCK_KEY = 0x706f7374; // "post"

export interface Migration {
  /** From the file name `NNNN_name.sql`. */
  version: number;
  name: string;
  sql: string;
}

/** The numbered SQL migrations shipped with the server, in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(dir + file, "utf8"),
    }));
}

/**
 * Applies every migration not yet applied, each in its own transaction. Each transaction first
 * takes a transaction-scoped advisory lock, so two servers starting together on an empty
 * database apply each migration exactly once: the second waits, then sees it applied
 * (graphile/worker's `migrate.ts` does the same). Returns the versions applied by this call.
 * @throws DatabasePermissionError when PostgreSQL refuses a statement for lack of a privilege
 *   (SQLSTATE 42501), naming the role, the database and the statement that grants it.
 */
export async function migrate(store: Store, migrations = loadMigrations()): Promise<number[]> {
  try {
    return await applyMigrations(store, migrations);
  } catch (error) {
    if ((error as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE) throw await explainPermission(store, error as Error);
    throw error;
  }
}

async function applyMigrations(store: Store, migrations: Migration[]): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await store.scriptTransaction(async (exec) => {
      await exec(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      // Created only when missing: PostgreSQL checks the schema's CREATE right even for CREATE
      // TABLE IF NOT EXISTS on an existing table, and a role that only reads and writes the
      // tables of a migrated database must still be able to start the server.
      const table = await exec(`SELECT to_regclass('posthorn_migrations') IS NOT NULL AS present`);
      if (!(table[0] as { present?: boolean } | undefined)?.present) {
        await exec(
          `CREATE TABLE posthorn_migrations (
             version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
      }
      const done = await exec(`SELECT 1 FROM posthorn_migrations WHERE version = ${migration.version}`);
      if (done.length > 0) return false;
      await exec(migration.sql);
      await exec(`INSERT INTO posthorn_migrations (version, name) VALUES (${migration.version}, '${migration.name}')`);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** SQLSTATE insufficient_privilege (PostgreSQL Appendix A). */
const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * The role lacks a privilege the migrations need; `message` names the role, the database and
 * the fix. A configuration problem: commands exit 2 on it.
 */
export class DatabasePermissionError extends Error {
  override readonly name = "DatabasePermissionError";
}

/**
 * Builds the `DatabasePermissionError` for a 42501 `error`. Since PostgreSQL 15 schema `public`
 * belongs to `pg_database_owner` and other roles may no longer create in it (release notes 15,
 * "Remove PUBLIC creation permission on the public schema"); migrations need USAGE and CREATE
 * on it, and even `CREATE TABLE IF NOT EXISTS` of an existing table checks CREATE, so the role
 * that runs `serve` needs both.
 */
async function explainPermission(store: Store, error: Error): Promise<DatabasePermissionError> {
  const schema = /permission denied for schema (\S+)/.exec(error.message)?.[1];
  let who: { role: string; database: string; role_sql: string; schema_sql: string | null } | undefined;
  try {
    const result = await sql<NonNullable<typeof who>>`
      SELECT current_user AS role, current_database() AS database, quote_ident(current_user) AS role_sql,
             quote_ident(${schema ?? null}::text) AS schema_sql`.execute(store.db);
    who = result.rows[0];
  } catch {
    // Naming them is best effort; the fix below still applies.
  }
  const role = who ? `role "${who.role}"` : "the database role";
  const database = who ? `database "${who.database}"` : "the database";
  if (schema === undefined) {
    return new DatabasePermissionError(
      `${role} lacks a privilege on ${database} that the migrations need (PostgreSQL: ${error.message}). ` +
        `Run Posthorn with the role that owns its tables, or have the owner grant it.`,
    );
  }
  const grant = `GRANT USAGE, CREATE ON SCHEMA ${who?.schema_sql ?? schema} TO ${who?.role_sql ?? "<role>"};`;
  return new DatabasePermissionError(
    `${role} may not create tables in schema "${schema}" of ${database} (PostgreSQL: ${error.message}); ` +
      `since PostgreSQL 15 only the database owner may, unless granted. As the database owner or a superuser, ` +
      `connected to ${database}, run: ${grant} Or connect as the database owner (DATABASE_URL).`,
  );
}
