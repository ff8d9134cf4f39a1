import type { ServerResponse } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { describeOnPostgres } from "../helpers/describe-on-postgres.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/**
 * An Emit hands its deliveries to this process's workers in its own transaction
 * (delivery/local-handoff.ts), within the same limits a claim keeps; what they cannot take now
 * is left due, for a claim here or in another process.
 */
describe.each(STORES)("deliveries handed to the workers at emit (%s)", (kind) => {
  let t: TestApp;
  let hanging: Receiver;
  let healthy: Receiver;
  const held: ServerResponse[] = [];
  const log = captureLog("debug");

  beforeAll(async () => {
    t = await startTestApp(
      kind,
      { workers: true, maxConcurrency: 4, maxConcurrencyPerEndpoint: 2, attemptTimeoutMs: 60_000, leaseSeconds: 120 },
      { logger: log.logger },
    );
    hanging = await startReceiver((_r, _i, response) => void held.push(response));
    healthy = await startReceiver();
  });
  afterAll(async () => {
    held.forEach((response) => response.destroy());
    await Promise.all([hanging.close(), healthy.close()]);
    await t.close();
  });

  const handoffLines = () => log.lines.filter((line) => line.msg === "handoff");

  it("an EmitBatch refused after its deliveries were reserved leaves no slot taken", async () => {
    await t.client.subscribe({ customerId: "cus_ok", endpointUrl: healthy.url });
    await t.client.emitBatch({ events: [{ type: "lead.created", customerId: "cus_ok", data: { n: 1 }, idempotencyKey: "k-1" }] });
    await healthy.waitFor(1);
    // The same key for other data: refused after the deliveries were made (and rolled back).
    await expect(
      t.client.emitBatch({
        events: [
          { type: "lead.created", customerId: "cus_ok", data: { n: 2 }, idempotencyKey: "k-2" },
          { type: "lead.created", customerId: "cus_ok", data: { n: 3 }, idempotencyKey: "k-1" },
        ],
      }),
    ).rejects.toThrow(/idempotency_key/);
    // A reservation left behind would count as an attempt in flight: idle() would never resolve.
    await t.app.engine!.idle();
    expect(handoffLines().map((line) => line.handed_off)).toEqual([1]);
    expect(healthy.requests).toHaveLength(1);
  });

  it("takes no more than the endpoint's limit; the rest wait, due, for a claim", async () => {
    await t.client.subscribe({ customerId: "cus_slow", endpointUrl: hanging.url });
    const { results } = await t.client.emitBatch({
      events: Array.from({ length: 5 }, (_, n) => ({ type: "lead.created", customerId: "cus_slow", data: { n } })),
    });
    await hanging.waitFor(2);
    const rowsOf = () =>
      t.app.store.db
        .selectFrom("deliveries")
        .select(["lease_owner", "attempt_count"])
        .where("event_id", "in", results.map((r) => r.event!.id))
        .execute();
    // (A claim that ran meanwhile may hold the others for a moment before giving them back.)
    const rows = await eventually(rowsOf, (found) => found.filter((row) => row.lease_owner === null).length === 3);
    expect(rows.filter((row) => row.lease_owner === t.app.engine!.owner && row.attempt_count === 1)).toHaveLength(2);
    expect(rows.filter((row) => row.lease_owner === null && row.attempt_count === 0)).toHaveLength(3);
    expect(handoffLines().at(-1)).toMatchObject({ handed_off: 2, given_back: 0 });
    expect(hanging.requests).toHaveLength(2);
  });

  it("the other endpoints of the same process still get their deliveries handed off, up to the free slots", async () => {
    await t.client.emit({ type: "lead.created", customerId: "cus_ok", data: { n: 4 } });
    await healthy.waitFor(2);
    expect(handoffLines().at(-1)).toMatchObject({ handed_off: 1, given_back: 0 });
  });

  it("ordered and rate-limited subscriptions are claimed, never handed off", async () => {
    const ordered = await startReceiver();
    const limited = await startReceiver();
    try {
      await t.client.subscribe({ customerId: "cus_turns", endpointUrl: ordered.url, ordered: true });
      await t.client.subscribe({ customerId: "cus_turns", endpointUrl: limited.url, rateLimitPerSecond: 50 });
      await t.client.emit({ type: "lead.created", customerId: "cus_turns", data: {} });
      await Promise.all([ordered.waitFor(1), limited.waitFor(1)]);
      expect(handoffLines().at(-1)).toMatchObject({ handed_off: 0 });
      expect(log.lines.some((line) => line.msg === "claim" && (line.claimed as number) >= 1)).toBe(true);
    } finally {
      await Promise.all([ordered.close(), limited.close()]);
    }
  });
});

/**
 * An Emit whose transaction took most of a lease (here: it waited for a lock while the clock
 * moved on) does not start the deliveries it leased: their lease could run out mid-request, and
 * another process would make the attempt too. They are given back, due at once, and claimed
 * (the same rule as a late claim, claim-batch.ts).
 */
describeOnPostgres("a late Emit gives its handed-off deliveries back", () => {
  let t: TestApp;
  let receiver: Receiver;
  const log = captureLog("debug");
  beforeAll(async () => {
    t = await startTestApp("postgres", { workers: true, leaseSeconds: 30 }, { logger: log.logger });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("gives them back and they are still delivered, as attempt 1", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_late", endpointUrl: receiver.url });
    const blocker = new pg.Client({ connectionString: t.database.databaseUrl });
    await blocker.connect();
    try {
      // Hold the subscription row: the Emit's fan-out (FOR SHARE) waits behind it.
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM subscriptions WHERE id = $1 FOR UPDATE", [subscription!.id]);
      const emitted = t.client.emit({ type: "lead.created", customerId: "cus_late", data: {} });
      await eventually(
        async () => (await blocker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted")).rows[0]!.n,
        (waiting) => waiting > 0,
      );
      t.clock.advance(25_000); // past 2/3 of the 30 s lease
      await blocker.query("COMMIT");
      await emitted;
    } finally {
      await blocker.end();
    }
    const [request] = await receiver.waitFor(1);
    expect(request!.headers["dealix-delivery-attempt"]).toBe("1");
    expect(log.lines.filter((line) => line.msg === "handoff").at(-1)).toMatchObject({ handed_off: 1, given_back: 1 });
  });
});
