import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { STORES } from "../helpers/databases.js";
import { captureLog } from "../helpers/capture-log.js";

/**
 * A backlog to one endpoint, with far more free slots than the endpoint may use (16 in all, 2 per
 * endpoint): each claim takes no more of it than the endpoint's room, so none is given back. A
 * claim that took more gave the rest back due a second later by the (fake, stopped) clock, and
 * the backlog would stall until the clock moved (migration 0015, delivery/claim-batch.ts `more`).
 */
describe.each(STORES)("a claim takes no more of an endpoint than its room (%s)", (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  const log = captureLog("debug");

  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true, maxConcurrency: 16, maxConcurrencyPerEndpoint: 2 }, { logger: log.logger });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it("a backlog to one endpoint drains without the clock moving, and no claim gives any back", async () => {
    await t.client.subscribe({ customerId: "cus_room", endpointUrl: receiver.url });
    await t.client.emitBatch({ events: Array.from({ length: 30 }, (_, n) => ({ type: "lead.created", customerId: "cus_room", data: { n } })) });
    await receiver.waitFor(30, 20_000);
    await t.app.engine!.idle();
    const claims = log.lines.filter((line) => line.msg === "claim" && (line.claimed as number) > 0);
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.every((line) => line.deferred === 0 && (line.claimed as number) <= 2)).toBe(true);
    expect(receiver.requests).toHaveLength(30);
  });
});
