import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitSlots } from "../../server/src/domain/rate-slots.js";
import { openStore, type Store } from "../../server/src/store/database.js";
import { migrate } from "../../server/src/store/migrate.js";
import { insertSubscription } from "../../server/src/store/sql/insert-subscription.js";
import { takeRateSlotsNow } from "../../server/src/store/rate-slots.js";
import { createTestDatabase, STORES, type TestDatabase } from "../helpers/databases.js";

const NOW = Date.UTC(2026, 11, 4, 12);

/**
 * Slots taken concurrently (on PostgreSQL from two connection pools, as two processes would)
 * never overlap: every send (granted at the take, or at its reserved slot) stays within
 * rate·w + burst in every window w, and no slot asked for is lost.
 */
describe.each(STORES)("taking rate-limit slots (store/rate-slots.ts, %s)", (kind) => {
  let database: TestDatabase;
  let stores: Store[];
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const pools = kind === "postgres" ? 2 : 1; // PGlite: one process owns the data folder
    stores = [];
    for (let i = 0; i < pools; i++) stores.push(await openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir }));
    await migrate(stores[0]!);
    for (const [id, perSecond, burst] of [["sub_a", 10, 5], ["sub_b", 3, 0], ["sub_free", 0, 0]] as const) {
      await insertSubscription(stores[0]!.db, {
        id,
        customer_id: "cus_rate",
        endpoint_url: "https://example.com/hook",
        event_types: [],
        enabled: true,
        description: "",
        signature_scheme: "v1",
        secrets: "[]",
        disabled_reason: "",
        created_at: new Date(NOW),
        updated_at: new Date(NOW),
        deleted_at: null,
        rate_limit_per_second: perSecond,
        rate_limit_burst: burst,
      });
    }
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database?.drop();
  });

  it("concurrent takes over two subscriptions: within rate·w + burst in every window, nothing lost, no deadlock", async () => {
    const sends = new Map<string, number[]>([["sub_a", []], ["sub_b", []]]);
    let asked = 0;
    // 40 steps of 100 ms; at each, 6 takes at once from alternating pools, each asking both
    // subscriptions (in either key order: the row locks are taken in id order regardless).
    for (let step = 0; step < 40; step++) {
      const nowMs = NOW + step * 100;
      const takes = Array.from({ length: 6 }, async (_, i) => {
        const wanted = new Map(i % 2 === 0 ? [["sub_a", 1 + (i % 3)], ["sub_b", 1]] : [["sub_b", 2], ["sub_a", 1], ["sub_free", 4]]);
        asked += wanted.get("sub_a")! + wanted.get("sub_b")!;
        const { taken } = await takeRateSlotsNow(stores[i % stores.length]!, wanted, { nowMs: () => nowMs });
        expect(taken.map((t) => t.subscription_id).sort()).toEqual(["sub_a", "sub_b"]); // no limit: not returned
        for (const row of taken) {
          const limit = { perSecond: row.rate_limit_per_second, burst: row.rate_limit_burst };
          const { granted, reservedMs } = splitSlots(limit, row.tat_ms, nowMs, wanted.get(row.subscription_id)!);
          sends.get(row.subscription_id)!.push(...Array<number>(granted).fill(nowMs), ...reservedMs);
        }
      });
      await Promise.all(takes);
    }
    expect(sends.get("sub_a")!.length + sends.get("sub_b")!.length).toBe(asked);
    for (const [id, perSecond, burst] of [["sub_a", 10, 5], ["sub_b", 3, 3]] as const) {
      const times = sends.get(id)!.sort((a, b) => a - b);
      for (const start of times) {
        for (const w of [0, 300, 1000, 3000]) {
          const inWindow = times.filter((t) => t >= start && t <= start + w).length;
          expect(inWindow, `${id}: ${inWindow} sends in [${start - NOW}, ${start - NOW + w}] ms`).toBeLessThanOrEqual(Math.floor((perSecond * w) / 1000) + burst);
        }
      }
    }
  });

  it("an unlimited subscription (or none asked) takes nothing", async () => {
    const clock = { nowMs: () => NOW };
    expect((await takeRateSlotsNow(stores[0]!, new Map([["sub_free", 3]]), clock)).taken).toEqual([]);
    expect((await takeRateSlotsNow(stores[0]!, new Map(), clock)).taken).toEqual([]);
  });
});
