import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openStore, type Store } from "../../server/src/store/database.js";
import { loadMigrations, migrate } from "../../server/src/store/migrate.js";
import { listPartitions } from "../../server/src/store/partitions.js";
import { claimDeliveries } from "../../server/src/store/sql/claim-deliveries.js";
import { findDelivery } from "../../server/src/store/sql/find-delivery.js";
import { findEvent } from "../../server/src/store/sql/find-event.js";
import { recordAttempts } from "../../server/src/store/sql/record-attempts.js";
import { attemptResult } from "../../server/src/delivery/attempt-result.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";

const DAY = 86_400_000;
/** The newest old event: 2026-11-20 15:00 UTC. The old rows' partition ends at the next midnight. */
const NEWEST = Date.UTC(2026, 10, 20, 15);

/**
 * Migration 0006 on a database written by the previous version: ids of the old, all-random
 * layout, rows over several days, one delivery still pending with an attempt, and a delivery
 * whose created_at differs from its event's (the migration puts it in its event's day).
 */
describe.each(STORES)("migration 0006 (partitions) on a database with data (%s)", (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    await migrate(store, loadMigrations().filter((m) => m.version < 6));
    await sql`INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at)
              VALUES ('sub_a1b2c3d4e5f6a7b8c9d0e1f2', 'cus_old', 'https://example.com/hook', '{}', true, '', 'v1', '[]', '', now(), now())`.execute(store.db);
    for (let day = 0; day < 5; day++) {
      const at = new Date(NEWEST - (4 - day) * DAY);
      const event = `evt_${"f".repeat(22)}0${day}`;
      await sql`INSERT INTO events (id, customer_id, type, envelope, created_at) VALUES (${event}, 'cus_old', 'lead.created', '\\x7b7d', ${at})`.execute(store.db);
      const pending = day === 4;
      // The old version wrote created_at with the event's; one row here is a millisecond off.
      const deliveryAt = day === 2 ? new Date(at.getTime() + 1) : at;
      await sql`INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, next_attempt_at, final_reason, created_at, updated_at)
                VALUES (${`dlv_${"e".repeat(22)}0${day}`}, ${event}, 'sub_a1b2c3d4e5f6a7b8c9d0e1f2', 'cus_old', 'lead.created', 'https://example.com/hook',
                        ${pending ? "pending" : "succeeded"}, 1, ${pending ? at : null}, '', ${deliveryAt}, ${at})`.execute(store.db);
      await sql`INSERT INTO attempts (id, delivery_id, attempt_number, started_at, status_code, duration_ms, error_message, response_excerpt, signature, succeeded, will_retry)
                VALUES (${`att_${"d".repeat(22)}0${day}`}, ${`dlv_${"e".repeat(22)}0${day}`}, 1, ${at}, ${pending ? 500 : 200}, 5, '', '', 'v1=x', ${!pending}, ${pending})`.execute(store.db);
    }
    expect(await migrate(store)).toContain(6);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("keeps every row in one partition per table, ending at the midnight after the newest event", async () => {
    expect((await listPartitions(store.db)).map((p) => [p.name, p.fromMs, new Date(p.toMs).toISOString()])).toEqual([
      ["events_until_20261121", undefined, "2026-11-21T00:00:00.000Z"],
      ["deliveries_until_20261121", undefined, "2026-11-21T00:00:00.000Z"],
      ["attempts_until_20261121", undefined, "2026-11-21T00:00:00.000Z"],
    ]);
    const counts = await sql<{ events: number; deliveries: number; attempts: number }>`
      SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM deliveries) AS deliveries,
             (SELECT count(*)::int FROM attempts) AS attempts`.execute(store.db);
    expect(counts.rows[0]).toEqual({ events: 5, deliveries: 5, attempts: 5 });
    const offset = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM deliveries AS d JOIN events AS e ON e.id = d.event_id WHERE d.created_at <> e.created_at`.execute(store.db);
    expect(offset.rows[0]!.n).toBe(0);
    const attempts = await sql<{ ok: boolean }>`
      SELECT bool_and(a.delivery_created_at = d.created_at) AS ok FROM attempts AS a JOIN deliveries AS d ON d.id = a.delivery_id`.execute(store.db);
    expect(attempts.rows[0]!.ok).toBe(true);
  });

  it("finds old ids, whose time part means nothing, by looking in every partition", async () => {
    expect((await findEvent(store.db, `evt_${"f".repeat(22)}03`)).customer_id).toBe("cus_old");
    const delivery = await findDelivery(store.db, `dlv_${"e".repeat(22)}01`);
    expect(delivery.attempts.map((a) => a.id)).toEqual([`att_${"d".repeat(22)}01`]);
  });

  it("claims the old pending delivery and records its next attempt in the old partition", async () => {
    const now = new Date(NEWEST + DAY);
    const [claimed, ...rest] = await claimDeliveries(store, "wrk_test", 10, now, 30_000);
    expect(rest).toEqual([]);
    expect(claimed).toMatchObject({ id: `dlv_${"e".repeat(22)}04`, attempt_number: 2, created_at: new Date(NEWEST) });
    const result = attemptResult(
      { delivery: claimed!, attemptNumber: 2, startMs: now.getTime(), signature: "v1=y" },
      { statusCode: 200, durationMs: 3, responseExcerpt: "" },
      { kind: "succeeded" },
    );
    const [recorded] = await recordAttempts(store, "wrk_test", [result], now);
    expect(recorded!.deliveryUpdated).toBe(true);
    const delivery = await findDelivery(store.db, claimed!.id);
    expect(delivery.state).toBe("succeeded");
    expect(delivery.attempts.map((a) => a.attempt_number)).toEqual([1, 2]);
    const where = await sql<{ partition: string }>`SELECT tableoid::regclass::text AS partition FROM attempts WHERE id = ${result.attempt.id}`.execute(store.db);
    expect(where.rows).toEqual([{ partition: "attempts_until_20261121" }]);
  });

  it("numbers new rows after the old ones (the sequences continue)", async () => {
    const seq = await sql<{ events: string; deliveries: string }>`
      SELECT nextval('events_seq')::text AS events, nextval('deliveries_seq')::text AS deliveries`.execute(store.db);
    expect(Number(seq.rows[0]!.events)).toBeGreaterThan(5);
    expect(Number(seq.rows[0]!.deliveries)).toBeGreaterThan(5);
  });
});
