import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** The stores every store-touching test runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const STORES: ("pglite" | "postgres")[] = ["pglite", ...(process.env.DATABASE_URL ? (["postgres"] as const) : [])];

export interface TestDatabase {
  /** For `Config`: a fresh PostgreSQL database, or undefined for PGlite. */
  databaseUrl: string | undefined;
  /** For `Config`: a fresh PGlite folder (unused with PostgreSQL). */
  dataDir: string;
  /** Drops the database / removes the folder. */
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind: a new database on the server, or a new PGlite folder. */
export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "posthorn-test-"));
  if (kind === "pglite") {
    return { databaseUrl: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  const name = `posthorn_test_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminUrl });
      client.on("error", () => {});
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
