import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState, PosthornError } from "@posthorn/sdk";
import { PartitionMaintainer } from "../../server/src/delivery/partition-maintainer.js";
import { expirePayloads } from "../../server/src/store/payload-expiry.js";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const DAY = 86_400_000;
const refused = (p: Promise<unknown>) => p.then(() => "ok", (e: PosthornError) => `${e.codeName}: ${e.details}`);

/**
 * POSTHORN_PAYLOAD_RETENTION_DAYS = 2 under a 30-day retention: events over several days (the
 * fake clock starts 2026-11-29 12:00 UTC), then a run keeps the delivery log and drops the bodies
 * of the old days, except a day that still has a pending delivery.
 */
describe.each(STORES)("payload expiry (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  // Each customer's endpoint answers with the status in its URL: 200 (succeeded), 400 (failed
  // at once), 500 (retried after the 7-day schedule step: pending meanwhile).
  const subscriptions: Record<string, string> = {};
  const eventIds: Record<string, string[]> = { day0: [], day1: [], day4: [] };

  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true, retrySchedule: [7 * 86_400], retryJitter: 0, retentionDays: 30, payloadRetentionDays: 2 });
    receiver = await startReceiver((request, _i, res) => void res.writeHead(Number(new URL(request.url, "http://x").searchParams.get("status"))).end());
    for (const status of [200, 400, 500]) {
      const { subscription } = await t.client.subscribe({ customerId: `cus_${status}`, endpointUrl: `${receiver.url}?status=${status}` });
      subscriptions[status] = subscription!.id;
    }
    const emit = async (day: string, customers: number[]) => {
      const { results } = await t.client.emitBatch({ events: customers.map((c, n) => ({ type: "lead.created", customerId: `cus_${c}`, data: { day, n } })) });
      eventIds[day]!.push(...results.map((r) => r.event!.id));
      await receiver.waitFor(Object.values(eventIds).flat().length);
      await t.app.engine!.idle();
    };
    await emit("day0", [200, 200, 200, 400]); // 2026-11-29: all final
    t.clock.advance(DAY);
    await emit("day1", [200, 500]); // 2026-11-30: one delivery stays pending until 12-07
    t.clock.advance(3 * DAY);
    await emit("day4", [200]); // 2026-12-03 12:00: recent
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it("empties the payloads of final days past the payload retention, in batches, and skips them on later runs", async () => {
    const now = new Date(t.clock.nowMs());
    // Batches of 2: day 0's four events take three statements.
    const run = await expirePayloads(t.app.store.db, { payloadRetentionDays: 2, now, batchSize: 2 });
    // The partition maintenance made empty days ahead of the first Emit too (2026-11-28 is one).
    expect([run.expiredEvents, run.heldByPending]).toEqual([4, ["events_p20261130"]]);
    expect(run.finishedPartitions).toContain("events_p20261129");
    expect(run.finishedPartitions).not.toContain("events_p20261130");

    // The hourly maintenance turn runs it too, after the prune: nothing left to do but the held day.
    const { logger, lines } = captureLog();
    const { store, metrics } = t.app;
    const maintainer = new PartitionMaintainer({ store, clock: t.clock, logger, metrics: metrics.retention, retentionDays: 30, payloadRetentionDays: 2, prune: true });
    await maintainer.runOnce();
    expect(lines.filter((line) => line.msg === "event payloads expired").map((line) => [line.expired_events, line.finished_partitions, line.held_by_pending])).toEqual([
      [0, [], ["events_p20261130"]],
    ]);

    const stored = await sql<{ id: string; bytes: number; expired: Date | null }>`
      SELECT id, octet_length(envelope) AS bytes, payload_expired_at AS expired FROM events`.execute(t.app.store.db);
    const byId = new Map(stored.rows.map((row) => [row.id, row]));
    for (const id of eventIds.day0!) expect(byId.get(id)).toEqual({ id, bytes: 0, expired: now });
    for (const id of [...eventIds.day1!, ...eventIds.day4!]) expect(byId.get(id)!.bytes).toBeGreaterThan(0);
  });

  it("shows an expired event without data or envelope and with the marker; kept ones in full", async () => {
    const { event: expired } = await t.client.getEvent({ id: eventIds.day0![0]! });
    expect(expired!.data).toBeUndefined();
    expect(expired!.envelope).toHaveLength(0);
    expect(timestampDate(expired!.payloadExpireTime!).getTime()).toBe(t.clock.nowMs());
    expect(expired!.type).toBe("lead.created");
    const { event: kept } = await t.client.getEvent({ id: eventIds.day1![0]! });
    expect(kept!.data).toEqual({ day: "day1", n: 0 });
    expect(kept!.payloadExpireTime).toBeUndefined();

    const { events } = await t.client.listEvents({ customerId: "cus_200" });
    expect(events.map((e) => [e.data?.day, e.payloadExpireTime !== undefined, e.envelope.length > 0])).toEqual([
      [undefined, true, false],
      [undefined, true, false],
      [undefined, true, false],
      ["day1", false, true],
      ["day4", false, true],
    ]);
  });

  it("keeps the delivery log of expired events, and refuses to retry or recover them", async () => {
    const { deliveries } = await t.client.listDeliveries({ subscriptionId: subscriptions[200]! });
    const old = deliveries.filter((d) => eventIds.day0!.includes(d.eventId));
    expect(old.map((d) => [d.state, d.attempts.map((a) => a.statusCode)])).toEqual([
      [DeliveryState.SUCCEEDED, [200]],
      [DeliveryState.SUCCEEDED, [200]],
      [DeliveryState.SUCCEEDED, [200]],
    ]);
    expect(await refused(t.client.retryDelivery({ id: old[0]!.id }))).toBe(
      `FAILED_PRECONDITION: delivery ${old[0]!.id}: the payload of its event ${old[0]!.eventId} expired at ${new Date(t.clock.nowMs()).toISOString()} ` +
        "(older than POSTHORN_PAYLOAD_RETENTION_DAYS); there is no body left to send",
    );
    const recovery = await t.client.recoverFailedDeliveries({ subscriptionId: subscriptions[400]!, since: timestampFromMs(0) });
    expect([recovery.recoveredDeliveries, recovery.skippedPayloadExpiredDeliveries]).toEqual([0, 1]);
    const { deliveries: failed } = await t.client.listDeliveries({ subscriptionId: subscriptions[400]! });
    expect(failed.map((d) => [d.state, d.attempts.length])).toEqual([[DeliveryState.FAILED, 1]]);
  });

  it("fails a pending delivery of an expired event without sending an empty body", async () => {
    // What a RetryDelivery racing the expiry could leave behind (the API refuses it otherwise).
    const { deliveries } = await t.client.listDeliveries({ eventId: eventIds.day0![1]! });
    const sent = receiver.requests.length;
    await sql`UPDATE deliveries SET state = 'pending', next_attempt_at = ${new Date(t.clock.nowMs())} WHERE id = ${deliveries[0]!.id}`.execute(t.app.store.db);
    t.app.engine!.wake();
    await t.app.engine!.idle();
    const { delivery } = await t.client.getDelivery({ id: deliveries[0]!.id });
    expect(delivery!.state).toBe(DeliveryState.FAILED);
    expect(delivery!.finalReason).toBe(
      `payload expired: event ${eventIds.day0![1]} is older than POSTHORN_PAYLOAD_RETENTION_DAYS and its body was removed; nothing was sent`,
    );
    expect([delivery!.attemptCount, delivery!.attempts.length]).toEqual([1, 1]);
    expect(receiver.requests.length).toBe(sent);
  });

  it("expires a held day once its last pending delivery is final", async () => {
    t.clock.advance(4 * DAY + 3_600_000); // 2026-12-07 13:00: the 500 delivery's second and last attempt is due
    const sent = receiver.requests.length;
    t.app.engine!.wake();
    await receiver.waitFor(sent + 1);
    await t.app.engine!.idle();
    const run = await expirePayloads(t.app.store.db, { payloadRetentionDays: 2, now: new Date(t.clock.nowMs()) });
    expect([run.expiredEvents, run.heldByPending]).toEqual([3, []]);
    expect(run.finishedPartitions).toEqual(expect.arrayContaining(["events_p20261130", "events_p20261203"]));
  });
});
