import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@posthorn/sdk";
import { PartitionMaintainer } from "../../server/src/delivery/partition-maintainer.js";
import { listPartitions, PARTITION_MS } from "../../server/src/store/partitions.js";
import { insertApiKey } from "../../server/src/store/sql/insert-api-key.js";
import { planPrune } from "../../server/src/store/prune-plan.js";
import { expectError } from "../api/expect-error.js";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { buildRetentionWorld, DAY0, DAYS, dayName, PENDING_DAYS, rowsPerDay, type RetentionWorld } from "./retention-world.js";

const RETENTION_DAYS = 30;
const RETENTION_MS = RETENTION_DAYS * PARTITION_MS;

/**
 * Issue 14: 40 days of events (fake clock) pruned with a 30-day retention at day 40, noon: days
 * -1 to 9 are past retention (day -1: the empty partitions the maintainer made at start), day 10
 * ends after the cutoff (just inside), days 2 and 5 have a pending delivery.
 */
describe.each(STORES)("retention prune (%s)", (kind) => {
  let world: RetentionWorld;
  let before: Record<string, number>;
  const { logger, lines } = captureLog("info");
  let maintainer: PartitionMaintainer;
  const dropped = [-1, 0, 1, 3, 4, 6, 7, 8, 9];

  beforeAll(async () => {
    world = await buildRetentionWorld(kind);
    before = await rowsPerDay(world.t.app.store);
    const { store, metrics } = world.t.app;
    maintainer = new PartitionMaintainer({ store, clock: world.t.clock, logger, metrics: metrics.retention, retentionDays: RETENTION_DAYS, prune: true });
  }, 240_000);
  afterAll(async () => world?.close());

  it("plans: past retention and no pending delivery is prunable; a day ending at the cutoff is past it, a millisecond later not", async () => {
    const { db } = world.t.app.store;
    const plan = await planPrune(db, world.t.clock.nowMs(), RETENTION_MS);
    const byDay = new Map(plan.days.map((day) => [new Date(day.fromMs!).toISOString().slice(0, 10), day]));
    expect(plan.days.filter((day) => day.prunable).map((day) => new Date(day.fromMs!).toISOString().slice(0, 10))).toEqual(dropped.map(dayName));
    expect(byDay.get(dayName(2))).toMatchObject({ prunable: false, pendingDeliveries: 1, reason: "1 pending delivery" });
    expect(byDay.get(dayName(0))).toMatchObject({ prunable: true, pendingDeliveries: 0, reason: "prunable" });
    expect(byDay.get(dayName(10))).toMatchObject({ prunable: false, reason: `within retention until ${new Date(DAY0 + 41 * PARTITION_MS).toISOString()}` });
    const day0 = byDay.get(dayName(0))!;
    expect(day0.partitions.map((p) => p.table)).toEqual(["events", "deliveries", "attempts"]);
    expect(day0.partitions.every((p) => p.bytes > 0)).toBe(true);
    expect(day0.bytes).toBe(day0.partitions.reduce((sum, p) => sum + p.bytes, 0));
    // The boundary: day 10 ends at DAY0 + 11 days, so it is past a 30-day retention from then on.
    const edge = DAY0 + 11 * PARTITION_MS + RETENTION_MS;
    expect((await planPrune(db, edge - 1, RETENTION_MS)).days.find((d) => d.fromMs === DAY0 + 10 * PARTITION_MS)!.prunable).toBe(false);
    expect((await planPrune(db, edge, RETENTION_MS)).days.find((d) => d.fromMs === DAY0 + 10 * PARTITION_MS)!.prunable).toBe(true);
  });

  it("drops exactly the prunable days: their rows go, every other day keeps every row", async () => {
    const report = await maintainer.runOnce();
    expect(report!.drops.map((d) => [new Date(d.day.fromMs!).toISOString().slice(0, 10), d.result.outcome])).toEqual(
      dropped.map((day) => [dayName(day), "dropped"]),
    );
    const after = await rowsPerDay(world.t.app.store);
    const gone = new Set(dropped.map(dayName));
    expect(after).toEqual(Object.fromEntries(Object.entries(before).filter(([key]) => !gone.has(key.split(" ")[1]!))));
    // What was there: every day had its event, delivery and attempt; the pending days kept theirs.
    for (const day of PENDING_DAYS) expect(after[`events ${dayName(day)}`]).toBe(2);
    expect(after[`attempts ${dayName(2)}`]).toBeGreaterThan(2);
    expect(Object.keys(after).filter((key) => key.startsWith("events "))).toHaveLength(DAYS - dropped.length + 1);
    const names = (await listPartitions(world.t.app.store.db)).map((p) => p.name);
    expect(names).not.toContain("events_p20260101");
    expect(names).toEqual(expect.arrayContaining(["events_p20260103", "deliveries_p20260103", "attempts_p20260103", "attempts_p20260111"]));
  });

  it("logs each dropped day, warns once about the days kept for pending deliveries, counts the drops", async () => {
    const dropLines = lines.filter((line) => line.msg === "partition day dropped (past retention)");
    expect(dropLines.map((line) => line.day)).toEqual(dropped.map(dayName));
    expect(dropLines[1]).toMatchObject({ tables: ["events_p20260101", "deliveries_p20260101", "attempts_p20260101"] });
    expect(dropLines[1]!.bytes).toBeGreaterThan(0);
    const warned = () => lines.filter((line) => line.msg === "partition day past retention kept: it has pending deliveries");
    expect(warned().map((line) => [line.day, line.pending])).toEqual(PENDING_DAYS.map((day) => [dayName(day), 1]));
    await maintainer.runOnce();
    expect(warned()).toHaveLength(PENDING_DAYS.length);
    const text = await world.t.app.metrics.registry.metrics();
    expect(text).toContain(`posthorn_partitions_dropped_total{table="attempts"} ${dropped.length}`);
    expect(text).toMatch(/posthorn_storage_bytes\{table="events"\} [1-9]/);
    // Two runs here (the app's own maintainer ran one more at start, on the same registry).
    expect(Number(/posthorn_prune_duration_seconds_count (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(2);
  });

  it("GetEvent, GetDelivery and ListDeliveries across partitions: kept rows are found, pruned ones are NOT_FOUND", async () => {
    const { client } = world.t;
    const [pendingEvent, downEvent] = [world.events.get(2)![0]!, world.events.get(2)![1]!];
    expect((await client.getEvent({ id: pendingEvent })).event!.id).toBe(pendingEvent);
    expect((await client.getEvent({ id: world.events.get(10)![0]! })).event!.id).toBe(world.events.get(10)![0]);
    await expectError(client.getEvent({ id: world.events.get(3)![0]! }), status.NOT_FOUND, /not found/i);
    const [down] = (await client.listDeliveries({ eventId: downEvent })).deliveries;
    const { delivery } = await client.getDelivery({ id: down!.id });
    expect(delivery!.attempts.length).toBeGreaterThan(2);
    expect((await client.listDeliveries({ eventId: world.events.get(4)![0]! })).deliveries).toEqual([]);
    const kept = [...world.events].filter(([day]) => !dropped.includes(day)).map(([, ids]) => ids[0]);
    const listed = (await client.listDeliveries({ customerId: "cus_ok", pageSize: 100 })).deliveries;
    expect(listed.map((d) => d.eventId)).toEqual(kept);
    // Paging crosses from the oldest kept day straight to the next kept one.
    const page = await client.listDeliveries({ customerId: "cus_ok", pageSize: 1 });
    expect(page.deliveries[0]!.eventId).toBe(world.events.get(2)![0]);
    const next = await client.listDeliveries({ customerId: "cus_ok", pageSize: 1, pageToken: page.nextPageToken });
    expect(next.deliveries[0]!.eventId).toBe(world.events.get(5)![0]);
  });

  it("made the partitions of the days ahead (yesterday to 7 days on)", async () => {
    const names = (await listPartitions(world.t.app.store.db)).map((p) => p.name);
    for (const day of [DAYS - 1, DAYS, DAYS + 7]) expect(names).toContain(`deliveries_p${dayName(day).replaceAll("-", "")}`);
    expect(names).not.toContain(`deliveries_p${dayName(DAYS + 8).replaceAll("-", "")}`);
  });

  it("deletes API keys that expired longer than the retention ago (portal sessions), and no other", async () => {
    const { db } = world.t.app.store;
    const now = world.t.clock.nowMs();
    const key = (id: string, expiresAgoDays: number | undefined) =>
      insertApiKey(db, {
        id,
        key_hash: id.padEnd(64, "0"),
        key_prefix: "phk_test",
        name: id,
        role: "customer",
        customer_id: "cus_ok",
        emit_customer_ids: [],
        created_at: new Date(now - 40 * PARTITION_MS),
        expires_at: expiresAgoDays === undefined ? null : new Date(now - expiresAgoDays * PARTITION_MS),
        last_used_at: null,
        revoked_at: null,
      });
    await key("key_old", RETENTION_DAYS + 1);
    await key("key_recent", RETENTION_DAYS - 1);
    await key("key_forever", undefined);
    await maintainer.runOnce();
    const ids = (await db.selectFrom("api_keys").select("id").where("id", "in", ["key_old", "key_recent", "key_forever"]).execute()).map((row) => row.id).sort();
    expect(ids).toEqual(["key_forever", "key_recent"]);
  });
});
