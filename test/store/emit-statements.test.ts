import type { KyselyPlugin, Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSERT_CHUNK_BYTES } from "../../server/src/store/insert-chunks.js";
import { buildEvent, type NewEvent } from "../../server/src/store/new-event.js";
import { ensurePartitionsFor } from "../../server/src/store/partitions.js";
import type { Database } from "../../server/src/store/schema.js";
import { emitEvents } from "../../server/src/store/sql/emit-events.js";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/** Counts the statements run through the Kysely instance it is plugged into (a result each; a query built into another is not one). */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery: (args) => args.node,
    async transformResult(args) {
      this.count++;
      return args.result;
    },
  };
}

/**
 * An emit's statements (store/sql/emit-events.ts): the events and their deliveries go in one
 * statement (a data-modifying CTE) unless the events are too many for one INSERT, and every
 * delivery is stored either way.
 */
describe.each(STORES)("the statements of an emit (%s)", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    for (const path of ["a", "b", "c"]) await t.client.subscribe({ customerId: "cus_stmt", endpointUrl: `http://127.0.0.1:9/${path}` });
  });
  afterAll(async () => t.close());

  const emit = async (events: NewEvent[]) => {
    await ensurePartitionsFor(t.app.store.db, [events[0]!.createdAt]);
    const counter = statementCounter();
    await t.app.store.db.transaction().execute((trx) => emitEvents(trx.withPlugin(counter) as Kysely<Database>, events, new Date(t.clock.nowMs()), 0));
    const deliveries = await t.app.store.db
      .selectFrom("deliveries")
      .select(({ fn }) => fn.countAll<number>().as("n"))
      .where("event_id", "in", events.map((event) => event.id))
      .executeTakeFirstOrThrow();
    return { statements: counter.count, deliveries: Number(deliveries.n) };
  };
  const eventOf = (data: Record<string, unknown>, idempotencyKey = "") =>
    buildEvent({ type: "lead.created", customerId: "cus_stmt", data, idempotencyKey }, t.clock.nowMs());

  it("one event without a key: the subscriptions are locked, then the event and its deliveries are written by one statement", async () => {
    expect(await emit([eventOf({ n: 1 })])).toEqual({ statements: 2, deliveries: 3 });
  });

  it("with an idempotency key: one more statement, to claim the key", async () => {
    expect(await emit([eventOf({ n: 2 }, "key-stmt-1")])).toEqual({ statements: 3, deliveries: 3 });
  });

  it("events larger than one INSERT: the events in chunks, then the deliveries on their own", async () => {
    const big = "x".repeat(INSERT_CHUNK_BYTES / 2);
    const events = [eventOf({ big, n: 3 }), eventOf({ big, n: 4 }), eventOf({ big, n: 5 })];
    // Lock, three chunks (each event's envelope is over half a chunk), the deliveries.
    expect(await emit(events)).toEqual({ statements: 5, deliveries: 9 });
  });
});
