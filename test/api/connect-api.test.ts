import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { ApiKeyRole, DeliveryState, PosthornError } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { connectClient, type ConnectClient } from "../helpers/connect-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { TEST_ADMIN_KEY } from "../helpers/test-keys.js";
import { UNKNOWN } from "./expect-error.js";

/** The Connect error `call` rejects with (the test fails when it succeeds). */
async function connectError(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => new Error("expected the call to fail"),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe.each(STORES)("WebhookService over Connect JSON (%s)", (kind) => {
  let t: TestApp;
  let admin: ConnectClient;
  beforeAll(async () => {
    t = await startTestApp(kind);
    admin = connectClient(t.app.httpAddress!, TEST_ADMIN_KEY);
  });
  afterAll(async () => {
    await t.close();
  });

  it("serves every unary RPC through the same handlers as gRPC", async () => {
    expect((await admin.listEventTypes({})).eventTypes.length).toBeGreaterThan(0);
    const { subscription } = await admin.subscribe({ customerId: "cus_every", endpointUrl: "https://example.com/hook" });
    const id = subscription!.id;
    expect((await admin.getSubscription({ id })).subscription!.endpointUrl).toBe("https://example.com/hook");
    expect((await admin.listSubscriptions({ customerId: "cus_every" })).subscriptions.map((s) => s.id)).toEqual([id]);
    const updated = await admin.updateSubscription({ subscription: { id, description: "changed" }, updateMask: { paths: ["description"] } });
    expect(updated.subscription!.description).toBe("changed");
    expect((await admin.rotateSubscriptionSecret({ id })).subscription!.id).toBe(id);

    const { event } = await admin.emit({ type: "reply.received", customerId: "cus_every", data: { n: 1 } });
    const batch = await admin.emitBatch({ events: [{ type: "reply.received", customerId: "cus_every", data: { n: 2 } }] });
    expect(batch.results).toHaveLength(1);
    expect((await admin.getEvent({ id: event!.id })).event!.customerId).toBe("cus_every");
    expect((await admin.listEvents({ customerId: "cus_every" })).events).toHaveLength(2);
    const { deliveries } = await admin.listDeliveries({ eventId: event!.id });
    expect(deliveries).toHaveLength(1);
    const deliveryId = deliveries[0]!.id;
    expect((await admin.getDelivery({ id: deliveryId })).delivery!.state).toBe(DeliveryState.PENDING);
    expect((await admin.retryDelivery({ id: deliveryId })).delivery!.id).toBe(deliveryId);
    expect((await admin.recoverFailedDeliveries({ subscriptionId: id, since: timestampFromMs(0) })).recoveredDeliveries).toBe(0);

    const made = await admin.createApiKey({ name: "over connect", role: ApiKeyRole.CUSTOMER, customerId: "cus_every" });
    expect(made.key).toMatch(/^phk_/);
    expect((await admin.listApiKeys({})).apiKeys.map((k) => k.id)).toContain(made.apiKey!.id);
    await admin.revokeApiKey({ id: made.apiKey!.id });
    const audit = await admin.listAuditRecords({});
    expect(audit.records.map((r) => r.method)).toEqual(expect.arrayContaining(["Subscribe", "CreateApiKey", "RevokeApiKey"]));
    await admin.deleteSubscription({ id });

    // Methods another part of the work builds: whatever gRPC answers, Connect answers the same.
    const { subscription: live } = await admin.subscribe({ customerId: "cus_every", endpointUrl: "https://example.com/live" });
    const parity = async (viaConnect: Promise<unknown>, viaGrpc: Promise<unknown>) => {
      const [c, g] = await Promise.all([viaConnect.then(() => "OK", (e: ConnectError) => [e.code, e.rawMessage]), viaGrpc.then(() => "OK", (e: PosthornError) => [e.code, e.details])]);
      expect(c).toEqual(g);
    };
    await parity(admin.sendTestEvent({ subscriptionId: live!.id }), t.client.sendTestEvent({ subscriptionId: live!.id }));
    await parity(admin.getSubscriptionSecret({ id: UNKNOWN.subscription }), t.client.getSubscriptionSecret({ id: UNKNOWN.subscription }));
    await parity(admin.createPortalSession({ customerId: "" }), t.client.createPortalSession({ customerId: "" }));
  });

  it("answers UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT and NOT_FOUND with the gRPC messages", async () => {
    const address = t.app.httpAddress!;
    const none = await connectError(connectClient(address, undefined).listEventTypes({}));
    expect([none.code, none.rawMessage]).toEqual([Code.Unauthenticated, expect.stringContaining("no API key")]);
    const unknown = await connectError(connectClient(address, `phk_${"z".repeat(43)}`).listEventTypes({}));
    expect([unknown.code, unknown.rawMessage]).toEqual([Code.Unauthenticated, expect.stringContaining("is not known to this server")]);

    const { key } = await admin.createApiKey({ name: "emitter", role: ApiKeyRole.EMITTER });
    const denied = await connectError(connectClient(address, key).listApiKeys({}));
    expect(denied.code).toBe(Code.PermissionDenied);
    const grpcDenied = await t.client.createApiKey({ name: "x", role: ApiKeyRole.EMITTER }).then((made) => made.key);
    expect(grpcDenied).toMatch(/^phk_/);

    const invalid = await connectError(admin.emit({ type: "no.such.type", customerId: "cus_x", data: {} }));
    expect(invalid.code).toBe(Code.InvalidArgument);
    const grpcInvalid = await t.client.emit({ type: "no.such.type", customerId: "cus_x", data: {} }).catch((e: PosthornError) => e.details);
    expect(invalid.rawMessage).toBe(grpcInvalid);

    const missing = await connectError(admin.getSubscription({ id: UNKNOWN.subscription }));
    expect([missing.code, missing.rawMessage]).toEqual([Code.NotFound, expect.stringContaining(UNKNOWN.subscription)]);
  });

  it("shows a customer key only its own customer's data", async () => {
    const address = t.app.httpAddress!;
    const { subscription: mine } = await admin.subscribe({ customerId: "cus_own", endpointUrl: "https://example.com/a" });
    const { subscription: theirs } = await admin.subscribe({ customerId: "cus_other", endpointUrl: "https://example.com/b" });
    await admin.emit({ type: "reply.received", customerId: "cus_own", data: {} });
    const { event } = await admin.emit({ type: "reply.received", customerId: "cus_other", data: {} });
    const { key } = await admin.createApiKey({ name: "customer", role: ApiKeyRole.CUSTOMER, customerId: "cus_own" });
    const customer = connectClient(address, key);

    expect((await customer.listSubscriptions({})).subscriptions.map((s) => s.id)).toEqual([mine!.id]);
    expect((await customer.listSubscriptions({ customerId: "cus_other" })).subscriptions).toEqual([]);
    expect((await customer.listDeliveries({})).deliveries.every((d) => d.customerId === "cus_own")).toBe(true);
    expect((await customer.listDeliveries({ customerId: "cus_other" })).deliveries).toEqual([]);
    expect((await connectError(customer.getSubscription({ id: theirs!.id }))).code).toBe(Code.NotFound);
    expect((await connectError(customer.getEvent({ id: event!.id }))).code).toBe(Code.NotFound);
  });
});
