/**
 * Operational events in process (the end-to-end run with real processes is
 * test/e2e/operational-events.test.ts): without POSTHORN_OPERATIONAL_CUSTOMER_ID nothing is
 * emitted; `secret.rotated` for grace 0 and for the operator's own subscription; when the
 * `delivery.exhausted` effect makes the attempt batch take a transaction (the hot path).
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryState, EventView } from "@posthorn/sdk";
import { OPERATIONAL_EVENT_SCHEMAS } from "../../server/src/domain/operational-event-schemas.js";
import { exhaustedDeliveriesEffect } from "../../server/src/store/report-exhausted-deliveries.js";
import type { AttemptResult } from "../../server/src/store/sql/record-attempts.js";
import { STORES } from "../helpers/databases.js";
import { eventually } from "../helpers/eventually.js";
import { compileSchema } from "../helpers/json-schema.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

describe.each(STORES)("operational events in process (%s)", (kind) => {
  const apps: TestApp[] = [];
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it("without POSTHORN_OPERATIONAL_CUSTOMER_ID, a 410 Gone, a final 404 and a rotation emit nothing", async () => {
    const t = await startTestApp(kind, { workers: true });
    apps.push(t);
    const ops = await startReceiver();
    const gone = await startReceiver((_q, _i, r) => void r.writeHead(410).end());
    const missing = await startReceiver((_q, _i, r) => void r.writeHead(404).end());
    receivers.push(ops, gone, missing);
    await t.client.subscribe({ customerId: "ops", endpointUrl: ops.url });
    const goneSub = (await t.client.subscribe({ customerId: "cus_gone", endpointUrl: gone.url })).subscription!;
    const missingSub = (await t.client.subscribe({ customerId: "cus_missing", endpointUrl: missing.url })).subscription!;
    await t.client.emit({ type: "lead.created", customerId: "cus_gone", data: {} });
    await t.client.emit({ type: "lead.created", customerId: "cus_missing", data: {} });
    await t.client.rotateSubscriptionSecret({ id: missingSub.id });
    const failed = await eventually(
      async () => (await t.client.listDeliveries({ state: DeliveryState.FAILED })).deliveries,
      (deliveries) => deliveries.length === 2,
    );
    expect(failed).toHaveLength(2);
    await t.app.engine!.idle();
    expect((await t.client.getSubscription({ id: goneSub.id })).subscription!.enabled).toBe(false);
    expect((await t.client.listEvents({ customerId: "ops" })).events).toHaveLength(0);
    expect(ops.requests).toHaveLength(0);
  });

  it("secret.rotated: grace 0 says the previous secret was revoked at once; nothing about the operator's own subscription", async () => {
    const t = await startTestApp(kind, { operationalCustomerId: "ops" });
    apps.push(t);
    const own = (await t.client.subscribe({ customerId: "ops", endpointUrl: "https://ops.example.com/hook" })).subscription!;
    const sub = (await t.client.subscribe({ customerId: "cus_a", endpointUrl: "https://a.example.com/hook" })).subscription!;
    await t.client.rotateSubscriptionSecret({ id: own.id, gracePeriodSeconds: 0 });
    await t.client.rotateSubscriptionSecret({ id: sub.id, gracePeriodSeconds: 0 });
    const { events } = await t.client.listEvents({ customerId: "ops", view: EventView.FULL });
    expect(events.map((e) => e.type)).toEqual(["secret.rotated"]);
    const data = events[0]!.data!;
    expect(data).toEqual({
      subscription_id: sub.id,
      customer_id: "cus_a",
      endpoint_url: "https://a.example.com/hook",
      rotated_at: Math.floor(t.clock.nowMs() / 1000),
      previous_secret_expires_at: null,
    });
    expect(compileSchema(OPERATIONAL_EVENT_SCHEMAS["secret.rotated"].schema)(data)).toBe(true);
    // Its delivery to the operator's subscription is pending, due now.
    const { deliveries } = await t.client.listDeliveries({ customerId: "ops" });
    expect(deliveries.map((d) => [d.subscriptionId, d.state])).toEqual([[own.id, DeliveryState.PENDING]]);
  });
});

describe("the delivery.exhausted effect takes a transaction only when it has something to report", () => {
  const result = (state: AttemptResult["state"], customerId: string) => ({ state, delivery: { customer_id: customerId } }) as AttemptResult;

  it("applies to a batch that failed a customer's delivery, with an operator configured", () => {
    const effect = exhaustedDeliveriesEffect("ops");
    expect(effect.applies([result("succeeded", "cus_a"), result("failed", "cus_a")])).toBe(true);
  });

  it("not without an operator, not for pending or succeeded outcomes, not for the operator's own deliveries", () => {
    expect(exhaustedDeliveriesEffect(undefined).applies([result("failed", "cus_a")])).toBe(false);
    const effect = exhaustedDeliveriesEffect("ops");
    expect(effect.applies([result("pending", "cus_a"), result("succeeded", "cus_b")])).toBe(false);
    expect(effect.applies([result("failed", "ops")])).toBe(false);
  });
});
