/**
 * SendTestEvent end to end: one `posthorn.test` event, one signed delivery to the named
 * subscription only (whatever its event types), through real workers to a real receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyRole, createWebhookClient, DeliveryState, status, type WebhookClient } from "@posthorn/sdk";
import { verifySignature } from "@posthorn/verifier";
import { STORES } from "../helpers/databases.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer } from "../helpers/test-keys.js";
import { TEST_EVENT_WINDOW_MS, TEST_EVENTS_PER_WINDOW } from "../../server/src/api/test-event-limit.js";
import { expectError } from "./expect-error.js";

describe.each(STORES)("SendTestEvent (%s)", (kind) => {
  let t: TestApp;
  let tested: Receiver;
  let other: Receiver;
  let customer: WebhookClient;

  beforeAll(async () => {
    t = await startTestApp(kind, { workers: true });
    tested = await startReceiver();
    other = await startReceiver();
    const { key } = await t.client.createApiKey({ name: "customer t", role: ApiKeyRole.CUSTOMER, customerId: "cus_t" });
    customer = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(key) });
  });
  afterAll(async () => {
    customer?.close();
    await tested?.close();
    await other?.close();
    await t?.close();
  });

  it("delivers one signed posthorn.test event to that subscription only, whatever its event types", async () => {
    // Its filter leaves posthorn.test out; a sibling without a filter would take every event.
    const { subscription, secret } = await customer.subscribe({ endpointUrl: tested.url, eventTypes: ["deal.won"] });
    const { subscription: sibling } = await customer.subscribe({ endpointUrl: other.url });
    const id = subscription!.id;

    const { event, delivery } = await customer.sendTestEvent({ subscriptionId: id });
    expect(event).toMatchObject({ type: "posthorn.test", customerId: "cus_t", data: { message: "This is a test event from Posthorn.", subscription_id: id } });
    expect(delivery).toMatchObject({ eventId: event!.id, subscriptionId: id, customerId: "cus_t", eventType: "posthorn.test", state: DeliveryState.PENDING });

    const [request] = await tested.waitFor(1);
    expect(request!.headers["dealix-event-type"]).toBe("posthorn.test");
    expect(JSON.parse(request!.body.toString("utf8"))).toMatchObject({ id: event!.id, type: "posthorn.test", customer_id: "cus_t", data: { subscription_id: id } });
    const verified = verifySignature({ payload: request!.body, header: request!.headers["dealix-signature"], secrets: [secret], now: Math.floor(t.clock.nowMs() / 1000) });
    expect(verified.ok).toBe(true);

    // Exactly one delivery, stored with the event: the sibling got none.
    const { deliveries } = await t.client.listDeliveries({ eventId: event!.id });
    expect(deliveries.map((d) => d.subscriptionId)).toEqual([id]);
    expect((await t.client.listDeliveries({ subscriptionId: sibling!.id })).deliveries).toEqual([]);
  });

  it("refuses a disabled subscription, another customer's (as a missing one), and Emit of posthorn.test", async () => {
    const { subscription } = await customer.subscribe({ endpointUrl: tested.url, enabled: false });
    await expectError(customer.sendTestEvent({ subscriptionId: subscription!.id }), status.FAILED_PRECONDITION, `subscription "${subscription!.id}" is disabled`);

    const { subscription: theirs } = await t.client.subscribe({ customerId: "cus_other", endpointUrl: other.url });
    await expectError(customer.sendTestEvent({ subscriptionId: theirs!.id }), status.NOT_FOUND, `subscription "${theirs!.id}" not found`);
    await expectError(customer.sendTestEvent({ subscriptionId: "" }), status.INVALID_ARGUMENT, "subscription_id");

    await expectError(t.client.emit({ customerId: "cus_t", type: "posthorn.test", data: {} }), status.INVALID_ARGUMENT, 'type: unknown event type "posthorn.test"');
  });

  it("is audited with the subscription and the event", async () => {
    const { subscription } = await customer.subscribe({ endpointUrl: tested.url });
    const { event } = await customer.sendTestEvent({ subscriptionId: subscription!.id });
    const { records } = await t.client.listAuditRecords({ customerId: "cus_t" });
    expect(records[0]).toMatchObject({ method: "SendTestEvent", role: ApiKeyRole.CUSTOMER, customerId: "cus_t", targetIds: [subscription!.id, event!.id] });
  });

  it("allows 10 test events per subscription a minute, then RESOURCE_EXHAUSTED until the window moves on", async () => {
    // An endpoint nobody answers for long: the point is the count, not the delivery.
    const { subscription } = await customer.subscribe({ endpointUrl: "https://example.com/limited" });
    const { subscription: another } = await customer.subscribe({ endpointUrl: "https://example.com/another" });
    for (let i = 0; i < TEST_EVENTS_PER_WINDOW; i++) await customer.sendTestEvent({ subscriptionId: subscription!.id });
    await expectError(customer.sendTestEvent({ subscriptionId: subscription!.id }), status.RESOURCE_EXHAUSTED, `got ${TEST_EVENTS_PER_WINDOW} test events in the last 60 s`);
    // Another subscription has its own count.
    await customer.sendTestEvent({ subscriptionId: another!.id });
    t.clock.advance(TEST_EVENT_WINDOW_MS);
    await customer.sendTestEvent({ subscriptionId: subscription!.id });
  });
});
