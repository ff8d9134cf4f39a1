import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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
 */
export async function migrate(store: Store, migrations = loadMigrations()): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await store.scriptTransaction(async (exec) => {
      await exec(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      await exec(
        `CREATE TABLE IF NOT EXISTS posthorn_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
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
