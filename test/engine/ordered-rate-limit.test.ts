import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState, type Delivery } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startOrderedReceiver, type OrderedReceiver } from "../helpers/ordered-receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/**
 * Ordered delivery together with a rate limit (issue 15 attack): a throttled delivery stays the
 * one active; changing the limit while one is throttled, and disable / re-enable / recover
 * meanwhile, keep one active at a time and emit order.
 */
describe.each(STORES)("ordered + rate limit (%s)", (kind) => {
  let t: TestApp;
  let ordered: OrderedReceiver;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true, retrySchedule: [1, 1, 1], attemptTimeoutMs: 2000 });
    ordered = await startOrderedReceiver({ delayMs: 5 });
  });
  afterAll(async () => {
    await ordered?.receiver.close();
    await t?.close();
  });

  async function settle(): Promise<void> {
    t.app.engine!.wake();
    await t.app.engine!.idle();
  }

  /** The subscription's deliveries, all or only the active ones (pending with a due time). */
  async function listOf(subscriptionId: string, onlyActive = false): Promise<Delivery[]> {
    const { deliveries } = await t.client.listDeliveries({ subscriptionId, pageSize: 1000 });
    return onlyActive ? deliveries.filter((d) => d.state === DeliveryState.PENDING && d.nextAttemptTime !== undefined) : deliveries;
  }
  const activeOf = (subscriptionId: string) => listOf(subscriptionId, true);

  it("one active at a time and emit order through a limit change, a disable and a recover", async () => {
    const customerId = `cus_ord_rate_${kind}`;
    const startMs = t.clock.nowMs();
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: ordered.receiver.url, ordered: true, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    const id = subscription!.id;
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) ids.push((await t.client.emit({ type: "lead.created", customerId, data: { n } })).event!.id);
    await settle();
    // The first went at once; the second is due, throttled to its slot; the rest wait.
    expect(ordered.firstReceipts).toEqual(ids.slice(0, 1));
    expect(await activeOf(id)).toHaveLength(1);

    // A new limit while the second is throttled: it is due now, still the only active one.
    await t.client.updateSubscription({ subscription: { id, rateLimitPerSecond: 2 }, updateMask: { paths: ["rate_limit_per_second"] } });
    expect(await activeOf(id)).toHaveLength(1);
    await settle();
    expect(ordered.firstReceipts).toEqual(ids.slice(0, 2));
    expect(await activeOf(id)).toHaveLength(1);

    // Disable cancels the queue; re-enable and recover bring it back, one at a time.
    await t.client.updateSubscription({ subscription: { id, enabled: false }, updateMask: { paths: ["enabled"] } });
    expect(await activeOf(id)).toHaveLength(0);
    await t.client.updateSubscription({ subscription: { id, enabled: true }, updateMask: { paths: ["enabled"] } });
    const recovered = await t.client.recoverFailedDeliveries({ subscriptionId: id, since: timestampFromMs(startMs - 1000) });
    expect(recovered.recoveredDeliveries).toBe(4);
    expect(await activeOf(id)).toHaveLength(1);

    for (let round = 0; round < 50 && ordered.firstReceipts.length < 6; round++) {
      await settle();
      expect((await activeOf(id)).length).toBeLessThanOrEqual(1);
      t.clock.advance(500);
    }
    await settle();
    expect(ordered.firstReceipts).toEqual(ids);
    expect(ordered.maxInFlight()).toBe(1);
    expect((await listOf(id)).every((d) => d.state === DeliveryState.SUCCEEDED)).toBe(true);
  });
});
