import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "@posthorn/verifier";
import { DeliveryState, EventView } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

describe.each(STORES)("emit → signed delivery (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("delivers the stored bytes, signed at send time, and records the attempt", async () => {
    const { subscription, secret } = await t.client.subscribe({ customerId: "cus_1", endpointUrl: receiver.url });
    const { event, matchedSubscriptions } = await t.client.emit({ type: "lead.created", customerId: "cus_1", data: { lead: 7, name: "Peñalolén" }, view: EventView.FULL });
    expect(matchedSubscriptions).toBe(1);
    const [request] = await receiver.waitFor(1);
    expect(request!.body.equals(Buffer.from(event!.envelope))).toBe(true);
    expect(request!.headers["dealix-event-id"]).toBe(event!.id);
    const result = verifySignature({ payload: request!.body, header: String(request!.headers["dealix-signature"]), secrets: [secret], now: t.clock.nowMs() / 1000 });
    expect(result.ok).toBe(true);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ subscriptionId: subscription!.id });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.state).toBe(DeliveryState.SUCCEEDED);
    expect(deliveries[0]!.attempts[0]!.statusCode).toBe(200);
  });
});
