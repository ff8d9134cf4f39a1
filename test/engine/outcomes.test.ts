import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { AttemptErrorKind, DeliveryState } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver, type ReceivedRequest } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

type Responder = (request: ReceivedRequest, index: number, response: ServerResponse) => void;

/** One receiver per outcome, and what the delivery must look like after one attempt. */
const CASES: {
  name: string;
  respond: Responder;
  state: DeliveryState;
  status: number;
  errorKind?: AttemptErrorKind;
  reason?: RegExp;
  excerpt?: string;
}[] = [
  { name: "2xx", respond: (_q, _i, r) => void r.writeHead(204).end(), state: DeliveryState.SUCCEEDED, status: 204 },
  {
    name: "3xx (not followed)",
    respond: (_q, _i, r) => void r.writeHead(301, { Location: "https://elsewhere.example/hook" }).end(),
    state: DeliveryState.FAILED,
    status: 301,
    reason: /redirect.*Location: https:\/\/elsewhere\.example\/hook/,
  },
  {
    name: "4xx",
    respond: (_q, _i, r) => void r.writeHead(404).end("no such hook"),
    state: DeliveryState.FAILED,
    status: 404,
    reason: /final status 404/,
    excerpt: "no such hook",
  },
  { name: "408", respond: (_q, _i, r) => void r.writeHead(408).end(), state: DeliveryState.PENDING, status: 408 },
  { name: "429", respond: (_q, _i, r) => void r.writeHead(429).end(), state: DeliveryState.PENDING, status: 429 },
  { name: "5xx", respond: (_q, _i, r) => void r.writeHead(502).end("bad gateway"), state: DeliveryState.PENDING, status: 502, excerpt: "bad gateway" },
  {
    // PostgreSQL text cannot hold U+0000: the excerpt keeps a replacement character instead.
    name: "5xx with NUL bytes in its body",
    respond: (_q, _i, r) => void r.writeHead(503).end("a\u0000b"),
    state: DeliveryState.PENDING,
    status: 503,
    excerpt: "a\ufffdb",
  },
  {
    name: "never answers",
    respond: () => {},
    state: DeliveryState.PENDING,
    status: 0,
    errorKind: AttemptErrorKind.TIMEOUT,
  },
];

describe.each(STORES)("attempt outcomes (%s)", (kind) => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true, attemptTimeoutMs: 500 });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });

  it.each(CASES)("$name", async (c) => {
    const receiver = await startReceiver(c.respond);
    receivers.push(receiver);
    const customerId = `cus_${c.name.replace(/\W/g, "")}`;
    await t.client.subscribe({ customerId, endpointUrl: receiver.url });
    const { event } = await t.client.emit({ type: "demo.booked", customerId, data: {} });
    await receiver.waitFor(1);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    const delivery = deliveries[0]!;
    expect(delivery.state).toBe(c.state);
    expect(delivery.attempts).toHaveLength(1);
    const attempt = delivery.attempts[0]!;
    expect(attempt.statusCode).toBe(c.status);
    expect(attempt.errorKind).toBe(c.errorKind ?? AttemptErrorKind.UNSPECIFIED);
    expect(attempt.willRetry).toBe(c.state === DeliveryState.PENDING);
    expect(attempt.succeeded).toBe(c.state === DeliveryState.SUCCEEDED);
    expect(attempt.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    if (c.reason) expect(delivery.finalReason).toMatch(c.reason);
    if (c.excerpt !== undefined) expect(attempt.responseExcerpt).toBe(c.excerpt);
    expect(receiver.requests).toHaveLength(1);
  });

  it("410 Gone fails the delivery, disables the subscription with the reason, and cancels its other pending deliveries", async () => {
    let gone = false;
    const receiver = await startReceiver((_q, _i, r) => {
      if (gone) return void r.writeHead(410).end();
      r.writeHead(500).end();
    });
    receivers.push(receiver);
    const { subscription } = await t.client.subscribe({ customerId: "cus_gone", endpointUrl: receiver.url });
    const first = await t.client.emit({ type: "deal.lost", customerId: "cus_gone", data: { n: 1 } });
    await receiver.waitFor(1);
    await t.app.engine!.idle(); // first delivery now pending a retry
    gone = true;
    const second = await t.client.emit({ type: "deal.lost", customerId: "cus_gone", data: { n: 2 } });
    await receiver.waitFor(2);
    await t.app.engine!.idle();
    const { delivery: failed } = await t.client.getDelivery({
      id: (await t.client.listDeliveries({ eventId: second.event!.id })).deliveries[0]!.id,
    });
    expect(failed!.state).toBe(DeliveryState.FAILED);
    expect(failed!.finalReason).toMatch(/410/);
    const { subscription: after } = await t.client.getSubscription({ id: subscription!.id });
    expect(after!.enabled).toBe(false);
    expect(after!.disabledReason).toMatch(/410 Gone/);
    const { deliveries: canceled } = await t.client.listDeliveries({ eventId: first.event!.id });
    expect(canceled[0]!.state).toBe(DeliveryState.CANCELED);
    // No more events reach it.
    const third = await t.client.emit({ type: "deal.lost", customerId: "cus_gone", data: { n: 3 } });
    expect(third.matchedSubscriptions).toBe(0);
  });

  it("a 50 MB response is cut at 64 KiB and keeps a 4 KiB excerpt", async () => {
    const chunk = Buffer.alloc(1 << 20, "x");
    const receiver = await startReceiver((_q, _i, r) => {
      r.writeHead(200, { "content-length": String(50 * chunk.length) });
      let sent = 0;
      const more = () => {
        while (sent < 50 && !r.destroyed) {
          sent++;
          if (!r.write(chunk)) return void r.once("drain", more);
        }
        if (!r.destroyed) r.end();
      };
      r.on("close", () => (sent = 50));
      more();
    });
    receivers.push(receiver);
    await t.client.subscribe({ customerId: "cus_big", endpointUrl: receiver.url });
    const { event } = await t.client.emit({ type: "qbr.generated", customerId: "cus_big", data: {} });
    await receiver.waitFor(1);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    const attempt = deliveries[0]!.attempts[0]!;
    expect(deliveries[0]!.state).toBe(DeliveryState.SUCCEEDED);
    expect(attempt.responseExcerpt).toHaveLength(4096);
    expect(attempt.statusCode).toBe(200);
  });
});
