import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openStore, type Store } from "../../server/src/store/database.js";
import { loadMigrations, migrate } from "../../server/src/store/migrate.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";

const TABLES = ["attempts", "deliveries", "events", "idempotency_keys", "posthorn_migrations", "subscriptions"];

/** The tables in `public` and the migration ledger, as one store sees them. */
async function schemaOf(store: Store) {
  const tables = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(store.db);
  const ledger = await sql<{ version: number; name: string }>`SELECT version, name FROM posthorn_migrations ORDER BY version`.execute(store.db);
  return { tables: tables.rows.map((r) => r.name), ledger: ledger.rows };
}

const expectedLedger = () => loadMigrations().map((m) => ({ version: m.version, name: m.name }));

describe.skipIf(!process.env.DATABASE_URL)("migrations racing on an empty PostgreSQL database", () => {
  let database: TestDatabase;
  let stores: Store[] = [];
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    // Three stores = three pools: three "servers" starting at once.
    stores = await Promise.all([0, 1, 2].map(() => openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir })));
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database?.drop();
  });

  it("all succeed, each migration is applied once, and the tables exist once", async () => {
    const applied = await Promise.all(stores.map((store) => migrate(store)));
    const versions = expectedLedger().map((m) => m.version);
    expect(applied.flat().sort((a, b) => a - b)).toEqual(versions);
    const schema = await schemaOf(stores[0]!);
    expect(schema.tables).toEqual(TABLES);
    expect(schema.ledger).toEqual(expectedLedger());
    // Later starts apply nothing.
    expect(await Promise.all(stores.map((store) => migrate(store)))).toEqual([[], [], []]);
    expect(await schemaOf(stores[1]!)).toEqual(schema);
  });
});

describe("migrations racing on an empty PGlite database", () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    store = await openStore({ dataDir: database.dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("two concurrent runs both succeed and apply each migration once", async () => {
    const applied = await Promise.all([migrate(store), migrate(store)]);
    expect(applied.flat().sort((a, b) => a - b)).toEqual(expectedLedger().map((m) => m.version));
    const schema = await schemaOf(store);
    expect(schema.tables).toEqual(TABLES);
    expect(schema.ledger).toEqual(expectedLedger());
  });
});
