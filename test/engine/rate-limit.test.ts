import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState, type WebhookClient } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/**
 * The per-endpoint rate limit on one server with the fake clock: a burst goes out at once, the
 * rest wait pending (no attempt, attempt numbers kept) due at their reserved slots one interval
 * apart and go out as the clock reaches them; another endpoint is not held up; Update to 0 lifts it.
 */
describe.each(STORES)("rate limit (%s)", (kind) => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  async function settle(): Promise<void> {
    t.app.engine!.wake();
    await t.app.engine!.idle();
  }

  async function pending(client: WebhookClient, subscriptionId: string) {
    const { deliveries } = await client.listDeliveries({ subscriptionId, state: DeliveryState.PENDING, pageSize: 100 });
    return deliveries;
  }

  it("sends the burst, holds the rest at their slots one interval apart, and sends each when its slot comes", async () => {
    const limited = await receiver();
    const free = await receiver();
    const customerId = "cus_rate_engine";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: 2, rateLimitBurst: 2 });
    await t.client.subscribe({ customerId, endpointUrl: free.url });
    const startMs = t.clock.nowMs();
    await t.client.emitBatch({ events: Array.from({ length: 6 }, (_, n) => ({ type: "lead.created", customerId, data: { n } })) });
    await settle();
    // Burst 2 at once; the unlimited endpoint of the same customer got all 6.
    expect(limited.requests).toHaveLength(2);
    expect(free.requests).toHaveLength(6);
    const waiting = await pending(t.client, subscription!.id);
    expect(waiting).toHaveLength(4);
    expect(waiting.every((d) => d.attemptCount === 0 && d.attempts.length === 0)).toBe(true);
    // T = 500 ms, τ = (2 − 1)·T: the slots after the burst conform at +500, +1000, +1500, +2000 ms.
    expect(waiting.map((d) => timestampMs(d.nextAttemptTime!) - startMs).sort((a, b) => a - b)).toEqual([500, 1000, 1500, 2000]);

    t.clock.advance(499);
    await settle();
    expect(limited.requests).toHaveLength(2);
    t.clock.advance(1);
    await settle();
    expect(limited.requests).toHaveLength(3);
    t.clock.advance(1500);
    await settle();
    expect(limited.requests).toHaveLength(6);
    // Held back without an attempt: every request is the delivery's first attempt.
    expect(limited.requests.map((r) => r.headers["dealix-delivery-attempt"])).toEqual(Array(6).fill("1"));
    expect(new Set(limited.requests.map((r) => r.headers["dealix-event-id"])).size).toBe(6);
    expect(await pending(t.client, subscription!.id)).toHaveLength(0);
  });

  it("Update to 0 lifts the limit: the deliveries waiting for slots are due at once", async () => {
    const limited = await receiver();
    const customerId = "cus_rate_lift";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    await t.client.emitBatch({ events: Array.from({ length: 5 }, (_, n) => ({ type: "lead.created", customerId, data: { n } })) });
    await settle();
    expect(limited.requests).toHaveLength(1);
    expect(await pending(t.client, subscription!.id)).toHaveLength(4);
    await t.client.updateSubscription({ subscription: { id: subscription!.id, rateLimitPerSecond: 0 }, updateMask: { paths: ["rate_limit_per_second"] } });
    await settle(); // the clock has not moved
    expect(limited.requests).toHaveLength(5);
    expect(limited.requests.map((r) => r.headers["dealix-delivery-attempt"])).toEqual(Array(5).fill("1"));
  });

  it("a new limit replaces the old schedule: raising it sends the waiting ones at the new rate", async () => {
    const limited = await receiver();
    const customerId = "cus_rate_raise";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    await t.client.emitBatch({ events: Array.from({ length: 5 }, (_, n) => ({ type: "lead.created", customerId, data: { n } })) });
    await settle();
    expect(limited.requests).toHaveLength(1);
    await t.client.updateSubscription({
      subscription: { id: subscription!.id, rateLimitPerSecond: 100, rateLimitBurst: 3 },
      updateMask: { paths: ["rate_limit_per_second", "rate_limit_burst"] },
    });
    await settle();
    expect(limited.requests).toHaveLength(4); // a fresh bucket: burst 3 at once
    t.clock.advance(10);
    await settle();
    expect(limited.requests).toHaveLength(5);
  });

  it("a delivery claimed more than a second after its slot takes a new one: a stalled backlog does not go out at once", async () => {
    const limited = await receiver();
    const customerId = "cus_rate_stall";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    await t.client.emitBatch({ events: Array.from({ length: 3 }, (_, n) => ({ type: "lead.created", customerId, data: { n } })) });
    await settle();
    expect(limited.requests).toHaveLength(1); // the other two hold slots at +1 s and +2 s
    t.clock.advance(5000); // both slots long past
    await settle();
    expect(limited.requests).toHaveLength(2); // one slot now (burst 1), the other a second later
    const [next] = await pending(t.client, subscription!.id);
    expect(timestampMs(next!.nextAttemptTime!)).toBe(t.clock.nowMs() + 1000);
    t.clock.advance(1000);
    await settle();
    expect(limited.requests).toHaveLength(3);
  });

  it("a retry takes a slot like a first attempt", async () => {
    const limited = await startReceiver((_q, index, res) => void res.writeHead(index === 1 ? 500 : 200).end());
    receivers.push(limited);
    const customerId = "cus_rate_retry";
    const { subscription } = await t.client.subscribe({ customerId, endpointUrl: limited.url, rateLimitPerSecond: 1, rateLimitBurst: 1 });
    await t.client.emit({ type: "lead.created", customerId, data: { n: 1 } });
    await settle();
    expect(limited.requests).toHaveLength(1); // answered 500: a retry in 30 s ± 20 %
    t.clock.advance(40_000);
    await settle();
    expect(limited.requests.map((r) => r.headers["dealix-delivery-attempt"])).toEqual(["1", "2"]);
    // The retry used the one slot of this second: an event emitted now waits for the next.
    await t.client.emit({ type: "lead.created", customerId, data: { n: 2 } });
    await settle();
    expect(limited.requests).toHaveLength(2);
    const [waiting] = await pending(t.client, subscription!.id);
    expect(timestampMs(waiting!.nextAttemptTime!)).toBe(t.clock.nowMs() + 1000);
  });
});
