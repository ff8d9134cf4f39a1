import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryState, EventView, status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

const HOUR_MS = 3600_000;
const decoder = new TextDecoder();

describe.each(STORES)("Emit (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const subscribe = async (customerId: string, eventTypes: string[] = [], enabled?: boolean) =>
    (await t.client.subscribe({ customerId, endpointUrl: "https://hooks.example.com/in", eventTypes, ...(enabled === undefined ? {} : { enabled }) }))
      .subscription!;

  it("stores the RFC 8785 envelope and returns the event", async () => {
    t.clock.advance(1500); // a fraction of a second: the envelope's timestamp is whole seconds
    const nowSeconds = Math.floor(t.clock.nowMs() / 1000);
    const { event, matchedSubscriptions, replayed } = await t.client.emit({
      type: "deal.won",
      customerId: "cus_envelope",
      data: { z: "Peñalolén ✓", a: { y: [true, null, 1.5, 1e-7], b: 1 }, m: "\u2028\"" },
      idempotencyKey: "key-envelope",
      view: EventView.FULL,
    });
    expect(replayed).toBe(false);
    expect(matchedSubscriptions).toBe(0);
    expect(event!.id).toMatch(/^evt_[0-9a-f]{24}$/);
    const expected =
      `{"api_version":"v1","customer_id":"cus_envelope","data":{"a":{"b":1,"y":[true,null,1.5,1e-7]},"m":"\u2028\\"","z":"Peñalolén ✓"},` +
      `"id":"${event!.id}","timestamp":${nowSeconds},"type":"deal.won"}`;
    expect(decoder.decode(event!.envelope)).toBe(expected);
    expect(Buffer.from(event!.envelope).equals(Buffer.from(expected, "utf8"))).toBe(true);
    expect(event).toMatchObject({ type: "deal.won", customerId: "cus_envelope", apiVersion: "v1", idempotencyKey: "key-envelope" });
    expect(event!.data).toEqual({ z: "Peñalolén ✓", a: { y: [true, null, 1.5, 1e-7], b: 1 }, m: "\u2028\"" });
    expect(event!.createTime!.seconds).toBe(BigInt(nowSeconds));
    expect(event!.createTime!.nanos).toBe(0);

    // GetEvent returns the same stored bytes and fields.
    const { event: read } = await t.client.getEvent({ id: event!.id });
    expect(Buffer.from(read!.envelope).equals(Buffer.from(event!.envelope))).toBe(true);
    expect(read!.data).toEqual(event!.data);
    expect(read!.createTime).toEqual(event!.createTime);
    expect(read!.idempotencyKey).toBe("key-envelope");
  });

  it("unset data is the empty object", async () => {
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_nodata", view: EventView.FULL });
    expect(decoder.decode(event!.envelope)).toMatch(/^\{"api_version":"v1","customer_id":"cus_nodata","data":\{\},"id":"evt_[0-9a-f]{24}","timestamp":\d+,"type":"lead.created"\}$/);
    expect(event!.idempotencyKey).toMatch(/^sdk_/); // the SDK added one
  });

  it("fans out to the customer's enabled subscriptions whose types are empty or include the type", async () => {
    const all = await subscribe("cus_match");
    const leads = await subscribe("cus_match", ["lead.created", "lead.qualified"]);
    const deals = await subscribe("cus_match", ["deal.won"]);
    const disabled = await subscribe("cus_match", [], false);
    const other = await subscribe("cus_match_other");
    const deleted = await subscribe("cus_match");
    await t.client.deleteSubscription({ id: deleted.id });

    const { event, matchedSubscriptions } = await t.client.emit({ type: "lead.created", customerId: "cus_match", data: { n: 1 } });
    expect(matchedSubscriptions).toBe(2);
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(deliveries.map((d) => d.subscriptionId).sort()).toEqual([all.id, leads.id].sort());
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({
        eventId: event!.id,
        customerId: "cus_match",
        eventType: "lead.created",
        endpointUrl: "https://hooks.example.com/in",
        state: DeliveryState.PENDING,
        attemptCount: 0,
        attempts: [],
        finalReason: "",
      });
      expect(delivery.id).toMatch(/^dlv_[0-9a-f]{24}$/);
      expect(delivery.nextAttemptTime).toEqual(event!.createTime);
      expect(delivery.createTime).toEqual(event!.createTime);
    }
    for (const id of [deals.id, disabled.id, other.id, deleted.id]) {
      expect((await t.client.listDeliveries({ subscriptionId: id })).deliveries).toEqual([]);
    }

    const second = await t.client.emit({ type: "deal.won", customerId: "cus_match" });
    expect(second.matchedSubscriptions).toBe(2); // `all` and `deals`
    const third = await t.client.emit({ type: "lead.created", customerId: "cus_match_nobody" });
    expect(third.matchedSubscriptions).toBe(0);
  });

  it("accepts data of exactly the limit and refuses one byte more, storing nothing", async () => {
    const limit = 256 * 1024;
    const wrapper = '{"p":""}'.length;
    const exact = await t.client.emit({ type: "lead.enriched", customerId: "cus_size", data: { p: "x".repeat(limit - wrapper) }, view: EventView.FULL });
    expect(exact.event!.data).toEqual({ p: "x".repeat(limit - wrapper) });
    await expectError(
      t.client.emit({ type: "lead.enriched", customerId: "cus_size", data: { p: "é".repeat((limit - wrapper) / 2) + "x" } }),
      status.INVALID_ARGUMENT,
      literal(`data: is ${limit + 1} bytes as canonical JSON; at most ${limit} are accepted`),
    );
    const { events } = await t.client.listEvents({ customerId: "cus_size" });
    expect(events.map((e) => e.id)).toEqual([exact.event!.id]);
  });

  it("refuses an unknown event type and an over-long customer id, storing nothing", async () => {
    await subscribe("cus_refused");
    await expectError(
      t.client.emit({ type: "lead.exploded", customerId: "cus_refused" }),
      status.INVALID_ARGUMENT,
      literal('type: unknown event type "lead.exploded"; ListEventTypes returns the accepted ones'),
    );
    const ok = await t.client.emit({ type: "lead.created", customerId: "c".repeat(255) });
    expect(ok.event!.customerId).toHaveLength(255);
    await expectError(
      t.client.emit({ type: "lead.created", customerId: "c".repeat(256) }),
      status.INVALID_ARGUMENT,
      literal("customer_id: must be at most 255 characters, got 256"),
    );
    expect((await t.client.listEvents({ customerId: "cus_refused" })).events).toEqual([]);
    expect((await t.client.listDeliveries({ customerId: "cus_refused" })).deliveries).toEqual([]);
  });

  it("replays a (customer, key) seen within 24 h and creates nothing; after 24 h the key makes a new event", async () => {
    await subscribe("cus_idem");
    const first = await t.client.emit({ type: "lead.created", customerId: "cus_idem", data: { v: 1 }, idempotencyKey: "k1", view: EventView.FULL });
    expect(first).toMatchObject({ replayed: false, matchedSubscriptions: 1 });

    t.clock.advance(24 * HOUR_MS - 1000);
    // The same request (a retry); another one with this key is refused (test/api/idempotency.test.ts).
    const again = await t.client.emit({ type: "lead.created", customerId: "cus_idem", data: { v: 1 }, idempotencyKey: "k1", view: EventView.FULL });
    expect(again.replayed).toBe(true);
    expect(again.matchedSubscriptions).toBe(1);
    expect(again.event!.id).toBe(first.event!.id);
    expect(again.event!.type).toBe("lead.created");
    expect(again.event!.data).toEqual({ v: 1 });
    expect(Buffer.from(again.event!.envelope).equals(Buffer.from(first.event!.envelope))).toBe(true);

    // The same key for another customer is another key.
    const otherCustomer = await t.client.emit({ type: "lead.created", customerId: "cus_idem_2", idempotencyKey: "k1" });
    expect(otherCustomer.replayed).toBe(false);
    expect(otherCustomer.event!.id).not.toBe(first.event!.id);

    expect((await t.client.listEvents({ customerId: "cus_idem" })).events).toHaveLength(1);
    expect((await t.client.listDeliveries({ customerId: "cus_idem" })).deliveries).toHaveLength(1);

    t.clock.advance(1000); // exactly 24 h after the first emit
    const fresh = await t.client.emit({ type: "lead.created", customerId: "cus_idem", data: { v: 3 }, idempotencyKey: "k1", view: EventView.FULL });
    expect(fresh.replayed).toBe(false);
    expect(fresh.event!.id).not.toBe(first.event!.id);
    expect(fresh.event!.data).toEqual({ v: 3 });
    // ...and the new event now owns the key.
    const replayOfFresh = await t.client.emit({ type: "lead.created", customerId: "cus_idem", data: { v: 3 }, idempotencyKey: "k1" });
    expect(replayOfFresh).toMatchObject({ replayed: true, matchedSubscriptions: 1 });
    expect(replayOfFresh.event!.id).toBe(fresh.event!.id);
    expect((await t.client.listEvents({ customerId: "cus_idem" })).events.map((e) => e.id)).toEqual([first.event!.id, fresh.event!.id]);
    expect((await t.client.listDeliveries({ customerId: "cus_idem" })).deliveries).toHaveLength(2);
  });

  it("20 racing emits with one key make exactly one event and one set of deliveries", async () => {
    const subs = [await subscribe("cus_race"), await subscribe("cus_race", ["payment.received"])];
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.client.emit({ type: "payment.received", customerId: "cus_race", data: { retry: "same" }, idempotencyKey: "race-key", view: EventView.FULL }),
      ),
    );
    const ids = new Set(results.map((r) => r.event!.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.matchedSubscriptions === 2)).toBe(true);
    const winner = results.find((r) => !r.replayed)!;
    for (const result of results) expect(result.event!.data).toEqual(winner.event!.data);

    const { events } = await t.client.listEvents({ customerId: "cus_race" });
    expect(events.map((e) => e.id)).toEqual([...ids]);
    const { deliveries } = await t.client.listDeliveries({ customerId: "cus_race" });
    expect(deliveries.map((d) => d.subscriptionId).sort()).toEqual(subs.map((s) => s.id).sort());
  });
});

describe.each(STORES)("Emit with a configured catalog and payload limit (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { eventTypes: ["order.placed", "order.shipped"], maxPayloadBytes: 2048 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("ListEventTypes returns the configured catalog; Emit accepts only it", async () => {
    expect((await t.client.listEventTypes({})).eventTypes).toEqual(["order.placed", "order.shipped"]);
    const { event } = await t.client.emit({ type: "order.shipped", customerId: "cus_cfg" });
    expect(event!.type).toBe("order.shipped");
    await expectError(t.client.emit({ type: "lead.created", customerId: "cus_cfg" }), status.INVALID_ARGUMENT, /^type: unknown event type "lead.created"/);
    await expectError(
      t.client.subscribe({ customerId: "cus_cfg", endpointUrl: "https://example.com/h", eventTypes: ["order.placed", "lead.created"] }),
      status.INVALID_ARGUMENT,
      /^event_types\[1\]: unknown event type "lead.created"/,
    );
  });

  it("applies maxPayloadBytes", async () => {
    const wrapper = '{"p":""}'.length;
    await t.client.emit({ type: "order.placed", customerId: "cus_cfg_size", data: { p: "x".repeat(2048 - wrapper) } });
    await expectError(
      t.client.emit({ type: "order.placed", customerId: "cus_cfg_size", data: { p: "x".repeat(2049 - wrapper) } }),
      status.INVALID_ARGUMENT,
      literal("data: is 2049 bytes as canonical JSON; at most 2048 are accepted"),
    );
    expect((await t.client.listEvents({ customerId: "cus_cfg_size" })).events).toHaveLength(1);
  });
});
