import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/**
 * An UpdateSubscription whose mask names the rate-limit fields with the values they already have
 * (a client sending a full mask) changes no limit: it keeps the schedule (the GCRA state and the
 * reserved slots). Dropping it would give a fresh burst on every such Update, more than
 * `rate·w + burst` in a window.
 */
describe.each(STORES)("rate limit Update with the same values (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  async function settle(): Promise<void> {
    t.app.engine!.wake();
    await t.app.engine!.idle();
  }

  it("keeps the reserved slots and sends nothing early", async () => {
    const customerId = "cus_rate_same";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: receiver.url, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    await t.client.emitBatch({ events: Array.from({ length: 4 }, (_, n) => ({ type: "lead.created", customerId, data: { n } })) });
    await settle();
    expect(receiver.requests).toHaveLength(1);
    const slots = async () => {
      const { deliveries } = await t.client.listDeliveries({ subscriptionId: subscription!.id, state: DeliveryState.PENDING, pageSize: 100 });
      return deliveries.map((d) => timestampMs(d.nextAttemptTime!)).sort((a, b) => a - b);
    };
    const before = await slots();
    expect(before).toHaveLength(3);

    const { subscription: updated } = await t.client.updateSubscription({
      subscription: { id: subscription!.id, rateLimitPerSecond: 1, rateLimitBurst: 1, description: "full mask" },
      updateMask: { paths: ["rate_limit_per_second", "rate_limit_burst", "description"] },
    });
    expect(updated!.description).toBe("full mask");
    await settle();
    expect(receiver.requests).toHaveLength(1);
    expect(await slots()).toEqual(before);
  });
});
