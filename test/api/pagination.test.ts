import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal } from "./expect-error.js";

type Lister = (request: { customerId: string; pageSize?: number; pageToken?: string; newestFirst?: boolean }) => Promise<{ ids: string[]; nextPageToken: string }>;

describe.each(STORES)("pagination (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const lists: Record<"events" | "subscriptions" | "deliveries", { list: Lister; add: (customerId: string, n: number) => Promise<string[]> }> = {
    events: {
      list: async (r) => {
        const page = await t.client.listEvents(r);
        return { ids: page.events.map((e) => e.id), nextPageToken: page.nextPageToken };
      },
      add: async (customerId, n) =>
        (await t.client.emitBatch({ events: Array.from({ length: n }, (_, i) => ({ type: "lead.created", customerId, data: { i } })) })).results.map((r) => r.event!.id),
    },
    subscriptions: {
      list: async (r) => {
        const page = await t.client.listSubscriptions(r);
        return { ids: page.subscriptions.map((s) => s.id), nextPageToken: page.nextPageToken };
      },
      add: async (customerId, n) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push((await t.client.subscribe({ customerId, endpointUrl: `https://example.com/${i}` })).subscription!.id);
        return ids;
      },
    },
    deliveries: {
      list: async (r) => {
        const page = await t.client.listDeliveries(r);
        return { ids: page.deliveries.map((d) => d.id), nextPageToken: page.nextPageToken };
      },
      add: async (customerId, n) => {
        const existing = await t.client.listSubscriptions({ customerId });
        if (existing.subscriptions.length === 0) await t.client.subscribe({ customerId, endpointUrl: "https://example.com/d" });
        const { results } = await t.client.emitBatch({ events: Array.from({ length: n }, () => ({ type: "lead.created", customerId })) });
        const ids: string[] = [];
        for (const result of results) ids.push(...(await t.client.listDeliveries({ eventId: result.event!.id })).deliveries.map((d) => d.id));
        return ids;
      },
    },
  };

  /** Reads every page; asserts each page but the last is full. */
  const readAll = async (list: Lister, customerId: string, pageSize: number) => {
    const ids: string[] = [];
    let pageToken = "";
    do {
      const page = await list({ customerId, pageSize, pageToken });
      ids.push(...page.ids);
      if (page.nextPageToken !== "") expect(page.ids).toHaveLength(pageSize);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return ids;
  };

  for (const name of ["events", "subscriptions", "deliveries"] as const) {
    it(`${name}: page_size 0 means 50, 1000 is allowed, oldest first, no token after the last page`, async () => {
      const { list, add } = lists[name];
      const customerId = `cus_page_${name}`;
      const ids = await add(customerId, 51);
      expect(ids).toHaveLength(51);

      const first = await list({ customerId });
      expect(first.ids).toEqual(ids.slice(0, 50));
      expect(first.nextPageToken).not.toBe("");
      const second = await list({ customerId, pageToken: first.nextPageToken });
      expect(second).toEqual({ ids: ids.slice(50), nextPageToken: "" });

      expect(await list({ customerId, pageSize: 1000 })).toEqual({ ids, nextPageToken: "" });
      expect(await list({ customerId, pageSize: 51 })).toEqual({ ids, nextPageToken: "" });
      const fifty = await list({ customerId, pageSize: 50 });
      expect(fifty.ids).toEqual(ids.slice(0, 50));
      expect(fifty.nextPageToken).toBe(first.nextPageToken);
      expect(await readAll(list, customerId, 7)).toEqual(ids);
      expect(await readAll(list, customerId, 1)).toEqual(ids);
      expect(await list({ customerId: `${customerId}_nobody` })).toEqual({ ids: [], nextPageToken: "" });
    });

    it(`${name}: rows added between pages are neither repeated nor skipped`, async () => {
      const { list, add } = lists[name];
      const customerId = `cus_page_grow_${name}`;
      const before = await add(customerId, 5);
      const seen: string[] = [];
      let page = await list({ customerId, pageSize: 2 });
      seen.push(...page.ids);
      const added = await add(customerId, 3);
      // Rows of another customer in between change nothing either.
      await add(`${customerId}_other`, 2);
      while (page.nextPageToken !== "") {
        page = await list({ customerId, pageSize: 2, pageToken: page.nextPageToken });
        seen.push(...page.ids);
      }
      expect(seen).toEqual([...before, ...added]);
    });

    it(`${name}: newest_first pages backwards; rows added meanwhile do not shift it; its tokens keep the order`, async () => {
      const { list, add } = lists[name];
      const customerId = `cus_page_newest_${name}`;
      const ids = await add(customerId, 5);
      const seen: string[] = [];
      let page = await list({ customerId, pageSize: 2, newestFirst: true });
      seen.push(...page.ids);
      const firstToken = page.nextPageToken;
      await add(customerId, 2); // newer than the first page: not part of this walk
      while (page.nextPageToken !== "") {
        page = await list({ customerId, pageSize: 2, pageToken: page.nextPageToken, newestFirst: true });
        seen.push(...page.ids);
      }
      expect(seen).toEqual([...ids].reverse());
      await expectError(
        list({ customerId, pageSize: 2, pageToken: firstToken }),
        status.INVALID_ARGUMENT,
        literal("page_token: was made for newest_first: true; keep the order while paging"),
      );
    });
  }

  it("subscriptions: deleting a row between pages skips no other row", async () => {
    const customerId = "cus_page_delete";
    const ids = await lists.subscriptions.add(customerId, 6);
    const first = await t.client.listSubscriptions({ customerId, pageSize: 3 });
    expect(first.subscriptions.map((s) => s.id)).toEqual(ids.slice(0, 3));
    await t.client.deleteSubscription({ id: ids[2]! });
    await t.client.deleteSubscription({ id: ids[3]! });
    const rest = await t.client.listSubscriptions({ customerId, pageSize: 3, pageToken: first.nextPageToken });
    expect(rest.subscriptions.map((s) => s.id)).toEqual(ids.slice(4));
    expect(rest.nextPageToken).toBe("");
  });

  it("a token of one list is refused by the others", async () => {
    const customerId = "cus_page_foreign";
    await lists.deliveries.add(customerId, 2); // one subscription, two events, two deliveries
    await lists.subscriptions.add(customerId, 1);
    const tokens = {
      events: (await t.client.listEvents({ customerId, pageSize: 1 })).nextPageToken,
      subscriptions: (await t.client.listSubscriptions({ customerId, pageSize: 1 })).nextPageToken,
      deliveries: (await t.client.listDeliveries({ customerId, pageSize: 1 })).nextPageToken,
    };
    for (const [list, token] of Object.entries(tokens)) {
      const refused = literal(`page_token: is not a token from a previous response of this list (it belongs to the ${list} list)`);
      expect(token).not.toBe("");
      if (list !== "events") await expectError(t.client.listEvents({ customerId, pageToken: token }), status.INVALID_ARGUMENT, refused);
      if (list !== "subscriptions") await expectError(t.client.listSubscriptions({ customerId, pageToken: token }), status.INVALID_ARGUMENT, refused);
      if (list !== "deliveries") await expectError(t.client.listDeliveries({ customerId, pageToken: token }), status.INVALID_ARGUMENT, refused);
    }
  });

  it("events: the type filter pages too", async () => {
    const customerId = "cus_page_type";
    const { results } = await t.client.emitBatch({
      events: Array.from({ length: 6 }, (_, i) => ({ type: i % 2 === 0 ? "deal.won" : "deal.lost", customerId })),
    });
    const won = results.filter((r) => r.event!.type === "deal.won").map((r) => r.event!.id);
    const first = await t.client.listEvents({ customerId, type: "deal.won", pageSize: 2 });
    const second = await t.client.listEvents({ customerId, type: "deal.won", pageSize: 2, pageToken: first.nextPageToken });
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual(won);
    expect(second.nextPageToken).toBe("");
  });
});
