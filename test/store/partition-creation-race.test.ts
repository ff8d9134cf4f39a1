import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "../../server/src/store/database.js";
import { migrate } from "../../server/src/store/migrate.js";
import { ensurePartitions, listPartitions, PARTITION_MS } from "../../server/src/store/partitions.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

const NOW = Date.UTC(2026, 11, 4, 12);

/**
 * Two servers starting on one database both make the partitions ahead (partition maintenance)
 * and both make a new day's partitions on its first Emit: overlapping ranges at once, from two
 * connection pools as two processes would. Each partition is made once and neither call fails.
 */
describeOnPostgres("two processes making partitions at once", () => {
  let database: TestDatabase;
  let stores: Store[];
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    stores = await Promise.all([0, 1].map(() => openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir })));
    await migrate(stores[0]!);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database?.drop();
  });

  it("makes each day's three partitions once, whoever comes first", async () => {
    const made = await Promise.all([
      ensurePartitions(stores[0]!.db, NOW - PARTITION_MS, NOW + 7 * PARTITION_MS),
      ensurePartitions(stores[1]!.db, NOW, NOW + 9 * PARTITION_MS),
      ensurePartitions(stores[1]!.db, NOW + 3 * PARTITION_MS, NOW + 4 * PARTITION_MS),
    ]);
    const all = made.flat();
    // Days from NOW - 1 to NOW + 9: 11 days × 3 tables, each made by exactly one of the calls.
    expect(all).toHaveLength(33);
    expect(new Set(all).size).toBe(33);
    const partitions = await listPartitions(stores[1]!.db);
    expect(partitions.map((p) => p.name).sort()).toEqual([...all].sort());
    expect(partitions.filter((p) => p.table === "events").map((p) => new Date(p.fromMs!).toISOString().slice(0, 10))).toEqual(
      Array.from({ length: 11 }, (_, i) => new Date(NOW + (i - 1) * PARTITION_MS).toISOString().slice(0, 10)),
    );
  });
});
