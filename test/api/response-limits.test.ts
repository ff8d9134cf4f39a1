import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { toBinary } from "@bufbuild/protobuf";
import {
  EventView,
  status,
  type Delivery,
  type Event,
} from "@posthorn/sdk";
import {
  GetDeliveryResponseSchema,
  ListDeliveriesResponseSchema,
  ListEventsResponseSchema,
  ListSubscriptionsResponseSchema,
} from "@posthorn/proto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, timeOfId } from "../../server/src/domain/ids.js";
import { runProcess } from "../e2e/child-process.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

/** The limits the proto documents ("Sizes"): pages end before 2 MiB, batches carry at most 4 MiB of data. */
const PAGE_BYTES = 2 * 1024 * 1024;
const BATCH_DATA_BYTES = 4 * 1024 * 1024;

/** `data` whose canonical JSON is exactly `bytes` long: `{"p":"xxx…"}`. */
const dataOf = (bytes: number, fill = "x") => ({ p: fill.repeat(bytes - '{"p":""}'.length) });

/** Reads every page of a list, checking each page's serialized size; returns the pages. */
async function readAllPages<P extends { nextPageToken: string }>(
  read: (pageToken: string) => Promise<P>,
  bytesOf: (page: P) => number,
): Promise<P[]> {
  const pages: P[] = [];
  let token = "";
  do {
    const page = await read(token);
    expect(bytesOf(page)).toBeLessThan(PAGE_BYTES);
    pages.push(page);
    token = page.nextPageToken;
    expect(pages.length).toBeLessThan(100);
  } while (token !== "");
  return pages;
}

describe.each(STORES)("response and request size limits (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const countEvents = async (customerId: string) =>
    (await readAllPages((pageToken) => t.client.listEvents({ customerId, pageToken, view: EventView.BASIC }), () => 0)).flatMap(
      (page) => page.events,
    ).length;

  it("an EmitBatch of 20 events of 150 KB answers intact with default channel options; a retry with the same keys stores nothing more", async () => {
    await t.client.subscribe({ customerId: "cus_big_batch", endpointUrl: "https://example.com/big" });
    const events = Array.from({ length: 20 }, (_, i) => ({
      type: "lead.enriched",
      customerId: "cus_big_batch",
      data: dataOf(150_000, String.fromCharCode(97 + i)),
      idempotencyKey: `big-${i}`,
    }));
    const { results } = await t.client.emitBatch({ events });
    expect(results).toHaveLength(20);
    expect(results.map((r) => [r.replayed, r.matchedSubscriptions, r.event!.idempotencyKey])).toEqual(
      events.map((e) => [false, 1, e.idempotencyKey]),
    );
    expect(new Set(results.map((r) => r.event!.id)).size).toBe(20);
    for (const { event } of results) {
      expect(event!.id).toMatch(/^evt_[0-9a-f]{24}$/);
      expect(event).toMatchObject({ type: "lead.enriched", customerId: "cus_big_batch", apiVersion: "v1" });
      // EVENT_VIEW_BASIC, the default: the caller has the payload already.
      expect(event!.data).toBeUndefined();
      expect(event!.envelope).toHaveLength(0);
    }
    expect(await countEvents("cus_big_batch")).toBe(20);

    const again = await t.client.emitBatch({ events });
    expect(again.results.map((r) => [r.replayed, r.event!.id])).toEqual(results.map((r) => [true, r.event!.id]));
    expect(await countEvents("cus_big_batch")).toBe(20);
    expect((await t.client.listDeliveries({ customerId: "cus_big_batch" })).deliveries).toHaveLength(20);
  });

  it("refuses a batch over 4 MiB of data, and a FULL view whose answer would reach 4 MiB, storing nothing", async () => {
    const events = Array.from({ length: 30 }, () => ({ type: "lead.enriched", customerId: "cus_too_big", data: dataOf(150_000) }));
    await expectError(
      t.client.emitBatch({ events }),
      status.INVALID_ARGUMENT,
      literal(`events: data totals ${30 * 150_000} bytes of canonical JSON; a batch carries at most ${BATCH_DATA_BYTES} (4 MiB): split the batch`),
    );
    // Under the data limit, but in full (data as a Struct and the envelope) the answer would be ~6 MB.
    const error = await expectError(
      t.client.emitBatch({ events: events.slice(0, 20), view: EventView.FULL }),
      status.INVALID_ARGUMENT,
      /^view: EVENT_VIEW_FULL would make a response of \d+ bytes, and responses stay under 4194304 \(4 MiB\): use EVENT_VIEW_BASIC/,
    );
    expect(Number(/of (\d+) bytes/.exec(error.details)![1])).toBeGreaterThan(2 * 20 * 150_000);
    // Over the 8 MiB request limit: the SDK's channel refuses to send it (the server would too).
    await expectError(
      t.client.emitBatch({ events: Array.from({ length: 60 }, () => events[0]!) }),
      status.RESOURCE_EXHAUSTED,
      literal("Attempted to send message with a size larger than 8388608"),
    );
    expect(await countEvents("cus_too_big")).toBe(0);
  });

  it("EVENT_VIEW_FULL answers with data and envelope; BASIC (the default) without; a view inside a batch or an unknown view is refused", async () => {
    const data = { lead: 7, name: "Ada" };
    const full = await t.client.emit({ type: "lead.created", customerId: "cus_view", data, view: EventView.FULL });
    expect(full.event!.data).toEqual(data);
    expect(JSON.parse(Buffer.from(full.event!.envelope).toString("utf8"))).toMatchObject({ id: full.event!.id, data });
    const basic = await t.client.emit({ type: "lead.created", customerId: "cus_view", data, view: EventView.BASIC });
    const unset = await t.client.emit({ type: "lead.created", customerId: "cus_view", data });
    for (const { event } of [basic, unset]) {
      expect(event!.data).toBeUndefined();
      expect(event!.envelope).toHaveLength(0);
      expect(event!.createTime).toBeDefined();
    }
    const batch = await t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_view", data }], view: EventView.FULL });
    expect(batch.results[0]!.event!.data).toEqual(data);
    expect(batch.results[0]!.event!.envelope.length).toBeGreaterThan(0);
    // GetEvent and ListEvents show everything by default.
    expect((await t.client.getEvent({ id: unset.event!.id })).event!.data).toEqual(data);
    const listed = await t.client.listEvents({ customerId: "cus_view" });
    expect(listed.events.map((e) => e.data)).toEqual([data, data, data, data]);
    const listedBasic = await t.client.listEvents({ customerId: "cus_view", view: EventView.BASIC });
    expect(listedBasic.events.map((e) => [e.id, e.data, e.envelope.length])).toEqual(listed.events.map((e) => [e.id, undefined, 0]));

    await expectError(
      t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_view" }, { type: "lead.created", customerId: "cus_view", view: EventView.FULL }] }),
      status.INVALID_ARGUMENT,
      literal("events[1].view: must be unset inside EmitBatch; set view on the batch"),
    );
    const unknown = literal("view: unknown event view 7; use EVENT_VIEW_BASIC (1) or EVENT_VIEW_FULL (2)");
    await expectError(t.client.emit({ type: "lead.created", customerId: "cus_view", view: 7 as EventView }), status.INVALID_ARGUMENT, unknown);
    await expectError(t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_view" }], view: 7 as EventView }), status.INVALID_ARGUMENT, unknown);
    await expectError(t.client.listEvents({ view: 7 as EventView }), status.INVALID_ARGUMENT, unknown);
    expect((await t.client.listEvents({ customerId: "cus_view" })).events).toHaveLength(4);
  });

  it("ListEvents pages near-maximum events under 2 MiB each, every event once and in order, both orders", async () => {
    // 12 events of 256 KiB (the largest `data`), each ~0.5 MiB in full: the default page size (50) cannot hold them.
    const { results } = await t.client.emitBatch({
      events: Array.from({ length: 12 }, (_, i) => ({ type: "lead.enriched", customerId: "cus_pages", data: dataOf(256 * 1024, String.fromCharCode(97 + i)) })),
    });
    const ids = results.map((r) => r.event!.id);
    for (const newestFirst of [false, true]) {
      const pages = await readAllPages(
        (pageToken) => t.client.listEvents({ customerId: "cus_pages", pageToken, newestFirst }),
        (page) => toBinary(ListEventsResponseSchema, page).length,
      );
      expect(pages.length).toBeGreaterThan(3);
      const listed: Event[] = pages.flatMap((page) => page.events);
      expect(listed.map((e) => e.id)).toEqual(newestFirst ? [...ids].reverse() : ids);
      for (const [index, event] of listed.entries()) {
        const i = newestFirst ? 11 - index : index;
        expect(event.data).toEqual(dataOf(256 * 1024, String.fromCharCode(97 + i)));
        expect(event.envelope.length).toBeGreaterThan(256 * 1024);
      }
    }
    // Without envelopes and data the whole list is one small page.
    const basic = await t.client.listEvents({ customerId: "cus_pages", view: EventView.BASIC });
    expect(basic.events.map((e) => e.id)).toEqual(ids);
    expect(basic.nextPageToken).toBe("");
  });

  it("ListDeliveries pages deliveries with many 4 KiB attempts under 2 MiB; a delivery shows its latest 100 attempts", async () => {
    await t.client.subscribe({ customerId: "cus_attempts", endpointUrl: "https://example.com/attempts" });
    const { results } = await t.client.emitBatch({
      events: Array.from({ length: 10 }, (_, i) => ({ type: "lead.created", customerId: "cus_attempts", data: { i } })),
    });
    const { deliveries } = await t.client.listDeliveries({ customerId: "cus_attempts" });
    expect(deliveries.map((d) => d.eventId)).toEqual(results.map((r) => r.event!.id));
    // Recorded attempts of endpoints that answer with 4 KiB bodies, written as the engine would.
    const attemptsOf = (delivery: Delivery, count: number) =>
      Array.from({ length: count }, (_, n) => ({
        id: newId("attempt"),
        delivery_id: delivery.id,
        delivery_created_at: new Date(timeOfId(delivery.id)!),
        attempt_number: n + 1,
        started_at: new Date(t.clock.nowMs()),
        status_code: 500,
        duration_ms: 12,
        error_kind: null,
        error_message: "",
        response_excerpt: `${n + 1}:`.padEnd(4096, "e"),
        signature: `t=1,v1=${"0".repeat(64)}`,
        succeeded: false,
        will_retry: true,
      }));
    const counts = deliveries.map((_, i) => (i === 0 ? 150 : 100));
    for (const [i, delivery] of deliveries.entries()) {
      await t.app.store.db.insertInto("attempts").values(attemptsOf(delivery, counts[i]!)).execute();
      await t.app.store.db.updateTable("deliveries").set({ attempt_count: counts[i]! }).where("id", "=", delivery.id).execute();
    }

    const { delivery: first } = await t.client.getDelivery({ id: deliveries[0]!.id });
    expect(first!.attemptCount).toBe(150);
    expect(first!.attempts.map((a) => a.attemptNumber)).toEqual(Array.from({ length: 100 }, (_, n) => n + 51));
    expect(first!.attempts[0]!.responseExcerpt.startsWith("51:")).toBe(true);

    for (const newestFirst of [false, true]) {
      const pages = await readAllPages(
        (pageToken) => t.client.listDeliveries({ customerId: "cus_attempts", pageToken, newestFirst }),
        (page) => toBinary(ListDeliveriesResponseSchema, page).length,
      );
      expect(pages.length).toBeGreaterThan(2);
      const listed = pages.flatMap((page) => page.deliveries);
      const expected = newestFirst ? [...deliveries].reverse() : deliveries;
      expect(listed.map((d) => d.id)).toEqual(expected.map((d) => d.id));
      for (const delivery of listed) {
        expect(delivery.attempts).toHaveLength(100);
        expect(delivery.attempts.at(-1)!.attemptNumber).toBe(delivery.attemptCount);
      }
    }
  });

  it("a delivery whose attempts are as large as they get still fits in one response", async () => {
    await t.client.subscribe({ customerId: "cus_worst", endpointUrl: "https://example.com/worst" });
    const { results } = await t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_worst" }] });
    const { deliveries } = await t.client.listDeliveries({ eventId: results[0]!.event!.id });
    const delivery = deliveries[0]!;
    // 300 attempts (RetryDelivery can add them without end), each at the largest the engine
    // records: a 4 KiB body of invalid UTF-8 (12 KiB of U+FFFD), a 2,048-character Location in
    // the reason, and signatures for several secrets.
    const attempts = Array.from({ length: 300 }, (_, n) => ({
      id: newId("attempt"),
      delivery_id: delivery.id,
      delivery_created_at: new Date(timeOfId(delivery.id)!),
      attempt_number: n + 1,
      started_at: new Date(t.clock.nowMs()),
      status_code: 302,
      duration_ms: 12,
      error_kind: null,
      error_message: `redirect not followed (Location: ${"ÿ".repeat(2048)})`,
      response_excerpt: Buffer.alloc(4096, 0xff).toString("utf8"),
      signature: Array.from({ length: 8 }, () => `v1,${"A".repeat(44)}`).join(" "),
      succeeded: false,
      will_retry: true,
    }));
    expect(attempts[0]!.response_excerpt).toHaveLength(4096);
    expect(Buffer.byteLength(attempts[0]!.response_excerpt)).toBe(3 * 4096);
    for (let i = 0; i < attempts.length; i += 100) await t.app.store.db.insertInto("attempts").values(attempts.slice(i, i + 100)).execute();
    await t.app.store.db.updateTable("deliveries").set({ attempt_count: 300 }).where("id", "=", delivery.id).execute();

    const got = await t.client.getDelivery({ id: delivery.id });
    expect(got.delivery!.attempts.map((a) => a.attemptNumber)).toEqual(Array.from({ length: 100 }, (_, n) => n + 201));
    expect(toBinary(GetDeliveryResponseSchema, got).length).toBeLessThan(PAGE_BYTES);
    const listed = await t.client.listDeliveries({ customerId: "cus_worst" });
    expect(listed.deliveries.map((d) => [d.id, d.attempts.length, d.attemptCount])).toEqual([[delivery.id, 100, 300]]);
  });

  it("ListSubscriptions pages large subscriptions under 2 MiB", async () => {
    const customerId = "cus_many_subs";
    const { eventTypes } = await t.client.listEventTypes({});
    // ~3.5 KB each in a response: 700 of them are ~2.4 MB, over one page.
    for (let start = 0; start < 700; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.client.subscribe({
            customerId,
            endpointUrl: `https://example.com/${String(start + i).padStart(4, "0")}/${"p".repeat(1990)}`,
            description: "d".repeat(1024),
            eventTypes,
          }),
        ),
      );
    }
    const pages = await readAllPages(
      (pageToken) => t.client.listSubscriptions({ customerId, pageToken, pageSize: 1000 }),
      (page) => toBinary(ListSubscriptionsResponseSchema, page).length,
    );
    expect(pages.length).toBe(2);
    const urls = pages.flatMap((page) => page.subscriptions.map((s) => s.endpointUrl.slice(20, 24)));
    expect(urls).toHaveLength(700);
    expect(new Set(urls).size).toBe(700);
    expect(pages[0]!.subscriptions.length).toBeLessThan(700);
  });

  // The CLI is the same whatever the store: run it once.
  it.runIf(kind === "pglite")("the CLI emits large events in batches that fit and lists them across short pages", async () => {
    const posthorn = (...args: string[]) => runProcess("node", ["server/bin/posthorn.js", ...args, "--address", t.app.address!, "--api-key", TEST_ADMIN_KEY]);
    const file = join(mkdtempSync(join(tmpdir(), "posthorn-cli-")), "event.json");
    writeFileSync(file, JSON.stringify({ type: "lead.enriched", customer_id: "cus_cli_big", data: dataOf(250_000) }));
    // 30 copies of 250 KB: 7.5 MB of data, more than one batch may carry.
    const many = await posthorn("emit", "--file", file, "--count", "30");
    expect(many.stderr).not.toContain("Error");
    expect(many.code).toBe(0);
    expect(many.stdout).toMatch(/^Emitted 30 lead\.enriched events for cus_cli_big in [\d.]+ s/);

    const listed = await posthorn("events", "--customer", "cus_cli_big", "--limit", "100", "--json");
    expect(listed.code).toBe(0);
    const events = JSON.parse(listed.stdout) as { id: string; data: { p: string } }[];
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.id)).size).toBe(30);
    expect(events.every((e) => e.data.p.length === 250_000 - 8)).toBe(true);

    // `emit --json` prints the whole event, as before the BASIC default.
    const one = await posthorn("emit", "--type", "lead.created", "--customer", "cus_cli_one", "--data", '{"lead":7}', "--json");
    expect(one.code).toBe(0);
    const printed = JSON.parse(one.stdout) as { event: { id: string; data: unknown; envelope: string } };
    expect(printed.event.data).toEqual({ lead: 7 });
    expect(JSON.parse(Buffer.from(printed.event.envelope, "base64").toString("utf8"))).toMatchObject({ id: printed.event.id, data: { lead: 7 } });
  });
});
