import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState, PosthornError, status, type WatchDeliveriesResponse } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

describe.each(STORES)("RetryDelivery, RecoverFailedDeliveries, WatchDeliveries (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  let accept = false;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    receiver = await startReceiver((_q, _i, res) => void res.writeHead(accept ? 200 : 400).end());
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("re-queues failed deliveries by hand and streams each attempt's outcome", async () => {
    accept = false;
    const { subscription } = await t.client.subscribe({ customerId: "cus_rq", endpointUrl: receiver.url });
    const { subscription: other } = await t.client.subscribe({ customerId: "cus_rq_other", endpointUrl: receiver.url });
    const abort = new AbortController();
    const seen: WatchDeliveriesResponse[] = [];
    const watching = (async () => {
      for await (const update of t.client.watchDeliveries({ subscriptionId: subscription!.id }, { signal: abort.signal })) seen.push(update);
    })();
    // Give the stream a moment to be registered on the server before anything happens.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const since = t.clock.nowMs();
    const events = await t.client.emitBatch({
      events: [1, 2, 3].map((n) => ({ type: "reply.received", customerId: "cus_rq", data: { n } })),
    });
    await t.client.emit({ type: "reply.received", customerId: "cus_rq_other", data: {} });
    await receiver.waitFor(4);
    await t.app.engine!.idle();
    const failed = await t.client.listDeliveries({ subscriptionId: subscription!.id, state: DeliveryState.FAILED });
    expect(failed.deliveries).toHaveLength(3);

    accept = true;
    // One by hand…
    const { delivery } = await t.client.retryDelivery({ id: failed.deliveries[0]!.id });
    expect(delivery!.state).toBe(DeliveryState.PENDING);
    await receiver.waitFor(5);
    await t.app.engine!.idle();
    const { delivery: retried } = await t.client.getDelivery({ id: failed.deliveries[0]!.id });
    expect(retried!.state).toBe(DeliveryState.SUCCEEDED);
    expect(retried!.attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([[1, 400], [2, 200]]);
    expect(receiver.requests[4]!.headers["dealix-delivery-attempt"]).toBe("2");

    // …the rest in one call; deliveries created before `since` + 1 h are not touched.
    const none = await t.client.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(since + 3_600_000) });
    expect(none.recoveredDeliveries).toBe(0);
    const { recoveredDeliveries } = await t.client.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(since) });
    expect(recoveredDeliveries).toBe(2);
    await receiver.waitFor(7);
    await t.app.engine!.idle();
    const succeeded = await t.client.listDeliveries({ subscriptionId: subscription!.id, state: DeliveryState.SUCCEEDED });
    expect(succeeded.deliveries.map((d) => d.eventId).sort()).toEqual(events.results.map((r) => r.event!.id).sort());

    // The stream trails the store by a network hop.
    await eventually(async () => seen.length, (n) => n >= 6);
    abort.abort();
    await watching;
    // Six attempts on this subscription (3 failed, 3 succeeded), none of the other subscription's.
    expect(seen).toHaveLength(6);
    expect(seen.every((u) => u.delivery!.subscriptionId === subscription!.id)).toBe(true);
    expect(seen.filter((u) => u.attempt!.succeeded)).toHaveLength(3);
    expect(seen.some((u) => u.delivery!.subscriptionId === other!.id)).toBe(false);
  });

  it("names what is wrong with a retry or a recovery", async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: PosthornError) => `${e.codeName}: ${e.details}`);
    expect(await codeOf(t.client.retryDelivery({ id: "dlv_000000000000000000000000" }))).toBe(
      'NOT_FOUND: delivery "dlv_000000000000000000000000" not found',
    );
    expect(await codeOf(t.client.retryDelivery({ id: "nope" }))).toMatch(/^INVALID_ARGUMENT: id: /);
    expect(await codeOf(t.client.recoverFailedDeliveries({ subscriptionId: "sub_000000000000000000000000" }))).toMatch(/^INVALID_ARGUMENT: since: /);
    expect(status.NOT_FOUND).toBe(5);
  });

  it("refuses to re-queue deliveries of a disabled subscription until it is enabled again", async () => {
    accept = false;
    const { subscription } = await t.client.subscribe({ customerId: "cus_off", endpointUrl: receiver.url });
    const before = receiver.requests.length;
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_off", data: {} });
    await receiver.waitFor(before + 1);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(deliveries[0]!.state).toBe(DeliveryState.FAILED);
    await t.client.updateSubscription({ subscription: { id: subscription!.id, enabled: false }, updateMask: { paths: ["enabled"] } });
    const refused = (p: Promise<unknown>) => p.then(() => "ok", (e: PosthornError) => `${e.codeName}: ${e.details}`);
    expect(await refused(t.client.retryDelivery({ id: deliveries[0]!.id }))).toMatch(/^FAILED_PRECONDITION: .*is disabled; enable it/);
    expect(await refused(t.client.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(0) }))).toMatch(
      /^FAILED_PRECONDITION: subscription sub_\w+ is disabled; enable it/,
    );
    await t.app.engine!.idle();
    expect(receiver.requests).toHaveLength(before + 1);
    await t.client.updateSubscription({ subscription: { id: subscription!.id, enabled: true }, updateMask: { paths: ["enabled"] } });
    expect((await t.client.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(0) })).recoveredDeliveries).toBe(1);
  });
});
