import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const HOUR = 3_600_000;

/**
 * ListDeliveries' event type and creation-time filters (issue 13, the portal's delivery log),
 * alone, together, with the older filters, and across pages. No workers: every delivery stays
 * pending; the fake clock gives each event its own hour.
 */
describe.each(STORES)("ListDeliveries by event type and time (%s)", (kind) => {
  let t: TestApp;
  let start: number;
  /** Event ids in emit order: lead.created at hours 0, 2, 4; deal.won at hours 1, 3. */
  const events: string[] = [];
  let sub = "";

  beforeAll(async () => {
    t = await startTestApp(kind);
    start = t.clock.nowMs();
    sub = (await t.client.subscribe({ customerId: "cus_f", endpointUrl: "https://example.com/a" })).subscription!.id;
    await t.client.subscribe({ customerId: "cus_f", endpointUrl: "https://example.com/b" });
    await t.client.subscribe({ customerId: "cus_f_other", endpointUrl: "https://example.com/c" });
    for (let hour = 0; hour < 5; hour++) {
      t.clock.set(start + hour * HOUR);
      const type = hour % 2 === 0 ? "lead.created" : "deal.won";
      events.push((await t.client.emit({ type, customerId: "cus_f" })).event!.id);
      await t.client.emit({ type, customerId: "cus_f_other" });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const at = (hour: number) => timestampFromMs(start + hour * HOUR);
  const eventIds = (list: { eventId: string }[]) => [...new Set(list.map((d) => d.eventId))];

  it("filters by event type, also one outside the catalog (an empty list)", async () => {
    const won = (await t.client.listDeliveries({ customerId: "cus_f", eventType: "deal.won" })).deliveries;
    expect(won).toHaveLength(4);
    expect(won.every((d) => d.eventType === "deal.won" && d.customerId === "cus_f")).toBe(true);
    expect(eventIds(won)).toEqual([events[1], events[3]]);
    expect((await t.client.listDeliveries({ eventType: "lead.created" })).deliveries).toHaveLength(9);
    expect((await t.client.listDeliveries({ eventType: "posthorn.test" })).deliveries).toEqual([]);
  });

  it("filters by creation time: created_after inclusive, created_before exclusive", async () => {
    const list = async (after?: number, before?: number) =>
      eventIds(
        (
          await t.client.listDeliveries({
            customerId: "cus_f",
            createdAfter: after === undefined ? undefined : at(after),
            createdBefore: before === undefined ? undefined : at(before),
          })
        ).deliveries,
      );
    expect(await list(1, 3)).toEqual([events[1], events[2]]);
    expect(await list(3)).toEqual([events[3], events[4]]);
    expect(await list(undefined, 1)).toEqual([events[0]]);
    expect(await list(5)).toEqual([]);
    expect(await list(0.5, 1)).toEqual([]);
  });

  it("combines the new filters with the others (AND)", async () => {
    const one = await t.client.listDeliveries({ customerId: "cus_f", subscriptionId: sub, eventType: "lead.created", createdAfter: at(1), state: DeliveryState.PENDING });
    expect(one.deliveries.map((d) => d.eventId)).toEqual([events[2], events[4]]);
    expect((await t.client.listDeliveries({ customerId: "cus_f", eventType: "deal.won", state: DeliveryState.FAILED })).deliveries).toEqual([]);
  });

  it("pages newest first with the filters kept on every page", async () => {
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await t.client.listDeliveries({ customerId: "cus_f", eventType: "lead.created", createdBefore: at(4), newestFirst: true, pageSize: 1, pageToken });
      seen.push(...page.deliveries.map((d) => `${d.eventId} ${d.eventType}`));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "" && pages < 10);
    // Hours 2 and 0, two endpoints each: four pages of one, newest first.
    expect(seen).toEqual([events[2], events[2], events[0], events[0]].map((id) => `${id} lead.created`));
  });
});
