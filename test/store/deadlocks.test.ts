import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { attemptEffects } from "../../server/src/delivery/attempt-effects.js";
import { AttemptRecorder } from "../../server/src/delivery/attempt-recorder.js";
import { attemptResult } from "../../server/src/delivery/attempt-result.js";
import { openStore, type Store } from "../../server/src/store/database.js";
import { claimDeliveries, type ClaimedDelivery } from "../../server/src/store/sql/claim-deliveries.js";
import type { AttemptBatchEffect } from "../../server/src/store/sql/record-attempts.js";
import { renewLeases } from "../../server/src/store/sql/renew-leases.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { eventually } from "../helpers/eventually.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// A record batch whose effects write the subscription (410 Gone disabling it, a failing spell)
// runs in one transaction with the delivery rows it updates, as DeleteSubscription does. Both
// lock the subscription first, then its deliveries; a batch that still loses a deadlock (rows
// of one subscription taken in another order) is written again, not lost.
describeOnPostgres("deadlocks between recorded attempts, subscription changes and the lease heartbeat", () => {
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

  const waiting = () => sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`.execute(t.app.store.db).then((r) => r.rows[0]!.n);
  const failure = (claimed: ClaimedDelivery, statusCode: number, decision: Parameters<typeof attemptResult>[2]) => {
    const startMs = t.clock.nowMs();
    return attemptResult({ delivery: claimed, attemptNumber: claimed.attempt_number, startMs, signature: "v1=x" }, { statusCode, durationMs: 2, responseExcerpt: "" }, decision);
  };

  it("DeleteSubscription while a failed attempt's batch is being written: both complete, the delivery ends canceled", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dl_delete", endpointUrl: "https://example.com/down" });
    await t.client.emit({ type: "lead.created", customerId: "cus_dl_delete", data: {} });
    const [claimed] = await claimDeliveries(t.app.store, "wrk_delete", 10, new Date(t.clock.nowMs()), 60_000);
    // A first failure starts the endpoint's failing spell: the batch writes the subscription.
    const result = failure(claimed!, 500, { kind: "retry", delayMs: 30_000, nextAttemptAtMs: t.clock.nowMs() + 30_000 });
    // Holds the batch's transaction open after its write, before the other effects run: the
    // window in which a DeleteSubscription took the subscription and then waited for the
    // delivery row while the batch waited for the subscription (CI, stop 27: INTERNAL).
    let reached!: () => void;
    let release!: () => void;
    const inBatch = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pause: AttemptBatchEffect = {
      applies: () => true,
      async apply() {
        reached();
        await gate;
        return 0;
      },
    };
    const recorder = new AttemptRecorder(t.app.store, "wrk_delete", t.clock, { effects: [pause, ...attemptEffects({ operationalCustomerId: undefined })] });

    const recorded = recorder.record(result);
    await inBatch;
    const deleting = t.client.deleteSubscription({ id: subscription!.id });
    expect(await eventually(waiting, (n) => n === 1)).toBe(1);
    release();

    expect(await deleting).toMatchObject({ canceledDeliveries: 1 });
    expect((await recorded).deliveryUpdated).toBe(true);
    const delivery = await t.app.store.db.selectFrom("deliveries").select(["state", "final_reason"]).where("id", "=", claimed!.id).executeTakeFirstOrThrow();
    expect(delivery).toEqual({ state: "canceled", final_reason: "subscription deleted" });
    const attempts = await t.app.store.db.selectFrom("attempts").select(["status_code"]).where("delivery_id", "=", claimed!.id).execute();
    expect(attempts).toEqual([{ status_code: 500 }]);
  });

  it("a 410 Gone batch that is a deadlock's victim is written again: the outcome is recorded and the subscription disabled", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dl", endpointUrl: "https://example.com/gone" });
    const subscriptionId = subscription!.id;
    await t.client.emit({ type: "lead.created", customerId: "cus_dl", data: {} });
    const [claimed] = await claimDeliveries(t.app.store, "wrk_deadlock", 1, new Date(t.clock.nowMs()), 60_000);
    await t.client.emit({ type: "lead.created", customerId: "cus_dl", data: {} });
    const pending = await t.app.store.db.selectFrom("deliveries").select(["id", "created_at"]).where("subscription_id", "=", subscriptionId).where("id", "!=", claimed!.id).executeTakeFirstOrThrow();
    const result = failure(claimed!, 410, { kind: "failed", reason: "endpoint returned 410 Gone", disableSubscription: { reason: "endpoint returned 410 Gone" } });
    const recorder = new AttemptRecorder(t.app.store, "wrk_deadlock", t.clock, { effects: attemptEffects({ operationalCustomerId: undefined }) });

    let recorded: ReturnType<AttemptRecorder["record"]> | undefined;
    await other.db.transaction().execute(async (trx) => {
      // This transaction must not be the one PostgreSQL picks: it checks for a deadlock late.
      await sql`SET LOCAL deadlock_timeout = '20s'`.execute(trx);
      await sql`UPDATE deliveries SET updated_at = updated_at WHERE id = ${pending.id} AND created_at = ${pending.created_at}`.execute(trx);
      // The batch updates its delivery, disables the subscription, and waits here to cancel the
      // other pending delivery.
      recorded = recorder.record(result);
      expect(await eventually(waiting, (n) => n === 1)).toBe(1);
      // Now this one waits for the batch's delivery row: a cycle, which the batch's side detects first.
      await sql`UPDATE deliveries SET updated_at = updated_at WHERE id = ${claimed!.id} AND created_at = ${claimed!.created_at}`.execute(trx);
    });

    const { deliveryUpdated } = await recorded!;
    expect(deliveryUpdated).toBe(true);
    const delivery = await t.app.store.db.selectFrom("deliveries").select(["state", "final_reason"]).where("id", "=", claimed!.id).executeTakeFirstOrThrow();
    expect(delivery).toEqual({ state: "failed", final_reason: "endpoint returned 410 Gone" });
    const canceled = await t.app.store.db.selectFrom("deliveries").select(["state"]).where("id", "=", pending.id).executeTakeFirstOrThrow();
    expect(canceled.state).toBe("canceled");
    const row = await t.app.store.db.selectFrom("subscriptions").select(["enabled", "disabled_reason"]).where("id", "=", subscriptionId).executeTakeFirstOrThrow();
    expect(row).toEqual({ enabled: false, disabled_reason: "endpoint returned 410 Gone" });
  });

  it("a DeleteSubscription that is a deadlock's victim runs again: it cancels the pending delivery, no INTERNAL", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dl_rerun", endpointUrl: "https://example.com/down" });
    const subscriptionId = subscription!.id;
    await t.client.emit({ type: "lead.created", customerId: "cus_dl_rerun", data: {} });
    const pending = await t.app.store.db.selectFrom("deliveries").select(["id", "created_at"]).where("subscription_id", "=", subscriptionId).executeTakeFirstOrThrow();

    let deleting: ReturnType<typeof t.client.deleteSubscription> | undefined;
    await other.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL deadlock_timeout = '20s'`.execute(trx);
      await sql`UPDATE deliveries SET updated_at = updated_at WHERE id = ${pending.id} AND created_at = ${pending.created_at}`.execute(trx);
      // The call locks the subscription, then waits here to cancel the delivery.
      deleting = t.client.deleteSubscription({ id: subscriptionId });
      expect(await eventually(waiting, (n) => n === 1)).toBe(1);
      // Now this one waits for the subscription: a cycle, which the call's side detects first.
      await sql`SELECT 1 FROM subscriptions WHERE id = ${subscriptionId} FOR SHARE`.execute(trx);
    });

    expect(await deleting!).toMatchObject({ canceledDeliveries: 1 });
    const row = await t.app.store.db.selectFrom("deliveries").select(["state", "final_reason"]).where("id", "=", pending.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "canceled", final_reason: "subscription deleted" });
  });

  it("the lease heartbeat skips a row another transaction has locked instead of waiting for it (it deadlocked with record batches)", async () => {
    await t.client.subscribe({ customerId: "cus_dl_beat", endpointUrl: "https://example.com/beat" });
    await t.client.emit({ type: "lead.created", customerId: "cus_dl_beat", data: {} });
    await t.client.emit({ type: "lead.created", customerId: "cus_dl_beat", data: {} });
    const [locked, free] = await claimDeliveries(t.app.store, "wrk_beat", 10, new Date(t.clock.nowMs()), 60_000);
    const until = new Date(t.clock.nowMs() + 600_000);
    const leaseOf = (id: string) =>
      t.app.store.db.selectFrom("deliveries").select("lease_expires_at").where("id", "=", id).executeTakeFirstOrThrow().then((row) => row.lease_expires_at);
    const before = await leaseOf(locked!.id);

    let renewed: number | "waited" | undefined;
    await other.db.transaction().execute(async (trx) => {
      // As a record batch holds the row while it writes the outcome.
      await sql`UPDATE deliveries SET updated_at = updated_at WHERE id = ${locked!.id} AND created_at = ${locked!.created_at}`.execute(trx);
      // Answered while the row is still locked, or the race says it waited.
      const waited = new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 3000).unref());
      renewed = await Promise.race([renewLeases(t.app.store.db, "wrk_beat", [locked!, free!], until), waited]);
    });

    expect(renewed).toBe(1);
    expect(await leaseOf(free!.id)).toEqual(until);
    expect(await leaseOf(locked!.id)).toEqual(before);
  });
});
