import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdempotencyKeyPruner } from "../../server/src/delivery/idempotency-key-pruner.js";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const HOUR_MS = 3600_000;

/**
 * Idempotency keys live 24 hours (contract, "Emit"); the pruner deletes the expired ones and
 * only those, by the injected clock.
 */
describe.each(STORES)("IdempotencyKeyPruner (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const keys = async () =>
    (await t.app.store.db.selectFrom("idempotency_keys").select("idempotency_key").orderBy("idempotency_key").execute()).map(
      (row) => row.idempotency_key,
    );

  it("deletes the keys that expired by the clock's now and keeps the others", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_prune", data: {}, idempotencyKey: "old" });
    t.clock.advance(12 * HOUR_MS);
    await t.client.emit({ type: "lead.created", customerId: "cus_prune", data: {}, idempotencyKey: "young" });
    const log = captureLog("debug");
    const pruner = new IdempotencyKeyPruner({ store: t.app.store, clock: t.clock, logger: log.logger });

    await pruner.prune();
    expect(await keys()).toEqual(["old", "young"]);

    t.clock.advance(12 * HOUR_MS + 1000);
    await pruner.prune();
    expect(await keys()).toEqual(["young"]);
    // Each pruning says at debug how many it deleted.
    expect(log.lines.filter((l) => l.msg === "expired idempotency keys deleted").map((l) => [l.level, l.deleted])).toEqual([
      [20, 0],
      [20, 1],
    ]);
  });
});
