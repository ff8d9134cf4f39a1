import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { DeliveryState } from "@posthorn/sdk";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";

/**
 * An Emit racing a DeleteSubscription / disabling UpdateSubscription of a matching
 * subscription must not leave a pending delivery to a deleted or disabled subscription.
 * PostgreSQL only: PGlite runs one transaction at a time, so the interleaving cannot happen.
 *
 * The interleaving is forced with row locks, not timing: an outside transaction locks a pending
 * delivery of the subscription, so the delete/disable stops inside its transaction (after
 * changing the subscription, before cancelling); then the Emit runs; the outside lock is
 * released only once both calls wait on locks (or the Emit has finished).
 */
describeOnPostgres("Emit transactions under concurrency (postgres)", () => {
  let t: TestApp;
  let outside: pg.Client;
  let observer: pg.Client;
  beforeAll(async () => {
    t = await startTestApp("postgres");
    outside = new pg.Client({ connectionString: t.database.databaseUrl });
    observer = new pg.Client({ connectionString: t.database.databaseUrl });
    outside.on("error", () => {});
    observer.on("error", () => {});
    await outside.connect();
    await observer.connect();
  });
  afterAll(async () => {
    await outside?.end();
    await observer?.end();
    await t?.close();
  });

  /** Resolves once `count` backends of this database wait on a lock, or `done` settled. */
  async function untilWaiting(count: number, done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.then(() => (settled = true), () => (settled = true));
    for (;;) {
      if (settled) return;
      const { rows } = await observer.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (Number(rows[0]!.n) >= count) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it("an Emit is one transaction: its event is invisible until its deliveries are written with it", async () => {
    const customerId = "cus_one_tx";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: "https://example.com/h" });
    // Hold the subscription row: the Emit stops at its fan-out, after storing the event.
    await outside.query("BEGIN");
    await outside.query("SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE", [subscription!.id]);
    const emitting = t.client.emit({ type: "lead.created", customerId, idempotencyKey: "one-tx" });
    await untilWaiting(1, emitting);
    const seen = await observer.query("SELECT count(*)::int AS n FROM events WHERE customer_id = $1", [customerId]);
    const keys = await observer.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE customer_id = $1", [customerId]);
    await outside.query("COMMIT");
    const { event, matchedSubscriptions } = await emitting;
    expect({ events: seen.rows[0].n, keys: keys.rows[0].n }).toEqual({ events: 0, keys: 0 });
    expect(matchedSubscriptions).toBe(1);
    expect((await t.client.listDeliveries({ eventId: event!.id })).deliveries.map((d) => d.subscriptionId)).toEqual([subscription!.id]);
  });

  const cases = [
    ["delete", (id: string) => t.client.deleteSubscription({ id })],
    ["disable", (id: string) => t.client.updateSubscription({ subscription: { id, enabled: false }, updateMask: { paths: ["enabled"] } })],
  ] as const;

  for (const [name, change] of cases) {
    it(`${name}: no pending delivery is left to the subscription`, async () => {
      const customerId = `cus_race_${name}`;
      const { subscription } = await t.client.subscribe({ customerId, endpointUrl: "https://example.com/h" });
      const id = subscription!.id;
      await t.client.emit({ type: "lead.created", customerId });
      const [first] = (await t.client.listDeliveries({ subscriptionId: id })).deliveries;

      await outside.query("BEGIN");
      await outside.query("SELECT id FROM deliveries WHERE id = $1 FOR UPDATE", [first!.id]);
      const changing = change(id);
      await untilWaiting(1, changing);
      const emitting = t.client.emit({ type: "lead.created", customerId });
      await untilWaiting(2, emitting);
      await outside.query("COMMIT");
      await changing;
      const emitted = await emitting;

      const pending = (await t.client.listDeliveries({ subscriptionId: id, state: DeliveryState.PENDING })).deliveries;
      expect(pending).toEqual([]);
      expect(emitted.matchedSubscriptions).toBe(0);
      expect((await t.client.listDeliveries({ subscriptionId: id })).deliveries.map((d) => d.state)).toEqual([DeliveryState.CANCELED]);
    });
  }
});
