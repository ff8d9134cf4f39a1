import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { DeliveryState, EventView } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

const SCHEDULE_S = [30, 300, 1800, 21600, 86400];
const JITTER = 0.2;

describe.each(STORES)("retry schedule under a fake clock (%s)", (kind) => {
  let t: TestApp;
  let failing: Receiver;
  let flaky: Receiver;
  let limited: Receiver;
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    failing = await startReceiver((_r, _i, res) => void res.writeHead(500).end("down for maintenance"));
    flaky = await startReceiver((_r, index, res) => void res.writeHead(index === 1 ? 503 : 200).end());
    limited = await startReceiver((_r, index, res) =>
      index === 1 ? void res.writeHead(429, { "Retry-After": "120" }).end() : void res.writeHead(200).end(),
    );
  });
  afterAll(async () => {
    await Promise.all([failing.close(), flaky.close(), limited.close()]);
    await t.close();
  });

  it("makes six attempts at the contract's delays (±20 % jitter), then fails the delivery for good", async () => {
    const { secret, subscription } = await t.client.subscribe({ customerId: "cus_sched", endpointUrl: failing.url });
    const { event } = await t.client.emit({ type: "deal.won", customerId: "cus_sched", data: { amount: 1200 }, view: EventView.FULL });
    const sentAt: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const requests = await failing.waitFor(attempt);
      sentAt.push(t.clock.nowMs());
      await t.app.engine!.idle();
      const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
      const delivery = deliveries[0]!;
      expect(delivery.attemptCount).toBe(attempt);
      const request = requests[attempt - 1]!;
      // Same event id and the same body bytes on every attempt; the attempt number counts up.
      expect(request.headers["dealix-event-id"]).toBe(event!.id);
      expect(request.headers["dealix-delivery-attempt"]).toBe(String(attempt));
      expect(request.body.equals(Buffer.from(event!.envelope))).toBe(true);
      // Signed at send time (contract fault 1): t is the fake clock's now, not the event's time.
      const header = String(request.headers["dealix-signature"]);
      expect(header.startsWith(`t=${Math.floor(t.clock.nowMs() / 1000)},`)).toBe(true);
      expect(verifySignature({ payload: request.body, header, secrets: [secret], now: t.clock.nowMs() / 1000 }).ok).toBe(true);
      if (attempt === 6) {
        expect(delivery.state).toBe(DeliveryState.FAILED);
        expect(delivery.finalReason).toMatch(/attempt/i);
        expect(delivery.attempts.map((a) => a.willRetry)).toEqual([true, true, true, true, true, false]);
        expect(delivery.attempts.every((a) => a.statusCode === 500 && a.responseExcerpt === "down for maintenance")).toBe(true);
        break;
      }
      expect(delivery.state).toBe(DeliveryState.PENDING);
      const delayMs = timestampMs(delivery.nextAttemptTime!) - t.clock.nowMs();
      const base = SCHEDULE_S[attempt - 1]! * 1000;
      expect(delayMs).toBeGreaterThanOrEqual(base * (1 - JITTER) - 1);
      expect(delayMs).toBeLessThanOrEqual(base * (1 + JITTER) + 1);
      // Just before the due time nothing happens…
      t.clock.advance(delayMs - 1000);
      await t.app.engine!.idle();
      expect(failing.requests).toHaveLength(attempt);
      // …at the due time the next attempt goes out.
      t.clock.advance(1000);
      t.app.engine!.wake();
    }
    // Nothing more, however long we wait.
    t.clock.advance(30 * 86_400_000);
    await t.app.engine!.idle();
    expect(failing.requests).toHaveLength(6);
    expect(sentAt).toHaveLength(6);
    const reasonOf = async () => (await t.client.listDeliveries({ eventId: event!.id })).deliveries[0]!;
    const exhausted = await reasonOf();
    expect(exhausted.finalReason).toBe("attempts exhausted (6 of 6); last: status 500");

    // A retry by hand and then a recover each make one attempt beyond the schedule, and say so.
    await t.client.retryDelivery({ id: exhausted.id });
    await failing.waitFor(7);
    await t.app.engine!.idle();
    const beyond = (n: number) =>
      `attempt ${n} failed (status 500); no automatic attempts left ` +
      "(the schedule has 6; attempts beyond it are made only by RetryDelivery or RecoverFailedDeliveries)";
    expect(await reasonOf()).toMatchObject({ state: DeliveryState.FAILED, attemptCount: 7, finalReason: beyond(7) });
    await t.client.recoverFailedDeliveries({ subscriptionId: subscription!.id, since: timestampFromMs(0) });
    await failing.waitFor(8);
    await t.app.engine!.idle();
    expect(await reasonOf()).toMatchObject({ state: DeliveryState.FAILED, attemptCount: 8, finalReason: beyond(8) });
    t.clock.advance(30 * 86_400_000);
    await t.app.engine!.idle();
    expect(failing.requests).toHaveLength(8);
  });

  it("a retry 6 minutes after a failure verifies with a 300 s tolerance; the event's own timestamp would be stale", async () => {
    const { secret } = await t.client.subscribe({ customerId: "cus_flaky", endpointUrl: flaky.url });
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_flaky", data: { lead: 1 } });
    await flaky.waitFor(1);
    await t.app.engine!.idle();
    t.clock.advance(6 * 60_000);
    t.app.engine!.wake();
    const [first, second] = await flaky.waitFor(2);
    expect(second!.body.equals(first!.body)).toBe(true);
    const nowS = t.clock.nowMs() / 1000;
    const header = String(second!.headers["dealix-signature"]);
    expect(verifySignature({ payload: second!.body, header, secrets: [secret], toleranceSeconds: 300, now: nowS }).ok).toBe(true);
    // What the reference did (sign with the event's timestamp) fails here.
    const eventTime = JSON.parse(second!.body.toString()).timestamp as number;
    expect(nowS - eventTime).toBeGreaterThanOrEqual(360);
    await t.app.engine!.idle();
    const { delivery } = await t.client.getDelivery({ id: (await t.client.listDeliveries({ eventId: event!.id })).deliveries[0]!.id });
    expect(delivery!.state).toBe(DeliveryState.SUCCEEDED);
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([503, 200]);
  });

  it("waits for a 429's Retry-After when it is longer than the schedule", async () => {
    await t.client.subscribe({ customerId: "cus_429", endpointUrl: limited.url });
    const { event } = await t.client.emit({ type: "lead.created", customerId: "cus_429", data: {} });
    await limited.waitFor(1);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(timestampMs(deliveries[0]!.nextAttemptTime!) - t.clock.nowMs()).toBe(120_000);
    expect(deliveries[0]!.attemptCount).toBe(1);
  });
});
