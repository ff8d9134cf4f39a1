import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLog } from "../helpers/capture-log.js";
import { STORES } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

/** What POSTHORN_LOG_LEVEL=debug adds where an operator looks when deliveries behave oddly. */
describe.each(STORES)("debug logs of the workers (%s)", (kind) => {
  let t: TestApp;
  let failing: Receiver;
  const log = captureLog("debug");

  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true }, { logger: log.logger });
    failing = await startReceiver((_r, _i, res) => void res.writeHead(503).end());
  });
  afterAll(async () => {
    await failing.close();
    await t.close();
  });

  it("a handoff, a claim and a scheduled retry are logged at debug; idle lease sweeps are not", async () => {
    await t.client.subscribe({ customerId: "cus_debug", endpointUrl: failing.url });
    await t.client.emit({ type: "lead.created", customerId: "cus_debug", data: {} });
    await failing.waitFor(1);
    await t.app.engine!.idle();
    const { deliveries } = await t.client.listDeliveries({ customerId: "cus_debug" });
    const deliveryId = deliveries[0]!.id;

    // The first attempt was handed to the workers by the Emit itself; the retry is claimed.
    expect(log.lines.find((l) => l.msg === "handoff")).toMatchObject({ level: 20, handed_off: 1, given_back: 0 });
    const retry = log.lines.find((l) => l.msg === "retry scheduled");
    expect(retry).toMatchObject({ level: 20, delivery_id: deliveryId, attempt: 1 });
    expect(Date.parse(retry!.next_attempt_at as string)).toBeGreaterThan(t.clock.nowMs());
    t.clock.advance(Date.parse(retry!.next_attempt_at as string) - t.clock.nowMs());
    t.app.engine!.wake();
    await failing.waitFor(2);
    const claim = await eventually(async () => log.lines.find((l) => l.msg === "claim" && l.claimed === 1), (line) => line !== undefined);
    expect(claim).toMatchObject({ level: 20, claimed: 1, deferred: 0, limited_origins: [] });
    // Sweeps that took nothing over stay silent, like idle claims.
    expect(log.lines.find((l) => l.msg === "lease sweep")).toBeUndefined();
  });
});
