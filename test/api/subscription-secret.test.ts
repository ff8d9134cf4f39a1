/** GetSubscriptionSecret: the valid secrets' values, for the subscription's customer only, audited. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toJsonString } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@posthorn/proto";
import { ApiKeyRole, createWebhookClient, status, type WebhookClient } from "@posthorn/sdk";
import { STORES } from "../helpers/databases.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { bearer } from "../helpers/test-keys.js";
import { expectError } from "./expect-error.js";

describe.each(STORES)("GetSubscriptionSecret (%s)", (kind) => {
  let t: TestApp;
  let customer: WebhookClient;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const { key } = await t.client.createApiKey({ name: "customer s", role: ApiKeyRole.CUSTOMER, customerId: "cus_s" });
    customer = createWebhookClient({ address: t.app.address!, maxRetries: 0, metadata: bearer(key) });
  });
  afterAll(async () => {
    customer?.close();
    await t?.close();
  });

  it("returns the secret Subscribe returned, and both secrets during a rotation's grace period", async () => {
    const { subscription, secret } = await customer.subscribe({ endpointUrl: "https://example.com/s" });
    const id = subscription!.id;
    expect(await customer.getSubscriptionSecret({ id })).toMatchObject({ secret, previousSecrets: [] });

    const { secret: rotated } = await customer.rotateSubscriptionSecret({ id, gracePeriodSeconds: 3600 });
    expect(await customer.getSubscriptionSecret({ id })).toMatchObject({ secret: rotated, previousSecrets: [secret] });
    t.clock.advance(3600 * 1000);
    expect(await customer.getSubscriptionSecret({ id })).toMatchObject({ secret: rotated, previousSecrets: [] });
  });

  it("answers another customer's id as a missing one, and records each reveal without the secret", async () => {
    const { subscription: theirs } = await t.client.subscribe({ customerId: "cus_other", endpointUrl: "https://example.com/o" });
    await expectError(customer.getSubscriptionSecret({ id: theirs!.id }), status.NOT_FOUND, `subscription "${theirs!.id}" not found`);
    await expectError(customer.getSubscriptionSecret({ id: "sub_000000000000000000000000" }), status.NOT_FOUND, "not found");

    const { subscription } = await customer.subscribe({ endpointUrl: "https://example.com/a" });
    await customer.getSubscriptionSecret({ id: subscription!.id });
    const { records } = await t.client.listAuditRecords({ customerId: "cus_s" });
    expect(records[0]).toMatchObject({ method: "GetSubscriptionSecret", role: ApiKeyRole.CUSTOMER, customerId: "cus_s", targetIds: [subscription!.id] });
    expect(records.map((r) => toJsonString(AuditRecordSchema, r)).join()).not.toContain("whsec_");
  });
});
