/**
 * GetStorage and PruneStorage through the API on both stores, with the fake clock: the day
 * partitions with their sizes and the next prune's verdict, a dry run that drops nothing, a prune
 * that drops exactly the days past retention without pending deliveries (and is audited), and
 * admin-only access.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { ApiKeyRole, createWebhookClient, status, type StorageDay } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { november, storeOldDays } from "../helpers/storage-fixture.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer } from "../helpers/test-keys.js";
import { expectError } from "./expect-error.js";

const DAY_MS = 86_400_000;
const startOf = (day: StorageDay) => (day.startTime === undefined ? undefined : timestampMs(day.startTime));
const dayOf = (days: StorageDay[], ms: number) => days.find((day) => startOf(day) === ms);

describe.each(STORES)("GetStorage and PruneStorage (%s)", (kind) => {
  let t: TestApp;
  let ids: Awaited<ReturnType<typeof storeOldDays>>;
  beforeAll(async () => {
    t = await startTestApp(kind);
    ids = await storeOldDays(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("GetStorage lists each day's three partitions, sizes, and what the next prune does; the settings in effect", async () => {
    const { days, retention, totalBytes } = await t.client.getStorage({});
    expect(retention).toMatchObject({ retentionDays: 30, payloadRetentionDays: 0, pruneEnabled: true });
    expect(totalBytes).toBe(days.reduce((sum, day) => sum + day.bytes, 0n));
    const starts = days.map(startOf);
    expect(starts).toEqual([...starts].sort((a, b) => a! - b!));

    const first = dayOf(days, november(1))!;
    expect(timestampMs(first.endTime!)).toBe(november(2));
    expect(first.partitions.map((p) => [p.table, p.name])).toEqual([
      ["events", "events_p20261101"],
      ["deliveries", "deliveries_p20261101"],
      ["attempts", "attempts_p20261101"],
    ]);
    expect(first.partitions.every((p) => p.bytes > 0n && p.rowEstimate >= -1n)).toBe(true);
    expect(first.bytes).toBe(first.partitions.reduce((sum, p) => sum + p.bytes, 0n));
    expect(first).toMatchObject({ drop: true, reason: "past retention (30 days), no pending deliveries", pendingDeliveries: 0n });
    expect(dayOf(days, november(2))).toMatchObject({ drop: false, reason: "1 pending delivery", pendingDeliveries: 1n });
    expect(dayOf(days, november(3))).toMatchObject({ drop: true });
    // Days within retention are kept, whatever is in them.
    const recent = days.filter((day) => startOf(day)! >= november(5));
    expect(recent.map(startOf)).toContain(november(34));
    expect(recent.every((day) => !day.drop && day.reason.startsWith("within retention until "))).toBe(true);
    expect(dayOf(days, november(34))?.reason).toBe("within retention until 2027-01-04T00:00:00.000Z");
  });

  it("a dry run answers what would be dropped and drops nothing; nothing is audited", async () => {
    const before = await t.client.getStorage({});
    const dry = await t.client.pruneStorage({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.dropped.map(startOf)).toEqual([november(1), november(3)]);
    expect(dry.freedBytes).toBe(dry.dropped.reduce((sum, day) => sum + day.bytes, 0n));
    expect(dry.kept.map(startOf)).toEqual(before.days.map(startOf).filter((ms) => ms !== november(1) && ms !== november(3)));
    expect((await t.client.getStorage({})).days.map(startOf)).toEqual(before.days.map(startOf));
    expect((await t.client.getEvent({ id: ids.first })).event?.id).toBe(ids.first);
    expect((await t.client.listAuditRecords({})).records.map((r) => r.method)).not.toContain("PruneStorage");
  });

  it("a prune drops the days past retention without pending deliveries, and only those", async () => {
    const droppedCount = async () => (await t.app.metrics.retention.partitionsDropped.get()).values.reduce((sum, v) => sum + v.value, 0);
    const countedBefore = await droppedCount();
    const pruned = await t.client.pruneStorage({});
    expect(pruned.dryRun).toBe(false);
    expect(pruned.dropped.map(startOf)).toEqual([november(1), november(3)]);
    expect(pruned.freedBytes).toBe(pruned.dropped.reduce((sum, day) => sum + day.bytes, 0n));
    expect(pruned.freedBytes).toBeGreaterThan(0n);
    expect((await droppedCount()) - countedBefore).toBe(6);
    expect(pruned.kept.find((day) => startOf(day) === november(2))?.reason).toBe("1 pending delivery");

    const after = (await t.client.getStorage({})).days;
    expect(after.map(startOf)).not.toContain(november(1));
    expect(after.map(startOf)).not.toContain(november(3));
    expect(dayOf(after, november(2))).toBeDefined();
    await expectError(t.client.getEvent({ id: ids.first }), status.NOT_FOUND, `event "${ids.first}" not found`);
    await expectError(t.client.getEvent({ id: ids.third }), status.NOT_FOUND, `event "${ids.third}" not found`);
    expect((await t.client.getEvent({ id: ids.pending })).event?.id).toBe(ids.pending);
    expect((await t.client.getEvent({ id: ids.recent })).event?.id).toBe(ids.recent);

    const [record] = (await t.client.listAuditRecords({})).records;
    expect(record).toMatchObject({ method: "PruneStorage", customerId: "" });
    expect([...record!.targetIds].sort()).toEqual(
      ["events", "deliveries", "attempts"].flatMap((table) => [`${table}_p20261101`, `${table}_p20261103`]).sort(),
    );
    // A second prune finds nothing more to drop.
    expect((await t.client.pruneStorage({})).dropped).toEqual([]);
    // Emitting on a dropped day again makes its partitions again.
    t.clock.set(november(1) + DAY_MS / 2);
    await t.client.emit({ customerId: "cus_gone", type: "lead.created", data: {} });
    t.clock.set(november(34) + DAY_MS / 2);
    expect(dayOf((await t.client.getStorage({})).days, november(1))).toMatchObject({ drop: true });
  });

  it("a customer key may call neither (PERMISSION_DENIED)", async () => {
    const { key } = await t.client.createApiKey({ name: "customer", role: ApiKeyRole.CUSTOMER, customerId: "cus_kept" });
    const customer = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(key) });
    try {
      await expectError(customer.getStorage({}), status.PERMISSION_DENIED, "may not call GetStorage");
      await expectError(customer.pruneStorage({ dryRun: true }), status.PERMISSION_DENIED, "may not call PruneStorage");
    } finally {
      customer.close();
    }
  });
});

describe("GetStorage and PruneStorage with POSTHORN_PRUNE off and other retention settings", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", { prune: false, retentionDays: 7, payloadRetentionDays: 2 });
    await storeOldDays(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("shows the settings, drops nothing on the next prune, refuses a prune and still answers a dry run", async () => {
    const { days, retention } = await t.client.getStorage({});
    expect(retention).toMatchObject({ retentionDays: 7, payloadRetentionDays: 2, pruneEnabled: false });
    expect(dayOf(days, november(1))).toMatchObject({
      drop: false,
      reason: "past retention (7 days), no pending deliveries, but this server does not prune (POSTHORN_PRUNE=off)",
    });
    expect(days.some((day) => day.drop)).toBe(false);
    await expectError(t.client.pruneStorage({}), status.FAILED_PRECONDITION, /^pruning is off on this server \(POSTHORN_PRUNE=off\)/);
    const dry = await t.client.pruneStorage({ dryRun: true });
    expect(dry.dropped.map(startOf)).toEqual([november(1), november(3)]);
    expect((await t.client.getStorage({})).days.map(startOf)).toEqual(days.map(startOf));
  });
});
