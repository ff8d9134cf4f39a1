import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { dropDay } from "../../server/src/store/drop-day.js";
import { openStore } from "../../server/src/store/database.js";
import { listPartitions, PARTITION_MS } from "../../server/src/store/partitions.js";
import { prune } from "../../server/src/store/prune.js";
import { planPrune, type PruneDay } from "../../server/src/store/prune-plan.js";
import { sql } from "kysely";
import { STORES } from "../helpers/databases.js";
import { buildRetentionWorld, DAY0, dayName, rowsPerDay, type RetentionWorld } from "./retention-world.js";

const RETENTION_MS = 3 * PARTITION_MS;
const DAYS = 12;

/** The pruner against what happens meanwhile: a retry between plan and drop, another pruner, a busy lock. */
describe.each(STORES)("retention prune races (%s)", (kind) => {
  let world: RetentionWorld;
  const day = async (index: number): Promise<PruneDay> =>
    (await planPrune(world.t.app.store.db, world.t.clock.nowMs(), RETENTION_MS)).days.find((d) => d.fromMs === DAY0 + index * PARTITION_MS)!;
  const partitionNames = async () => (await listPartitions(world.t.app.store.db)).map((p) => p.name);

  beforeAll(async () => {
    world = await buildRetentionWorld(kind, DAYS);
    // No worker may attempt (and so finish) a delivery made pending by a test.
    await world.t.app.engine!.stop();
  }, 240_000);
  afterAll(async () => world?.close());

  it("a RetryDelivery between the plan and the drop keeps the day, with every row", async () => {
    const planned = await day(0);
    expect(planned.prunable).toBe(true);
    const [delivery] = (await world.t.client.listDeliveries({ eventId: world.events.get(0)![0]! })).deliveries;
    await world.t.client.retryDelivery({ id: delivery!.id });
    const before = await rowsPerDay(world.t.app.store);
    expect(await dropDay(world.t.app.store, planned)).toMatchObject({ outcome: "kept", pendingDeliveries: 1, dropped: [] });
    expect(await rowsPerDay(world.t.app.store)).toEqual(before);
    expect((await world.t.client.getEvent({ id: world.events.get(0)![0]! })).event!.id).toBe(world.events.get(0)![0]);
  });

  it("a delivery found pending in the detached table: the three are attached again", async () => {
    const planned = await day(1);
    const deliveries = `deliveries_p${dayName(1).replaceAll("-", "")}`;
    const result = await dropDay(world.t.app.store, planned, {
      onDetached: async (db) => {
        // Detached: the parent no longer sees the day; a write that slipped in before the detach is in the table.
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM deliveries WHERE created_at >= ${new Date(planned.fromMs!)} AND created_at < ${new Date(planned.toMs)}`.execute(db);
        expect(rows[0]!.n).toBe(0);
        await sql`UPDATE ${sql.id(deliveries)} SET state = 'pending'`.execute(db);
      },
    });
    expect(result).toMatchObject({ outcome: "kept", pendingDeliveries: 1 });
    expect(await partitionNames()).toEqual(expect.arrayContaining(planned.partitions.map((p) => p.name)));
    const [delivery] = (await world.t.client.listDeliveries({ eventId: world.events.get(1)![0]! })).deliveries;
    expect((await world.t.client.getDelivery({ id: delivery!.id })).delivery!.attempts).toHaveLength(1);
  });

  it("dropping a day twice: the second finds it gone", async () => {
    const planned = await day(3);
    expect((await dropDay(world.t.app.store, planned)).outcome).toBe("dropped");
    expect(await dropDay(world.t.app.store, planned)).toEqual({ outcome: "gone", dropped: [], pendingDeliveries: 0 });
    expect(await partitionNames()).not.toContain(`events_p${dayName(3).replaceAll("-", "")}`);
  });

  it.runIf(kind === "postgres")("a busy lock skips the day; a detach it left pending is finished by the next drop", async () => {
    const planned = await day(4);
    const attempts = `attempts_p${dayName(4).replaceAll("-", "")}`;
    const reader = new pg.Client({ connectionString: world.t.database.databaseUrl });
    await reader.connect();
    try {
      // An open transaction that read the partition: DETACH … CONCURRENTLY waits for it.
      await reader.query(`BEGIN; SELECT count(*) FROM ${attempts}`);
      const skipped = await dropDay(world.t.app.store, planned, { lockTimeoutMs: 200 });
      expect(skipped.outcome).toBe("skipped");
      await reader.query("COMMIT");
    } finally {
      await reader.end();
    }
    expect((await dropDay(world.t.app.store, planned)).outcome).toBe("dropped");
    expect((await partitionNames()).filter((name) => name.endsWith(dayName(4).replaceAll("-", "")))).toEqual([]);
  });

  it.runIf(kind === "postgres")("two pruners at once on two connection pools: each partition is dropped once, neither fails", async () => {
    world.t.clock.advance(3 * PARTITION_MS);
    const other = await openStore({ databaseUrl: world.t.database.databaseUrl, dataDir: world.t.database.dataDir });
    try {
      const plan = await planPrune(world.t.app.store.db, world.t.clock.nowMs(), RETENTION_MS);
      const expected = plan.days.filter((d) => d.prunable).flatMap((d) => d.partitions.map((p) => p.name));
      expect(expected.length).toBeGreaterThanOrEqual(9);
      const now = world.t.clock.nowMs();
      const reports = await Promise.all([prune(world.t.app.store, now, RETENTION_MS), prune(other, now, RETENTION_MS)]);
      const dropped = reports.flatMap((report) => report.drops.flatMap((d) => d.result.dropped));
      expect(dropped.sort()).toEqual([...expected].sort());
      expect(reports.flatMap((r) => r.drops.map((d) => d.result.outcome)).every((o) => o === "dropped" || o === "gone")).toBe(true);
      const left = await partitionNames();
      expect(left.filter((name) => expected.includes(name))).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
