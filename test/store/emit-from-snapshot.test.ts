import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandoffBatch } from "../../server/src/store/delivery-handoff.js";
import { emitFromSnapshot } from "../../server/src/store/emit-from-snapshot.js";
import { FanOutSnapshots } from "../../server/src/store/fan-out-snapshots.js";
import { buildEvent, type NewEvent } from "../../server/src/store/new-event.js";
import { ensurePartitionsFor } from "../../server/src/store/partitions.js";
import type { ClaimedDelivery } from "../../server/src/store/sql/claim-deliveries.js";
import { lockSubscriptionsForFanOut } from "../../server/src/store/sql/lock-subscriptions-for-fan-out.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const TTL_MS = 3600_000;

/** A handoff that reserves `slots` slots, then refuses. */
function handoffOf(slots: number): HandoffBatch & { added: ClaimedDelivery[] } {
  const added: ClaimedDelivery[] = [];
  let asked = 0;
  return { owner: "worker_snapshot_test", leaseMs: 60_000, added, reserve: () => ++asked <= slots, add: (delivery) => added.push(delivery) };
}

/**
 * The Emit's short way (store/emit-from-snapshot.ts): one statement, fanned out from the
 * subscriptions this process saw last. It writes only while what it saw still holds: any change
 * to the customer's subscriptions since (made through this server or any other: nothing tells
 * the snapshot) and any key already taken make it write nothing and say so.
 */
describe.each(STORES)("an Emit from a fan-out snapshot (%s)", (kind) => {
  let t: TestApp;
  let serial = 0;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  /** A new customer with `count` subscriptions, and snapshots that have seen them. */
  const customerWith = async (count: number) => {
    const customerId = `cus_snap_${++serial}`;
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      ids.push((await t.client.subscribe({ customerId, endpointUrl: `http://127.0.0.1:9/${serial}/${n}` })).subscription!.id);
    }
    const snapshots = new FanOutSnapshots();
    snapshots.remember([customerId], await lockSubscriptionsForFanOut(t.app.store.db, [customerId]));
    return { customerId, ids, snapshots };
  };
  const eventOf = (customerId: string, idempotencyKey = "", data: Record<string, unknown> = { n: 1 }): NewEvent =>
    buildEvent({ type: "lead.created", customerId, data, idempotencyKey }, t.clock.nowMs());
  const emit = async (snapshots: FanOutSnapshots, events: NewEvent[], handoff?: HandoffBatch) => {
    await ensurePartitionsFor(t.app.store.db, events.map((event) => event.createdAt));
    return emitFromSnapshot(t.app.store, snapshots, events, new Date(t.clock.nowMs()), TTL_MS, handoff);
  };
  const stored = async (eventId: string) => ({
    events: (await t.app.store.db.selectFrom("events").select("id").where("id", "=", eventId).execute()).length,
    keys: (await t.app.store.db.selectFrom("idempotency_keys").select("event_id").where("event_id", "=", eventId).execute()).length,
    deliveries: await t.app.store.db
      .selectFrom("deliveries")
      .select(["subscription_id", "lease_owner", "attempt_count", "state"])
      .where("event_id", "=", eventId)
      .orderBy("subscription_id")
      .execute(),
  });

  it("stores the event, its key and its deliveries, leased to the handoff as far as it reserves", async () => {
    const { customerId, ids, snapshots } = await customerWith(2);
    const event = eventOf(customerId, "key-snap-1");
    const handoff = handoffOf(1);
    const [result] = (await emit(snapshots, [event], handoff))!;
    expect(result).toMatchObject({ matchedSubscriptions: 2, replayed: false, event: { id: event.id, idempotency_key: "key-snap-1" } });
    expect(Number(result!.event.seq)).toBeGreaterThan(0);
    const rows = await stored(event.id);
    expect({ events: rows.events, keys: rows.keys }).toEqual({ events: 1, keys: 1 });
    expect(rows.deliveries.map((row) => row.subscription_id)).toEqual([...ids].sort());
    const leased = rows.deliveries.filter((row) => row.lease_owner === "worker_snapshot_test");
    expect(leased).toHaveLength(1);
    expect(leased[0]).toMatchObject({ attempt_count: 1, state: "pending" });
    expect(handoff.added.map((delivery) => delivery.subscription_id)).toEqual([leased[0]!.subscription_id]);
  });

  const changes = [
    ["a subscription created since", async (customerId: string) => void (await t.client.subscribe({ customerId, endpointUrl: "http://127.0.0.1:9/new" }))],
    [
      "a subscription's event types changed since",
      async (_customerId: string, id: string) =>
        void (await t.client.updateSubscription({ subscription: { id, eventTypes: ["deal.won"] }, updateMask: { paths: ["event_types"] } })),
    ],
    [
      "a subscription disabled since",
      async (_customerId: string, id: string) =>
        void (await t.client.updateSubscription({ subscription: { id, enabled: false }, updateMask: { paths: ["enabled"] } })),
    ],
    ["a subscription deleted since", async (_customerId: string, id: string) => void (await t.client.deleteSubscription({ id }))],
  ] as const;

  for (const [name, change] of changes) {
    it(`${name}: writes nothing (no event, key or delivery) and forgets the customer`, async () => {
      const { customerId, ids, snapshots } = await customerWith(2);
      await change(customerId, ids[0]!);
      const event = eventOf(customerId, `key-${name}`);
      const handoff = handoffOf(5);
      expect(await emit(snapshots, [event], handoff)).toBeUndefined();
      expect(await stored(event.id)).toEqual({ events: 0, keys: 0, deliveries: [] });
      expect(handoff.added).toEqual([]);
      expect(snapshots.recall([customerId])).toBeUndefined();
    });
  }

  it("a claim's rate-limit take (the row updated, its fan-out not) keeps the snapshot good", async () => {
    const customerId = `cus_snap_limited_${kind}`;
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: "http://127.0.0.1:9/limited", rateLimitPerSecond: 5 });
    const snapshots = new FanOutSnapshots();
    snapshots.remember([customerId], await lockSubscriptionsForFanOut(t.app.store.db, [customerId]));
    await t.app.store.db.updateTable("subscriptions").set({ rate_limit_tat: new Date(t.clock.nowMs() + 1000) }).where("id", "=", subscription!.id).execute();
    const event = eventOf(customerId);
    expect(await emit(snapshots, [event])).toMatchObject([{ matchedSubscriptions: 1 }]);
    expect((await stored(event.id)).deliveries).toHaveLength(1);
  });

  it("a key already taken (a replay, or another request's): writes nothing; an expired key is taken over", async () => {
    const { customerId, snapshots } = await customerWith(1);
    const first = eventOf(customerId, "key-taken");
    expect(await emit(snapshots, [first])).toHaveLength(1);
    snapshots.remember([customerId], await lockSubscriptionsForFanOut(t.app.store.db, [customerId]));

    const again = eventOf(customerId, "key-taken");
    expect(await emit(snapshots, [again])).toBeUndefined();
    expect(await stored(again.id)).toEqual({ events: 0, keys: 0, deliveries: [] });

    snapshots.remember([customerId], await lockSubscriptionsForFanOut(t.app.store.db, [customerId]));
    t.clock.advance(TTL_MS);
    const later = eventOf(customerId, "key-taken");
    expect(await emit(snapshots, [later])).toHaveLength(1);
    expect((await stored(later.id)).keys).toBe(1);
  });

  it("does not apply, and asks nothing of the database, for a customer not seen, an ordered subscription or a key twice", async () => {
    const { customerId, snapshots } = await customerWith(1);
    const ordered = `cus_snap_ordered_${kind}`;
    await t.client.subscribe({ customerId: ordered, endpointUrl: "http://127.0.0.1:9/ordered", ordered: true });
    snapshots.remember([ordered], await lockSubscriptionsForFanOut(t.app.store.db, [ordered]));
    const refused = [[eventOf("cus_snap_unseen")], [eventOf(ordered)], [eventOf(customerId, "twice"), eventOf(customerId, "twice", { n: 2 })]];
    const noStatement = { db: t.app.store.db, runPrepared: () => Promise.reject(new Error("no statement expected")) };
    for (const events of refused) {
      expect(await emitFromSnapshot(noStatement, snapshots, events, new Date(t.clock.nowMs()), TTL_MS, undefined)).toBeUndefined();
    }
    // Still known: not applying is not a failed check.
    expect(snapshots.recall([customerId])).toHaveLength(1);
  });
});

/**
 * Through the API, where an Emit takes the short way once its server has seen the customer: the
 * answers are those of the full way, whatever changed in between.
 */
describe.each(STORES)("Emit with and without the short way (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  it("follows every change of the subscriptions, and answers replays with the original", async () => {
    const customerId = "cus_snap_api";
    const emit = (idempotencyKey = "") => t.client.emit({ type: "lead.created", customerId, idempotencyKey });
    const first = (await t.client.subscribe({ customerId, endpointUrl: "http://127.0.0.1:9/one" })).subscription!;
    expect((await emit()).matchedSubscriptions).toBe(1);
    expect((await emit()).matchedSubscriptions).toBe(1);
    await t.client.subscribe({ customerId, endpointUrl: "http://127.0.0.1:9/two" });
    expect((await emit()).matchedSubscriptions).toBe(2);
    await t.client.updateSubscription({ subscription: { id: first.id, eventTypes: ["deal.won"] }, updateMask: { paths: ["event_types"] } });
    expect((await emit()).matchedSubscriptions).toBe(1);

    const original = await emit("api-key-1");
    const replay = await emit("api-key-1");
    expect(replay).toMatchObject({ replayed: true, matchedSubscriptions: 1 });
    expect(replay.event!.id).toBe(original.event!.id);
    const keyed = await t.app.store.db.selectFrom("events").select("id").where("idempotency_key", "=", "api-key-1").execute();
    expect(keyed).toHaveLength(1);
  });
});
