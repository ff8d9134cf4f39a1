import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openStore, type Store } from "../../server/src/store/database.js";
import { loadMigrations, migrate } from "../../server/src/store/migrate.js";
import { claimDeliveries } from "../../server/src/store/sql/claim-deliveries.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";

describe.each(STORES)("migration 0004 (trace context) on a database that already has events (%s)", (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("keeps the events, gives them no trace context, and their deliveries are still claimed", async () => {
    const migrations = loadMigrations();
    const before = migrations.filter((m) => m.version < 4);
    expect(migrations.find((m) => m.version === 4)?.name).toBe("trace_context");
    await migrate(store, before);
    await sql`INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
              VALUES ('sub_1', 'cus', 'https://example.com/hook', '{}', true, '', 'v1', '[]', '', now(), now())`.execute(store.db);
    await sql`INSERT INTO events (id, customer_id, type, envelope, created_at) VALUES ('evt_1', 'cus', 'lead.created', '\\x7b7d', now())`.execute(store.db);
    await sql`INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, next_attempt_at, final_reason, created_at, updated_at)
              VALUES ('dlv_1', 'evt_1', 'sub_1', 'cus', 'lead.created', 'https://example.com/hook', 'pending', 0, now() - interval '1 second', '', now(), now())`.execute(store.db);

    expect(await migrate(store)).toEqual(migrations.filter((m) => m.version >= 4).map((m) => m.version));

    const events = await sql<{ id: string; traceparent: string | null; tracestate: string | null }>`SELECT id, traceparent, tracestate FROM events`.execute(store.db);
    expect(events.rows).toEqual([{ id: "evt_1", traceparent: null, tracestate: null }]);
    const [claimed] = await claimDeliveries(store, "wrk_test", 10, new Date(), 10_000);
    expect(claimed).toMatchObject({ id: "dlv_1", event_id: "evt_1", traceparent: null, tracestate: null });
  });
});
