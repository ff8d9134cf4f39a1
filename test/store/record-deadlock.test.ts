import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { attemptEffects } from "../../server/src/delivery/attempt-effects.js";
import { AttemptRecorder } from "../../server/src/delivery/attempt-recorder.js";
import { attemptResult } from "../../server/src/delivery/attempt-result.js";
import { openStore, type Store } from "../../server/src/store/database.js";
import { claimDeliveries } from "../../server/src/store/sql/claim-deliveries.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { eventually } from "../helpers/eventually.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// A record batch whose effect (here 410 Gone disabling the subscription) locks the subscription
// after its delivery row, against a transaction that locks them the other way round: PostgreSQL
// aborts one of the two (40P01). The recorder's batch must be written again, not lost.
describeOnPostgres("recording attempts: a batch that loses a deadlock is written again", () => {
  let t: TestApp;
  let other: Store;
  beforeAll(async () => {
    t = await startTestApp("postgres");
    other = await openStore({ databaseUrl: t.database.databaseUrl, dataDir: t.database.dataDir });
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  it("the 410 Gone outcome is recorded and the subscription disabled although its first transaction was the deadlock's victim", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dl", endpointUrl: "https://example.com/gone" });
    const subscriptionId = subscription!.id;
    await t.client.emit({ type: "lead.created", customerId: "cus_dl", data: {} });
    const now = new Date(t.clock.nowMs());
    const [claimed] = await claimDeliveries(t.app.store, "wrk_deadlock", 10, now, 60_000);
    const result = attemptResult(
      { delivery: claimed!, attemptNumber: claimed!.attempt_number, startMs: now.getTime(), signature: "v1=x" },
      { statusCode: 410, durationMs: 2, responseExcerpt: "" },
      { kind: "failed", reason: "endpoint returned 410 Gone", disableSubscription: { reason: "endpoint returned 410 Gone" } },
    );
    const recorder = new AttemptRecorder(t.app.store, "wrk_deadlock", t.clock, { effects: attemptEffects({ operationalCustomerId: undefined }) });
    const waiting = () =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`.execute(t.app.store.db).then((r) => r.rows[0]!.n);

    let recorded: ReturnType<AttemptRecorder["record"]> | undefined;
    await other.db.transaction().execute(async (trx) => {
      // This transaction must not be the one PostgreSQL picks: it checks for a deadlock late.
      await sql`SET LOCAL deadlock_timeout = '20s'`.execute(trx);
      await sql`SELECT 1 FROM subscriptions WHERE id = ${subscriptionId} FOR UPDATE`.execute(trx);
      // The batch updates the delivery, then waits here for the subscription row.
      recorded = recorder.record(result);
      expect(await eventually(waiting, (n) => n === 1)).toBe(1);
      // Now this one waits for the delivery row: a cycle, which the batch's side detects first.
      await sql`UPDATE deliveries SET updated_at = updated_at WHERE id = ${claimed!.id} AND created_at = ${claimed!.created_at}`.execute(trx);
    });

    const { deliveryUpdated } = await recorded!;
    expect(deliveryUpdated).toBe(true);
    const delivery = await t.app.store.db.selectFrom("deliveries").select(["state", "final_reason"]).where("id", "=", claimed!.id).executeTakeFirstOrThrow();
    expect(delivery).toEqual({ state: "failed", final_reason: "endpoint returned 410 Gone" });
    const row = await t.app.store.db.selectFrom("subscriptions").select(["enabled", "disabled_reason"]).where("id", "=", subscriptionId).executeTakeFirstOrThrow();
    expect(row).toEqual({ enabled: false, disabled_reason: "endpoint returned 410 Gone" });
  });
});
