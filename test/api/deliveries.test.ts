import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AttemptErrorKind, DeliveryState, status } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { expectError, literal, UNKNOWN } from "./expect-error.js";

/**
 * Deliveries in every state need the workers: a loopback receiver answers 200 on /ok, 400 (final)
 * on /bad and 500 (retried in 30 s ± jitter, which the fake clock never reaches) on /down.
 */
describe.each(STORES)("deliveries (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  let origin: string;
  const subs: Record<"ok" | "bad" | "down" | "cancel", string> = { ok: "", bad: "", down: "", cancel: "" };
  const events: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver((request, _index, response) => {
      const code = request.url.startsWith("/ok") ? 200 : request.url.startsWith("/bad") ? 400 : 500;
      response.writeHead(code).end(`answer ${code}`);
    });
    origin = new URL(receiver.url).origin;
    t = await startTestApp(kind, { workers: true });
    for (const name of ["ok", "bad", "down", "cancel"] as const) {
      const path = name === "cancel" ? "down" : name;
      subs[name] = (await t.client.subscribe({ customerId: "cus_dlv", endpointUrl: `${origin}/${path}` })).subscription!.id;
    }
    await t.client.subscribe({ customerId: "cus_dlv_other", endpointUrl: `${origin}/ok` });
    for (const type of ["lead.created", "deal.won"]) events.push((await t.client.emit({ type, customerId: "cus_dlv" })).event!.id);
    await t.client.emit({ type: "lead.created", customerId: "cus_dlv_other" });
    await t.app.engine!.idle();
    await t.client.updateSubscription({ subscription: { id: subs.cancel, enabled: false }, updateMask: { paths: ["enabled"] } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it("ListDeliveries filters by customer, event, subscription and state (combined with AND)", async () => {
    const all = (await t.client.listDeliveries({ customerId: "cus_dlv" })).deliveries;
    expect(all).toHaveLength(8);
    expect(all.every((d) => d.customerId === "cus_dlv")).toBe(true);
    expect(all.map((d) => d.eventId)).toEqual([...Array(4).fill(events[0]), ...Array(4).fill(events[1])]);
    expect((await t.client.listDeliveries({})).deliveries).toHaveLength(9);

    const byEvent = (await t.client.listDeliveries({ eventId: events[0]! })).deliveries;
    expect(byEvent.map((d) => d.subscriptionId)).toEqual([subs.ok, subs.bad, subs.down, subs.cancel]);
    const bySub = (await t.client.listDeliveries({ subscriptionId: subs.ok })).deliveries;
    expect(bySub.map((d) => [d.eventId, d.state])).toEqual([
      [events[0], DeliveryState.SUCCEEDED],
      [events[1], DeliveryState.SUCCEEDED],
    ]);
    const state = async (s: DeliveryState) => (await t.client.listDeliveries({ customerId: "cus_dlv", state: s })).deliveries;
    expect((await state(DeliveryState.SUCCEEDED)).map((d) => d.subscriptionId)).toEqual([subs.ok, subs.ok]);
    expect((await state(DeliveryState.FAILED)).map((d) => d.subscriptionId)).toEqual([subs.bad, subs.bad]);
    expect((await state(DeliveryState.PENDING)).map((d) => d.subscriptionId)).toEqual([subs.down, subs.down]);
    expect((await state(DeliveryState.CANCELED)).map((d) => d.subscriptionId)).toEqual([subs.cancel, subs.cancel]);
    const one = await t.client.listDeliveries({ customerId: "cus_dlv", eventId: events[1]!, subscriptionId: subs.bad, state: DeliveryState.FAILED });
    expect(one.deliveries.map((d) => [d.eventId, d.subscriptionId])).toEqual([[events[1], subs.bad]]);
    expect((await t.client.listDeliveries({ eventId: events[1]!, subscriptionId: subs.bad, state: DeliveryState.SUCCEEDED })).deliveries).toEqual([]);
    expect((await t.client.listDeliveries({ customerId: "cus_dlv_other", eventId: events[0]! })).deliveries).toEqual([]);
    // Filters naming nothing give empty lists, not errors.
    expect((await t.client.listDeliveries({ eventId: UNKNOWN.event })).deliveries).toEqual([]);
    expect((await t.client.listDeliveries({ subscriptionId: UNKNOWN.subscription })).deliveries).toEqual([]);
  });

  it("GetDelivery returns the delivery with its attempts; the list agrees", async () => {
    const [failed] = (await t.client.listDeliveries({ eventId: events[0]!, subscriptionId: subs.bad })).deliveries;
    const { delivery } = await t.client.getDelivery({ id: failed!.id });
    expect(delivery).toEqual(failed);
    expect(delivery).toMatchObject({ state: DeliveryState.FAILED, attemptCount: 1, endpointUrl: `${origin}/bad`, eventType: "lead.created" });
    expect(delivery!.finalReason).not.toBe("");
    expect(delivery!.nextAttemptTime).toBeUndefined();
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]).toMatchObject({
      deliveryId: delivery!.id,
      attemptNumber: 1,
      statusCode: 400,
      errorKind: AttemptErrorKind.UNSPECIFIED,
      responseExcerpt: "answer 400",
      succeeded: false,
      willRetry: false,
    });
    expect(delivery!.attempts[0]!.id).toMatch(/^att_[0-9a-f]{24}$/);
    expect(delivery!.attempts[0]!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const [pending] = (await t.client.listDeliveries({ eventId: events[0]!, subscriptionId: subs.down })).deliveries;
    expect(pending!.attempts.map((a) => [a.statusCode, a.willRetry])).toEqual([[500, true]]);
    const due = Number(pending!.nextAttemptTime!.seconds) * 1000 - t.clock.nowMs();
    expect(due).toBeGreaterThanOrEqual(24_000); // 30 s ± 20 % jitter
    expect(due).toBeLessThanOrEqual(36_000);

    const [canceled] = (await t.client.listDeliveries({ eventId: events[0]!, subscriptionId: subs.cancel })).deliveries;
    expect(canceled).toMatchObject({ state: DeliveryState.CANCELED, finalReason: "subscription disabled", attemptCount: 1 });
    expect(canceled!.nextAttemptTime).toBeUndefined();

    await expectError(t.client.getDelivery({ id: UNKNOWN.delivery }), status.NOT_FOUND, literal(`delivery "${UNKNOWN.delivery}" not found`));
    await expectError(t.client.getDelivery({ id: events[0]! }), status.INVALID_ARGUMENT, literal("id: is not a delivery id (expected dlv_ + 24 lowercase hex characters)"));
  });

  it("RetryDelivery and RecoverFailedDeliveries queue failed deliveries again", async () => {
    const [failed] = (await t.client.listDeliveries({ eventId: events[0]!, subscriptionId: subs.bad })).deliveries;
    const { delivery } = await t.client.retryDelivery({ id: failed!.id });
    expect(delivery!.id).toBe(failed!.id);
    await t.app.engine!.idle();
    const after = (await t.client.getDelivery({ id: failed!.id })).delivery!;
    expect(after.state).toBe(DeliveryState.FAILED);
    expect(after.attempts.map((a) => a.attemptNumber)).toEqual([1, 2]);

    const created = (await t.client.getEvent({ id: events[0]! })).event!.createTime!;
    const future = timestampFromMs(t.clock.nowMs() + 1000);
    expect((await t.client.recoverFailedDeliveries({ subscriptionId: subs.bad, since: future })).recoveredDeliveries).toBe(0);
    expect((await t.client.recoverFailedDeliveries({ subscriptionId: subs.bad, since: created })).recoveredDeliveries).toBe(2);
    await t.app.engine!.idle();
    const bad = (await t.client.listDeliveries({ subscriptionId: subs.bad })).deliveries;
    expect(bad.map((d) => [d.state, d.attemptCount])).toEqual([
      [DeliveryState.FAILED, 3],
      [DeliveryState.FAILED, 2],
    ]);

    await expectError(t.client.retryDelivery({ id: UNKNOWN.delivery }), status.NOT_FOUND, literal(`delivery "${UNKNOWN.delivery}" not found`));
    await expectError(t.client.retryDelivery({ id: "dlv_XYZ" }), status.INVALID_ARGUMENT, /^id: is not a delivery id/);
    await expectError(t.client.recoverFailedDeliveries({ subscriptionId: subs.bad }), status.INVALID_ARGUMENT, /^since: is required/);
    await expectError(t.client.recoverFailedDeliveries({ subscriptionId: "", since: created }), status.INVALID_ARGUMENT, literal("subscription_id: is required"));
    await expectError(
      t.client.recoverFailedDeliveries({ subscriptionId: UNKNOWN.subscription, since: created }),
      status.NOT_FOUND,
      literal(`subscription "${UNKNOWN.subscription}" not found`),
    );
  });

  it("RetryDelivery of a deleted subscription's delivery is FAILED_PRECONDITION", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dlv_gone", endpointUrl: `${origin}/down` });
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_dlv_gone" });
    await t.client.deleteSubscription({ id: subscription!.id });
    const [delivery] = (await t.client.listDeliveries({ eventId: event!.id })).deliveries;
    await expectError(
      t.client.retryDelivery({ id: delivery!.id }),
      status.FAILED_PRECONDITION,
      literal(`delivery ${delivery!.id}: its subscription ${subscription!.id} was deleted`),
    );
    expect((await t.client.getDelivery({ id: delivery!.id })).delivery!.state).toBe(DeliveryState.CANCELED);
  });

  it("WatchDeliveries streams the outcome of each attempt matching its filter", async () => {
    const { subscription } = await t.client.subscribe({ customerId: "cus_dlv_watch", endpointUrl: `${origin}/ok` });
    const abort = new AbortController();
    const stream = t.client.watchDeliveries({ customerId: "cus_dlv_watch" }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    // One round trip on the same connection after the stream was opened: the server has
    // registered the stream before it answers this call.
    await t.client.listEventTypes({});
    await t.client.emit({ type: "lead.created", customerId: "cus_dlv_other" }); // filtered out
    const { event } = await t.client.emit({ type: "deal.won", customerId: "cus_dlv_watch" });
    const { value, done } = await first;
    expect(done).toBe(false);
    expect(value!.delivery).toMatchObject({ eventId: event!.id, subscriptionId: subscription!.id, state: DeliveryState.SUCCEEDED, attemptCount: 1 });
    expect(value!.attempt).toMatchObject({ attemptNumber: 1, statusCode: 200, succeeded: true, willRetry: false });
    abort.abort();
    expect((await stream.next()).done).toBe(true);
  });
});
