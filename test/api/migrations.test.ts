import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openStore, type Store } from "../../server/src/store/database.js";
import { loadMigrations, migrate } from "../../server/src/store/migrate.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { useEmptyPgliteStore } from "../helpers/empty-store.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

const TABLES = ["api_keys", "attempts", "audit_records", "deliveries", "events", "idempotency_keys", "payload_expired_partitions", "posthorn_migrations", "subscriptions"];

/** The tables in `public` and the migration ledger, as one store sees them. */
async function schemaOf(store: Store) {
  const tables = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(store.db);
  const ledger = await sql<{ version: number; name: string }>`SELECT version, name FROM posthorn_migrations ORDER BY version`.execute(store.db);
  return { tables: tables.rows.map((r) => r.name), ledger: ledger.rows };
}

const expectedLedger = () => loadMigrations().map((m) => ({ version: m.version, name: m.name }));

describeOnPostgres("migrations racing on an empty PostgreSQL database", () => {
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
  const emptyStore = useEmptyPgliteStore();

  it("two concurrent runs both succeed and apply each migration once", async () => {
    const store = emptyStore();
    const applied = await Promise.all([migrate(store), migrate(store)]);
    expect(applied.flat().sort((a, b) => a - b)).toEqual(expectedLedger().map((m) => m.version));
    const schema = await schemaOf(store);
    expect(schema.tables).toEqual(TABLES);
    expect(schema.ledger).toEqual(expectedLedger());
  });
});

describe("migration 0002 on a database written by an earlier version", () => {
  const emptyStore = useEmptyPgliteStore();

  it("renumbers attempts that share a number, counts them, and counts the attempt in flight of a leased delivery", async () => {
    const store = emptyStore();
    const [first, ...later] = loadMigrations();
    await migrate(store, [first!]);
    await sql`INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
              VALUES ('sub_1', 'cus', 'https://example.com', '{}', true, '', 'v1', '[]', '', now(), now())`.execute(store.db);
    await sql`INSERT INTO events (id, customer_id, type, envelope, created_at) VALUES ('evt_1', 'cus', 'lead.created', '\\x7b7d', now())`.execute(store.db);
    // dlv_a: a crash re-sent attempt 1 (two rows numbered 1); dlv_b: leased by an old process after one attempt.
    await sql`INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, next_attempt_at, lease_owner, lease_expires_at, final_reason, created_at, updated_at) VALUES
              ('dlv_a', 'evt_1', 'sub_1', 'cus', 'lead.created', 'https://example.com', 'pending', 1, now(), NULL, NULL, '', now(), now()),
              ('dlv_b', 'evt_1', 'sub_1', 'cus', 'lead.created', 'https://example.com', 'pending', 1, now(), 'wrk_old', now() + interval '60 seconds', '', now(), now())`.execute(store.db);
    await sql`INSERT INTO attempts (id, delivery_id, attempt_number, started_at, duration_ms, error_message, response_excerpt, signature, succeeded, will_retry) VALUES
              ('att_1', 'dlv_a', 1, now() - interval '2 minutes', 5, '', '', '', false, true),
              ('att_2', 'dlv_a', 1, now() - interval '1 minute', 5, '', '', '', false, true),
              ('att_3', 'dlv_b', 1, now() - interval '1 minute', 5, '', '', '', false, true)`.execute(store.db);

    expect(await migrate(store, later)).toEqual(later.map((m) => m.version));

    const attempts = await sql<{ id: string; attempt_number: number }>`SELECT id, attempt_number FROM attempts ORDER BY id`.execute(store.db);
    expect(attempts.rows).toEqual([
      { id: "att_1", attempt_number: 1 },
      { id: "att_2", attempt_number: 2 },
      { id: "att_3", attempt_number: 1 },
    ]);
    const deliveries = await sql<{ id: string; attempt_count: number; leased: boolean }>`
      SELECT id, attempt_count, leased_at IS NOT NULL AS leased FROM deliveries ORDER BY id`.execute(store.db);
    expect(deliveries.rows).toEqual([
      { id: "dlv_a", attempt_count: 2, leased: false },
      { id: "dlv_b", attempt_count: 2, leased: true },
    ]);
    // One row per (delivery, number) from now on.
    await expect(
      sql`INSERT INTO attempts (id, delivery_id, delivery_created_at, attempt_number, started_at, duration_ms, error_message, response_excerpt, signature, succeeded, will_retry)
          SELECT 'att_4', 'dlv_a', created_at, 2, now(), 5, '', '', '', false, true FROM deliveries WHERE id = 'dlv_a'`.execute(store.db),
    ).rejects.toThrow(/duplicate key/);
  });
});
