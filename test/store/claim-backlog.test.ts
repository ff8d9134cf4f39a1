import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../server/src/store/database.js";
import { migrate } from "../../server/src/store/migrate.js";
import { ensurePartitions } from "../../server/src/store/partitions.js";
import { claimDeliveries } from "../../server/src/store/sql/claim-deliveries.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";

const NOW = Date.UTC(2026, 11, 4, 12);
const DAY = 86_400_000;
const SLOW_BACKLOG = 600;

/**
 * The claim next to the backlog of a saturated endpoint (issue 18): `sub_slow` has 600 due
 * deliveries over three day partitions, all older in due order than the healthy ones (more than
 * the claim's first window of 2·limit + 100 reads), so only the per-subscription step can find
 * the others'. Checks which rows are claimed, not how fast.
 */
describe.each(STORES)("claim next to a saturated endpoint's backlog (store/sql/claim-deliveries.ts, %s)", (kind) => {
  let database: TestDatabase;
  let stores: Store[];
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const pools = kind === "postgres" ? 2 : 1; // two processes on PostgreSQL; PGlite has one
    stores = [];
    for (let i = 0; i < pools; i++) stores.push(await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir }));
    await migrate(stores[0]!);
    const db = stores[0]!.db;
    await ensurePartitions(db, NOW - 3 * DAY, NOW + DAY);
    await sql`
      INSERT INTO subscriptions (id, customer_id, endpoint_url, event_types, enabled, description, signature_scheme, secrets, disabled_reason, created_at, updated_at, ordered)
      SELECT s, 'cus_claim', 'https://' || s || '.example.com/hook', '{}', true, '', 'v1', '[]', '', ${new Date(NOW)}, ${new Date(NOW)}, s = 'sub_ordered'
      FROM unnest(ARRAY['sub_slow', 'sub_a', 'sub_b', 'sub_c', 'sub_ordered']) AS s`.execute(db);
    // (subscription, name, created ms before NOW, due ms relative to NOW; null: waiting for its turn)
    const rows: [string, string, number, number | null][] = [];
    for (let i = 0; i < SLOW_BACKLOG; i++) rows.push(["sub_slow", `slow_${String(i).padStart(3, "0")}`, (i % 3) * DAY + 1000, -3_600_000 + i * 1000]);
    // One healthy delivery inside the first window (among the slow ones), the rest after them.
    rows.push(["sub_b", "b_early", 2 * DAY + 5000, -3_550_500]);
    for (let i = 0; i < 5; i++) rows.push(["sub_a", `a_${i}`, 2 * DAY + 1000 + i, -1000_000 + i * 20_000]);
    for (let i = 0; i < 5; i++) rows.push(["sub_b", `b_${i}`, DAY + 1000 + i, -990_000 + i * 20_000]);
    for (let i = 0; i < 3; i++) rows.push(["sub_c", `c_later_${i}`, 1000 + i, 60_000 + i]); // not due yet
    for (let i = 0; i < 3; i++) rows.push(["sub_ordered", `ord_waiting_${i}`, 1000 + i, null]);
    await sql`
      WITH r AS (
        SELECT * FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[],
                             ${rows.map((r) => r[2])}::bigint[], ${rows.map((r) => r[3])}::bigint[]) AS r(sub, name, back_ms, due_ms)
      ), ev AS (
        INSERT INTO events (id, customer_id, type, envelope, created_at)
        SELECT 'evt_' || name, 'cus_claim', 'lead.created', convert_to('{}', 'UTF8'), ${new Date(NOW)}::timestamptz - back_ms * interval '1 millisecond' FROM r
      )
      INSERT INTO deliveries (id, event_id, subscription_id, customer_id, event_type, endpoint_url, state, attempt_count, next_attempt_at, final_reason, created_at, updated_at, ordered)
      SELECT 'dlv_' || name, 'evt_' || name, sub, 'cus_claim', 'lead.created', 'https://x.example.com/hook', 'pending', 0,
             ${new Date(NOW)}::timestamptz + due_ms * interval '1 millisecond', '',
             ${new Date(NOW)}::timestamptz - back_ms * interval '1 millisecond', ${new Date(NOW)}, sub = 'sub_ordered'
      FROM r`.execute(db);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database?.drop();
  });

  const claim = (limit: number, skip: string[], store = stores[0]!) => claimDeliveries(store, "owner-test", limit, new Date(NOW), 60_000, skip);
  const ids = (claimed: { id: string }[]) => claimed.map((d) => d.id).sort();
  const leasedSlow = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM deliveries WHERE subscription_id = 'sub_slow' AND lease_owner IS NOT NULL`.execute(stores[0]!.db)).rows[0]!.n;
  const release = () => sql`UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL, leased_at = NULL`.execute(stores[0]!.db);

  it("a small claim takes the others' oldest due deliveries and none of the saturated one's", async () => {
    // b_early is in the first window: that claim ends there; the next finds the rest behind the backlog.
    expect(ids(await claim(3, ["sub_slow"]))).toEqual(["dlv_b_early"]);
    const claimed = await claim(3, ["sub_slow"]);
    expect(ids(claimed)).toEqual(["dlv_a_0", "dlv_a_1", "dlv_b_0"]);
    expect(claimed.every((d) => d.attempt_number === 1 && d.endpoint_url.includes(d.subscription_id))).toBe(true);
    expect(await leasedSlow()).toBe(0);
    // The next claim continues in due order, without the leased ones, and stops at what is due.
    const rest = await claim(100, ["sub_slow"]);
    expect(ids(rest)).toEqual(["dlv_a_2", "dlv_a_3", "dlv_a_4", "dlv_b_1", "dlv_b_2", "dlv_b_3", "dlv_b_4"]);
    expect(await leasedSlow()).toBe(0);
    expect(await claim(100, ["sub_slow"])).toEqual([]);
    await release();
  });

  it("behind the backlog, the others' deliveries are claimed once each, in due order", async () => {
    await claim(1, ["sub_slow"]); // b_early, from the first window
    const claimed = await claim(6, ["sub_slow", "sub_a"]);
    expect(ids(claimed)).toEqual(["dlv_b_0", "dlv_b_1", "dlv_b_2", "dlv_b_3", "dlv_b_4"]);
    await release();
  });

  it("behind the backlog, a claim takes no more of a subscription than its endpoint's room here", async () => {
    await claim(1, ["sub_slow"]); // b_early, from the first window
    // sub_a has attempts in flight and room for 1 more; every other endpoint has room for 2.
    const room = { each: 2, busy: new Map([["sub_a", 1]]) };
    const claimed = await claimDeliveries(stores[0]!, "owner-test", 10, new Date(NOW), 60_000, ["sub_slow"], room);
    expect(ids(claimed)).toEqual(["dlv_a_0", "dlv_b_0", "dlv_b_1"]);
    await release();
  });

  it("in due order too, a claim takes no more of a subscription than its endpoint's room here", async () => {
    // sub_slow has attempts in flight and room for 1 more: of the 10 oldest due (all sub_slow's),
    // the claim takes one and leaves the others pending and unleased.
    const room = { each: 2, busy: new Map([["sub_slow", 1]]) };
    const claimed = await claimDeliveries(stores[0]!, "owner-test", 10, new Date(NOW), 60_000, [], room);
    expect(claimed.map((d) => d.id)).toEqual(["dlv_slow_000"]);
    expect(await leasedSlow()).toBe(1);
    // With room for 2 (and b_early among the oldest 60), the next takes 2 of sub_slow and b_early.
    expect(ids(await claimDeliveries(stores[0]!, "owner-test", 60, new Date(NOW), 60_000, [], { each: 2, busy: new Map() }))).toEqual([
      "dlv_b_early", "dlv_slow_001", "dlv_slow_002",
    ]);
    await release();
  });

  it("without a skip list the oldest due come first, whoever they belong to", async () => {
    expect(ids(await claim(3, []))).toEqual(["dlv_slow_000", "dlv_slow_001", "dlv_slow_002"]);
    await release();
  });

  it.runIf(kind === "postgres")("a claim takes the next due deliveries past those another process's claim holds", async () => {
    const holder = stores[1]!;
    await holder.db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM deliveries WHERE id IN ('dlv_slow_000', 'dlv_slow_001', 'dlv_slow_002') FOR UPDATE`.execute(trx);
      expect(ids(await claim(3, []))).toEqual(["dlv_slow_003", "dlv_slow_004", "dlv_slow_005"]);
    });
    await release();
  });

  it("claims at once (two processes on PostgreSQL) never take a delivery twice", async () => {
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => claim(3, ["sub_slow"], stores[i % stores.length])));
    const all = results.flatMap(ids);
    expect(new Set(all).size).toBe(all.length);
    // 11 due outside sub_slow: whatever the interleaving, 4 claims of 3 leave none behind unless
    // a claim skipped rows another one held, and never take sub_slow's, sub_c's or waiting ones.
    expect(all.every((id) => /^dlv_(a_|b_)/.test(id))).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(await leasedSlow()).toBe(0);
    await release();
  });
});
