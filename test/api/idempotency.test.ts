import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PosthornError, status } from "@posthorn/sdk";
import { envelopeData, serializeEnvelope } from "../../server/src/domain/envelope.js";
import { newId } from "../../server/src/domain/ids.js";
import { emitEvents, type NewEvent } from "../../server/src/store/sql/emit-events.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

const HOUR_MS = 3600_000;
// The RFC 8785 reference implementation the server uses (CommonJS).
const canonicalize = createRequire(import.meta.url)("canonicalize") as (value: unknown) => string;

describe("envelopeData: the data of an envelope, found without parsing", () => {
  it("is the data's canonical JSON whatever the customer id, the data and the type contain", () => {
    const tricky = ',"data":{"x":1},"id":"evt_';
    const cases: Record<string, unknown>[] = [
      {},
      { id: "evt_x", data: { id: 1 }, [tricky]: tricky, "": [tricky, { '"': '",\\"id":"' }] },
      { nested: { b: [{ b: "😊 \u0000 \n" }], a: null }, z: 1e21, n: -0.5, "10": 1, "2": 2 },
    ];
    for (const data of cases) {
      const envelope = serializeEnvelope({ api_version: "v1", customer_id: tricky, data, id: `evt_${"a".repeat(24)}`, timestamp: 1, type: tricky });
      expect(new TextDecoder().decode(envelopeData(envelope))).toBe(canonicalize(data));
    }
  });
});

/**
 * Idempotency keys (proto, Emit): the same (customer_id, idempotency_key) within 24 hours
 * replays the original event only for the same request (same type, same data as canonical
 * JSON); for a different request it is FAILED_PRECONDITION and nothing is written.
 */
describe.each(STORES)("Idempotency keys reused for a different request (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const subscribe = (customerId: string) => t.client.subscribe({ customerId, endpointUrl: "https://hooks.example.com/in" });
  const counts = async (customerId: string) => ({
    events: (await t.client.listEvents({ customerId })).events.length,
    deliveries: (await t.client.listDeliveries({ customerId })).deliveries.length,
  });
  const reused = (field: string, key: string, eventId: string, difference: string) =>
    literal(
      `${field}: ${JSON.stringify(key)} was used within the last 24 hours for a different request (event ${eventId} has ${difference}); ` +
        "reuse a key only to retry the same request, and use a new key for a new event",
    );

  it("another type: FAILED_PRECONDITION naming the key, the original event and both types; nothing written", async () => {
    await subscribe("cus_type");
    const first = await t.client.emit({ type: "deal.won", customerId: "cus_type", data: { v: 1 }, idempotencyKey: "k-type" });
    await expectError(
      t.client.emit({ type: "deal.lost", customerId: "cus_type", data: { v: 1 }, idempotencyKey: "k-type" }),
      status.FAILED_PRECONDITION,
      reused("idempotency_key", "k-type", first.event!.id, 'type "deal.won", this request "deal.lost"'),
    );
    expect(await counts("cus_type")).toEqual({ events: 1, deliveries: 1 });
  });

  it("other data: FAILED_PRECONDITION, also just before the key's 24 hours end; after them the key is free", async () => {
    await subscribe("cus_data");
    const first = await t.client.emit({ type: "deal.won", customerId: "cus_data", data: { v: 1 }, idempotencyKey: "k-data" });
    const refusal = reused("idempotency_key", "k-data", first.event!.id, "other data");
    await expectError(t.client.emit({ type: "deal.won", customerId: "cus_data", data: { v: 2 }, idempotencyKey: "k-data" }), status.FAILED_PRECONDITION, refusal);
    // Missing data is the empty object, which is other data too.
    await expectError(t.client.emit({ type: "deal.won", customerId: "cus_data", idempotencyKey: "k-data" }), status.FAILED_PRECONDITION, refusal);
    t.clock.advance(24 * HOUR_MS - 1000);
    await expectError(t.client.emit({ type: "deal.won", customerId: "cus_data", data: { v: 1, w: 0 }, idempotencyKey: "k-data" }), status.FAILED_PRECONDITION, refusal);
    expect(await counts("cus_data")).toEqual({ events: 1, deliveries: 1 });

    t.clock.advance(1000);
    const fresh = await t.client.emit({ type: "deal.won", customerId: "cus_data", data: { v: 2 }, idempotencyKey: "k-data" });
    expect(fresh.replayed).toBe(false);
    expect(await counts("cus_data")).toEqual({ events: 2, deliveries: 2 });
  });

  it("the same request (keys in any order) replays the original, without writing", async () => {
    await subscribe("cus_same");
    const data = { b: { y: [1, "two", null], x: true }, a: 1.5, "10": "ten", "2": "two" };
    const first = await t.client.emit({ type: "deal.won", customerId: "cus_same", data, idempotencyKey: "k-same" });
    const reordered = { "2": "two", a: 1.5, "10": "ten", b: { x: true, y: [1, "two", null] } };
    const again = await t.client.emit({ type: "deal.won", customerId: "cus_same", data: reordered, idempotencyKey: "k-same" });
    expect(again).toMatchObject({ replayed: true, matchedSubscriptions: 1 });
    expect(again.event!.id).toBe(first.event!.id);
    // An array's order is part of the data.
    const swapped = { ...reordered, b: { x: true, y: ["two", 1, null] } };
    await expectError(
      t.client.emit({ type: "deal.won", customerId: "cus_same", data: swapped, idempotencyKey: "k-same" }),
      status.FAILED_PRECONDITION,
      reused("idempotency_key", "k-same", first.event!.id, "other data"),
    );
    expect(await counts("cus_same")).toEqual({ events: 1, deliveries: 1 });
  });

  it("a long key is shown cut to 64 characters", async () => {
    const key = "k".repeat(255);
    const first = await t.client.emit({ type: "deal.won", customerId: "cus_long", idempotencyKey: key });
    await expectError(
      t.client.emit({ type: "deal.lost", customerId: "cus_long", idempotencyKey: key }),
      status.FAILED_PRECONDITION,
      reused("idempotency_key", `${"k".repeat(64)}…`, first.event!.id, 'type "deal.won", this request "deal.lost"'),
    );
  });

  it("EmitBatch: a key reused for another request names events[i].idempotency_key and writes nothing of the batch", async () => {
    await subscribe("cus_batch");
    const earlier = await t.client.emit({ type: "deal.won", customerId: "cus_batch", data: { n: 0 }, idempotencyKey: "old" });
    await expectError(
      t.client.emitBatch({
        events: [
          { type: "deal.won", customerId: "cus_batch", data: { n: 1 }, idempotencyKey: "new-1" },
          { type: "deal.won", customerId: "cus_batch", data: { n: 0 }, idempotencyKey: "old" }, // a replay
          { type: "deal.won", customerId: "cus_batch", data: { n: 2 } },
          { type: "deal.won", customerId: "cus_batch", data: { n: 3 }, idempotencyKey: "old" },
        ],
      }),
      status.FAILED_PRECONDITION,
      reused("events[3].idempotency_key", "old", earlier.event!.id, "other data"),
    );
    expect(await counts("cus_batch")).toEqual({ events: 1, deliveries: 1 });
    // The key "new-1" was not claimed either: it makes a new event of other data now.
    expect((await t.client.emit({ type: "deal.lost", customerId: "cus_batch", idempotencyKey: "new-1" })).replayed).toBe(false);
  });

  it("EmitBatch: one key twice in a batch is one event for the same request, and refuses the batch for different ones", async () => {
    await subscribe("cus_twice");
    const same = await t.client.emitBatch({
      events: [
        { type: "deal.won", customerId: "cus_twice", data: { a: 1, b: 2 }, idempotencyKey: "twice" },
        { type: "deal.won", customerId: "cus_twice", data: { b: 2, a: 1 }, idempotencyKey: "twice" },
      ],
    });
    expect(same.results.map((r) => [r.replayed, r.event!.id])).toEqual([
      [false, same.results[0]!.event!.id],
      [true, same.results[0]!.event!.id],
    ]);
    expect(same.results[1]!.matchedSubscriptions).toBe(1);

    await expectError(
      t.client.emitBatch({
        events: [
          { type: "deal.won", customerId: "cus_twice", data: { n: 1 }, idempotencyKey: "twice-new" },
          { type: "deal.won", customerId: "cus_twice", data: { n: 2 }, idempotencyKey: "other" },
          { type: "deal.lost", customerId: "cus_twice", data: { n: 1 }, idempotencyKey: "twice-new" },
        ],
      }),
      status.FAILED_PRECONDITION,
      literal(
        'events[2].idempotency_key: "twice-new" is also the key of events[0], a different request (it has type "deal.won", this request "deal.lost"); ' +
          "reuse a key only to retry the same request, and use a new key for a new event",
      ),
    );
    expect(await counts("cus_twice")).toEqual({ events: 1, deliveries: 1 });
  });

  it("racing Emits with one key: one event; the same request replays it, the others are refused; other callers unaffected", async () => {
    await subscribe("cus_race");
    const request = (i: number) => ({ type: "deal.won", customerId: "cus_race", data: { side: i % 2 }, idempotencyKey: "race" });
    const bystander = (i: number) => ({ type: "deal.won", customerId: "cus_race", data: { bystander: i }, idempotencyKey: `bystander-${i}` });
    const settled = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => t.client.emit(request(i))),
      ...Array.from({ length: 5 }, (_, i) => t.client.emit(bystander(i))),
    ]);
    const raced = settled.slice(0, 20);
    const winners = raced.flatMap((s, i) => (s.status === "fulfilled" && !s.value.replayed ? [{ i, id: s.value.event!.id }] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    raced.forEach((s, i) => {
      if (i % 2 === winner.i % 2) {
        expect(s.status === "fulfilled" && s.value.event!.id).toBe(winner.id);
      } else {
        expect(s.status).toBe("rejected");
        const error = (s as PromiseRejectedResult).reason as PosthornError;
        expect([error.codeName, error.details]).toEqual([
          "FAILED_PRECONDITION",
          expect.stringMatching(reused("idempotency_key", "race", winner.id, "other data")),
        ]);
      }
    });
    for (const s of settled.slice(20)) expect(s.status === "fulfilled" && s.value.replayed).toBe(false);
    expect(await counts("cus_race")).toEqual({ events: 6, deliveries: 6 });
  });

  it("events sharing one transaction (group commit): a reused key gets its own result, the others are stored", async () => {
    const customerId = "cus_shared";
    const earlier = await t.client.emit({ type: "deal.won", customerId, data: { n: 0 }, idempotencyKey: "shared" });
    const nowMs = t.clock.nowMs();
    const event = (type: string, data: object, idempotencyKey: string): NewEvent => {
      const id = newId("event");
      const timestamp = Math.floor(nowMs / 1000);
      const envelope = serializeEnvelope({ api_version: "v1", customer_id: customerId, data: data as Record<string, unknown>, id, timestamp, type });
      return { id, type, customerId, envelope, idempotencyKey, createdAt: new Date(timestamp * 1000) };
    };
    const events = [
      event("deal.won", { n: 1 }, "shared-a"),
      event("deal.won", { n: 2 }, "shared"),
      event("deal.won", { n: 0 }, "shared"),
      event("deal.lost", { n: 1 }, "shared-a"),
      event("deal.won", { n: 3 }, ""),
    ];
    const results = await t.app.store.db
      .transaction()
      .execute((trx) => emitEvents(trx, events, new Date(nowMs), 24 * HOUR_MS));
    const outline = results.map((r) =>
      "keyReused" in r ? { reused: r.keyReused.original.id, differs: r.keyReused.differs } : { id: r.event.id, replayed: r.replayed },
    );
    expect(outline).toEqual([
      { id: events[0]!.id, replayed: false },
      { reused: earlier.event!.id, differs: "data" },
      { id: earlier.event!.id, replayed: true },
      { reused: events[0]!.id, differs: "type" },
      { id: events[4]!.id, replayed: false },
    ]);
    const stored = (await t.client.listEvents({ customerId })).events.map((e) => e.id);
    expect(stored).toEqual([earlier.event!.id, events[0]!.id, events[4]!.id]);
  });
});
