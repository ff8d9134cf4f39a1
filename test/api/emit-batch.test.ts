import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventView, status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

describe.each(STORES)("EmitBatch (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("stores every event with its deliveries and answers in request order", async () => {
    await t.client.subscribe({ customerId: "cus_batch_a", endpointUrl: "https://example.com/a", eventTypes: ["deal.won"] });
    await t.client.subscribe({ customerId: "cus_batch_b", endpointUrl: "https://example.com/b" });
    const { results } = await t.client.emitBatch({
      events: [
        { type: "deal.won", customerId: "cus_batch_a", data: { i: 0 } },
        { type: "deal.lost", customerId: "cus_batch_a", data: { i: 1 } },
        { type: "deal.lost", customerId: "cus_batch_b", data: { i: 2 } },
      ],
      view: EventView.FULL,
    });
    expect(results.map((r) => [r.event!.type, r.event!.customerId, r.event!.data, r.matchedSubscriptions, r.replayed])).toEqual([
      ["deal.won", "cus_batch_a", { i: 0 }, 1, false],
      ["deal.lost", "cus_batch_a", { i: 1 }, 0, false],
      ["deal.lost", "cus_batch_b", { i: 2 }, 1, false],
    ]);
    expect(new Set(results.map((r) => r.event!.id)).size).toBe(3);
    for (const result of results) expect(result.event!.idempotencyKey).toMatch(/^sdk_/);
    expect((await t.client.listEvents({ customerId: "cus_batch_a" })).events.map((e) => e.id)).toEqual([results[0]!.event!.id, results[1]!.event!.id]);
    expect((await t.client.listDeliveries({ eventId: results[0]!.event!.id })).deliveries).toHaveLength(1);
    expect((await t.client.listDeliveries({ eventId: results[2]!.event!.id })).deliveries).toHaveLength(1);
  });

  it("a batch with one bad event stores nothing and names events[i].field", async () => {
    await t.client.subscribe({ customerId: "cus_batch_bad", endpointUrl: "https://example.com/bad" });
    const good = { type: "lead.created", customerId: "cus_batch_bad", data: { ok: true } };
    const cases: [object, RegExp][] = [
      [{ type: "lead.nope", customerId: "cus_batch_bad" }, /^events\[2\]\.type: unknown event type "lead.nope"/],
      [{ type: "lead.created", customerId: "" }, literal("events[2].customer_id: is required")],
      [{ type: "lead.created", customerId: "cus_batch_bad", idempotencyKey: "k".repeat(256) }, literal("events[2].idempotency_key: must be at most 255 characters, got 256")],
      [{ type: "lead.created", customerId: "cus_batch_bad", data: { a: [1, Number.NaN] } }, literal("events[2].data.a[1]: is NaN or infinite, which JSON cannot carry")],
    ];
    for (const [bad, message] of cases) {
      await expectError(t.client.emitBatch({ events: [good, good, bad, good] }), status.INVALID_ARGUMENT, message);
    }
    expect((await t.client.listEvents({ customerId: "cus_batch_bad" })).events).toEqual([]);
    expect((await t.client.listDeliveries({ customerId: "cus_batch_bad" })).deliveries).toEqual([]);
  });

  it("duplicates of a key inside one batch make one event; a key seen before replays the original", async () => {
    await t.client.subscribe({ customerId: "cus_batch_dup", endpointUrl: "https://example.com/dup" });
    const earlier = await t.client.emit({ type: "demo.booked", customerId: "cus_batch_dup", data: { n: 3 }, idempotencyKey: "old" });
    // Each repeat is the same request (another request with a used key is refused: test/api/idempotency.test.ts).
    const { results } = await t.client.emitBatch({
      events: [
        { type: "demo.held", customerId: "cus_batch_dup", data: { n: 1 }, idempotencyKey: "dup" },
        { type: "demo.held", customerId: "cus_batch_dup", data: { n: 1 }, idempotencyKey: "dup" },
        { type: "demo.booked", customerId: "cus_batch_dup", data: { n: 3 }, idempotencyKey: "old" },
        { type: "demo.held", customerId: "cus_batch_dup_2", data: { n: 4 }, idempotencyKey: "dup" },
        { type: "demo.held", customerId: "cus_batch_dup", data: { n: 1 }, idempotencyKey: "dup" },
      ],
      view: EventView.FULL,
    });
    expect(results.map((r) => r.replayed)).toEqual([false, true, true, false, true]);
    expect(results[1]!.event!.id).toBe(results[0]!.event!.id);
    expect(results[4]!.event!.id).toBe(results[0]!.event!.id);
    expect(results[1]!.event!.data).toEqual({ n: 1 });
    expect(results[1]!.matchedSubscriptions).toBe(1);
    expect(results[2]!.event!.id).toBe(earlier.event!.id);
    expect(results[2]!.event!.type).toBe("demo.booked");
    expect(results[3]!.event!.id).not.toBe(results[0]!.event!.id);
    expect((await t.client.listEvents({ customerId: "cus_batch_dup" })).events.map((e) => e.id)).toEqual([earlier.event!.id, results[0]!.event!.id]);
    expect((await t.client.listDeliveries({ customerId: "cus_batch_dup" })).deliveries).toHaveLength(2);
  });

  it("takes 1 to 500 events", async () => {
    await t.client.subscribe({ customerId: "cus_batch_500", endpointUrl: "https://example.com/500" });
    const event = (i: number) => ({ type: "pulse.published", customerId: "cus_batch_500", data: { i } });
    await expectError(t.client.emitBatch({ events: [] }), status.INVALID_ARGUMENT, literal("events: must hold at least one event"));
    await expectError(
      t.client.emitBatch({ events: Array.from({ length: 501 }, (_, i) => event(i)) }),
      status.INVALID_ARGUMENT,
      literal("events: must hold at most 500 events, got 501"),
    );
    expect((await t.client.listEvents({ customerId: "cus_batch_500" })).events).toEqual([]);
    const { results } = await t.client.emitBatch({ events: Array.from({ length: 500 }, (_, i) => event(i)) });
    expect(results.every((r) => r.matchedSubscriptions === 1 && !r.replayed)).toBe(true);
    const listed = await t.client.listEvents({ customerId: "cus_batch_500", pageSize: 1000 });
    expect(listed.events.map((e) => e.id)).toEqual(results.map((r) => r.event!.id));
    expect(listed.events.map((e) => e.data!.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect((await t.client.listDeliveries({ customerId: "cus_batch_500", pageSize: 1000 })).deliveries).toHaveLength(500);
  });
});
