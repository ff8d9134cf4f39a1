import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { DeliveryState } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

describe.each(STORES)("isolation (%s)", (kind) => {
  let t: TestApp;
  let dead: Receiver;
  const hanging: ServerResponse[] = [];
  const healthy: Receiver[] = [];
  beforeAll(async () => {
    // 4 slots in all, 2 per endpoint. The dead endpoint's attempts hang for the full 60 s deadline:
    // without the per-endpoint limit they would take every slot and nothing else would move.
    t = await startTestApp(kind, { workers: true, maxConcurrency: 4, maxConcurrencyPerEndpoint: 2, attemptTimeoutMs: 60_000, leaseSeconds: 120 });
    dead = await startReceiver((_q, _i, response) => void hanging.push(response));
    for (let i = 0; i < 3; i++) healthy.push(await startReceiver());
  });
  afterAll(async () => {
    hanging.forEach((response) => response.destroy());
    await Promise.all([dead.close(), ...healthy.map((r) => r.close())]);
    await t.close();
  });

  it("a dead endpoint (never answers) does not hold back healthy ones", async () => {
    await t.client.subscribe({ customerId: "cus_dead", endpointUrl: dead.url });
    for (const [i, receiver] of healthy.entries()) await t.client.subscribe({ customerId: `cus_ok${i}`, endpointUrl: receiver.url });
    // The dead customer's events first, so they are claimed first.
    await t.client.emitBatch({ events: Array.from({ length: 40 }, (_, n) => ({ type: "lead.created", customerId: "cus_dead", data: { n } })) });
    await dead.waitFor(2);
    await t.client.emitBatch({
      events: healthy.flatMap((_, i) => Array.from({ length: 30 }, (_, n) => ({ type: "lead.created", customerId: `cus_ok${i}`, data: { n } }))),
    });
    // Every healthy delivery arrives while the dead endpoint still holds its two attempts.
    await Promise.all(healthy.map((receiver) => receiver.waitFor(30, 30_000)));
    expect(dead.requests).toHaveLength(2);
    // Recording trails the receipt by a moment.
    const succeeded = await eventually(
      async () => (await t.client.listDeliveries({ customerId: "cus_ok0", state: DeliveryState.SUCCEEDED, pageSize: 100 })).deliveries,
      (deliveries) => deliveries.length === 30,
    );
    expect(succeeded).toHaveLength(30);
    const pendingDead = await t.client.listDeliveries({ customerId: "cus_dead", state: DeliveryState.PENDING, pageSize: 100 });
    expect(pendingDead.deliveries).toHaveLength(40);
  });
});
