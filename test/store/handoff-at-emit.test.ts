import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffBatch } from "../../server/src/store/delivery-handoff.js";
import { buildEvent } from "../../server/src/store/new-event.js";
import { ensurePartitionsFor } from "../../server/src/store/partitions.js";
import { claimDeliveries, type ClaimedDelivery } from "../../server/src/store/sql/claim-deliveries.js";
import { emitEvents } from "../../server/src/store/sql/emit-events.js";
import { releaseLeases } from "../../server/src/store/sql/release-leases.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const OWNER = "worker_handoff_test";
const LEASE_MS = 60_000;

/** A handoff that reserves `slots` slots, then refuses. */
function handoffOf(slots: number): HandoffBatch & { added: ClaimedDelivery[]; asked: string[] } {
  const added: ClaimedDelivery[] = [];
  const asked: string[] = [];
  return {
    owner: OWNER,
    leaseMs: LEASE_MS,
    added,
    asked,
    reserve: (url) => (asked.push(url), asked.length <= slots),
    add: (delivery) => added.push(delivery),
  };
}

/**
 * Deliveries handed to local workers in the Emit's transaction (store/delivery-handoff.ts) are
 * stored exactly as a claim leaves them, and the handoff gives the workers exactly what the
 * claim would have returned.
 */
describe.each(STORES)("handing deliveries off at emit (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await t.client.subscribe({ customerId: "cus_plain", endpointUrl: "http://127.0.0.1:9/a" });
    await t.client.subscribe({ customerId: "cus_plain", endpointUrl: "http://127.0.0.1:9/b" });
    await t.client.subscribe({ customerId: "cus_plain", endpointUrl: "http://127.0.0.1:9/c" });
    await t.client.subscribe({ customerId: "cus_turns", endpointUrl: "http://127.0.0.1:9/ordered", ordered: true });
    await t.client.subscribe({ customerId: "cus_turns", endpointUrl: "http://127.0.0.1:9/limited", rateLimitPerSecond: 5 });
  });
  afterAll(async () => t.close());

  const emit = async (customerId: string, handoff: HandoffBatch) => {
    const event = buildEvent({ type: "lead.created", customerId, data: { n: 1 }, idempotencyKey: "" }, t.clock.nowMs());
    await ensurePartitionsFor(t.app.store.db, [event.createdAt]);
    await t.app.store.db.transaction().execute((trx) => emitEvents(trx, [event], new Date(t.clock.nowMs()), 0, handoff));
    return event;
  };
  const rowsOf = (eventId: string) =>
    t.app.store.db
      .selectFrom("deliveries")
      .select(["id", "endpoint_url", "lease_owner", "lease_expires_at", "leased_at", "attempt_count", "state"])
      .where("event_id", "=", eventId)
      .orderBy("endpoint_url")
      .execute();

  it("leases the deliveries it reserved a slot for (attempt 1), and leaves the rest due for a claim", async () => {
    const handoff = handoffOf(2);
    const event = await emit("cus_plain", handoff);
    const now = t.clock.nowMs();
    const rows = await rowsOf(event.id);
    const leased = rows.filter((row) => row.lease_owner !== null);
    expect(leased.map((row) => row.id).sort()).toEqual(handoff.added.map((d) => d.id).sort());
    expect(leased).toHaveLength(2);
    for (const row of leased) {
      expect(row).toMatchObject({ lease_owner: OWNER, attempt_count: 1, state: "pending" });
      expect(row.leased_at!.getTime()).toBe(now);
      expect(row.lease_expires_at!.getTime()).toBe(now + LEASE_MS);
    }
    const due = rows.filter((row) => row.lease_owner === null);
    expect(due).toMatchObject([{ attempt_count: 0, lease_expires_at: null, leased_at: null }]);
    expect(handoff.asked).toHaveLength(3);
  });

  it("gives the workers what a claim of the same deliveries returns", async () => {
    const handoff = handoffOf(3);
    await emit("cus_plain", handoff);
    expect(handoff.added).toHaveLength(3);
    // Given back and claimed again, the same deliveries come back from the claim, attempt 1 again.
    await releaseLeases(t.app.store.db, OWNER, handoff.added, new Date(t.clock.nowMs()));
    const claimed = await claimDeliveries(t.app.store, OWNER, 10, new Date(t.clock.nowMs()), LEASE_MS);
    const byId = new Map(claimed.map((delivery) => [delivery.id, delivery]));
    for (const delivery of handoff.added) {
      const twin = byId.get(delivery.id);
      expect(twin).toBeDefined();
      expect({ ...delivery, envelope: Buffer.from(delivery.envelope) }).toEqual({ ...twin!, envelope: Buffer.from(twin!.envelope) });
    }
  });

  it("never hands off deliveries of ordered or rate-limited subscriptions", async () => {
    const handoff = handoffOf(10);
    const event = await emit("cus_turns", handoff);
    expect(handoff.asked).toEqual([]);
    expect(handoff.added).toEqual([]);
    const rows = await rowsOf(event.id);
    expect(rows).toMatchObject([
      { endpoint_url: "http://127.0.0.1:9/limited", lease_owner: null, attempt_count: 0 },
      { endpoint_url: "http://127.0.0.1:9/ordered", lease_owner: null, attempt_count: 0 },
    ]);
  });
});
